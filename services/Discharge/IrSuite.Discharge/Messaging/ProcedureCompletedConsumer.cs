using System.Data.Common;
using IrSuite.Contracts;
using IrSuite.Contracts.Discharge;
using IrSuite.Contracts.Procedure;
using IrSuite.Discharge.Data;
using IrSuite.Discharge.Domain;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;

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
    SiteProtocol protocol,
    ILogger<ProcedureCompletedConsumer> logger) : IdempotentConsumer<ProcedureCompleted, DischargeDatabase>(database, time)
{
    protected override async Task HandleAsync(ProcedureCompleted message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var observation = PatientObservation.Start(
            message.ReferralId, message.PatientId, message.EndedAt, protocol.Observation.Minimum.Value, ContextOf(message, protocol));
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
            new ObservationStarted(observation.ReferralId, observation.PatientId, observation.StartedAt, observation.MinimumUntil, Time.GetUtcNow())
            {
                FirstCheckDue = observation.Schedule(protocol.Observation, Time.GetUtcNow()).NextDue,
            },
            observation.ReferralId);
        LogOpened(observation.ReferralId, observation.MinimumUntil);
    }

    /// <summary>
    /// The booking's context as ProcedureCompleted carries it; completions from before issue 4 carry no admission, which
    /// is then the site's default (same-day or next-day discharge).
    /// </summary>
    public static ObservationContext ContextOf(ProcedureCompleted message, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(protocol);
        var admission = message.Admission is AdmissionCodes.Ambulatory or AdmissionCodes.Hospitalised
            ? message.Admission
            : protocol.Scheduling.DefaultAdmission == AdmissionKind.Hospitalised ? AdmissionCodes.Hospitalised : AdmissionCodes.Ambulatory;
        return new ObservationContext(admission, message.SedationMode, message.SymptomaticLeak, message.SkinDoseFollowUp, message.Indication, protocol.AppliedVersion);
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
public sealed class ProcedureCompletedConsumerDefinition : IrSuiteConsumerDefinition<ProcedureCompletedConsumer>
{
    public ProcedureCompletedConsumerDefinition()
    {
        EndpointName = DischargeModule.ServiceName + "-procedure-completed";
    }
}
