using System.Data.Common;
using IrSuite.Contracts.Discharge;
using IrSuite.Contracts.Procedure;
using IrSuite.Discharge.Data;
using IrSuite.Discharge.Domain;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IrSuite.Discharge.Messaging;

/// <summary>
/// The procedure ended: the observation opens, its minimum end is scheduled as a durable timer, and
/// <see cref="ObservationStarted"/> is written to the outbox, all in the inbox transaction. A second completion of
/// the same referral (a duplicate status message with a new id) finds the observation and changes nothing.
/// </summary>
public sealed partial class ProcedureCompletedConsumer(
    DischargeDatabase database,
    TimeProvider time,
    DischargeRepository repository,
    OutboxWriter outbox,
    IOptions<DischargeOptions> options,
    ILogger<ProcedureCompletedConsumer> logger) : IdempotentConsumer<ProcedureCompleted, DischargeDatabase>(database, time)
{
    protected override async Task HandleAsync(ProcedureCompleted message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var observation = PatientObservation.Start(message.ReferralId, message.PatientId, message.EndedAt, options.Value.ObservationMinimum);
        if (!await repository.TryOpenAsync(connection, transaction, observation))
        {
            LogAlreadyOpen(message.ReferralId);
            return;
        }

        await DueTimers.ScheduleAsync(
            connection,
            transaction,
            ObservationMinimumTimerHandler.TimerId(observation.ReferralId),
            ObservationMinimumTimerHandler.TimerKind,
            observation.ReferralId.ToString(),
            observation.MinimumUntil);
        await outbox.AddAsync(
            connection,
            transaction,
            new ObservationStarted(observation.ReferralId, observation.PatientId, observation.StartedAt, observation.MinimumUntil, Time.GetUtcNow()),
            observation.ReferralId);
        LogOpened(observation.ReferralId, observation.MinimumUntil);
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Observation of referral {ReferralId} opened; minimum until {MinimumUntil}")]
    private partial void LogOpened(Guid referralId, DateTimeOffset minimumUntil);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Observation of referral {ReferralId} already open; completion ignored")]
    private partial void LogAlreadyOpen(Guid referralId);
}

/// <summary>
/// The endpoint is named after the service: each service that consumes <see cref="ProcedureCompleted"/> needs its own
/// queue, or (on RabbitMQ) the services would compete for the same messages.
/// </summary>
public sealed class ProcedureCompletedConsumerDefinition : ConsumerDefinition<ProcedureCompletedConsumer>
{
    public ProcedureCompletedConsumerDefinition()
    {
        EndpointName = DischargeModule.ServiceName + "-procedure-completed";
    }
}
