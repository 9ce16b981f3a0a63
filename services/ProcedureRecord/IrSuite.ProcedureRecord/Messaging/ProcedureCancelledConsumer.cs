using System.Data.Common;
using IrSuite.Contracts.Scheduling;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IrSuite.ProcedureRecord.Messaging;

/// <summary>
/// A booking was cancelled: a case not yet signed in leaves the worklist; a case already started is left alone
/// (the room team discontinues it if needed). Applied once per message (inbox).
/// </summary>
public sealed partial class ProcedureCancelledConsumer(
    ProcedureRecordDatabase database, ProcedureRecordRepository repository, TimeProvider time, ILogger<ProcedureCancelledConsumer> logger)
    : IdempotentConsumer<ProcedureCancelled, ProcedureRecordDatabase>(database, time)
{
    protected override async Task HandleAsync(ProcedureCancelled message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var existing = await repository.FindAsync(connection, transaction, message.ReferralId, cancellationToken);
        if (existing is null)
        {
            LogUnknownCase(message.ReferralId);
            return;
        }

        var outcome = existing.Cancel(message.OccurredAt);
        if (outcome == CancelOutcome.Cancelled)
        {
            await repository.UpdateAsync(connection, transaction, existing, cancellationToken);
        }

        LogCancelApplied(message.ReferralId, outcome);
    }

    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Procedure case {ReferralId}: cancellation {Outcome}")]
    private partial void LogCancelApplied(Guid referralId, CancelOutcome outcome);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Warning, Message = "Cancellation of unknown procedure case {ReferralId} ignored")]
    private partial void LogUnknownCase(Guid referralId);
}

/// <summary>A queue of its own per service: two services consuming the same event on RabbitMQ must not share (and split) one queue.</summary>
public sealed class ProcedureCancelledConsumerDefinition : IrSuiteConsumerDefinition<ProcedureCancelledConsumer>
{
    public ProcedureCancelledConsumerDefinition()
    {
        EndpointName = ProcedureRecordModule.ServiceName + "-procedure-cancelled";
    }
}
