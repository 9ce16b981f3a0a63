using System.Data.Common;
using IrSuite.Contracts.Scheduling;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IrSuite.ProcedureRecord.Messaging;

/// <summary>
/// A slot was booked: opens the case on the worklist (keyed by referral), or moves it when the referral is
/// re-scheduled before sign-in. Applied once per message (inbox); older events than the last applied are ignored.
/// </summary>
public sealed partial class ProcedureScheduledConsumer(
    ProcedureRecordDatabase database,
    ProcedureRecordRepository repository,
    SiteProtocol protocol,
    TimeProvider time,
    ILogger<ProcedureScheduledConsumer> logger)
    : IdempotentConsumer<ProcedureScheduled, ProcedureRecordDatabase>(database, time)
{
    protected override async Task HandleAsync(ProcedureScheduled message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var levels = LevelSet.Normalize(message.Levels ?? [], out var hasUnknown);
        if (hasUnknown)
        {
            LogUnknownLevels(message.ReferralId);
        }

        var room = message.Room ?? "";
        // Old events without the issue-4 fields give empty consent levels: sign-in then refuses CONSENT_REQUIRED.
        var booking = new BookingDetails(
            LevelSet.Normalize(message.ConsentedLevels ?? [], out _),
            message.SedationMode ?? "",
            message.Admission ?? "",
            (message.AllergyClasses ?? []).Distinct(StringComparer.Ordinal).ToList(),
            message.Pregnancy ?? "",
            message.Indication ?? "",
            message.DurationMinutes,
            message.ProtocolVersion ?? "");
        var existing = await repository.FindAsync(connection, transaction, message.ReferralId, cancellationToken);
        if (existing is null)
        {
            var record = CaseRecord.Schedule(message.ReferralId, message.PatientId, levels, room, message.Start, message.OccurredAt, booking);
            record.ApplyProtocolVersion(protocol.AppliedVersion);
            await repository.InsertAsync(connection, transaction, record, cancellationToken);
            LogScheduled(message.ReferralId);
            return;
        }

        var outcome = existing.ApplySchedule(message.PatientId, levels, room, message.Start, message.OccurredAt, booking);
        if (outcome is ScheduleOutcome.Updated or ScheduleOutcome.Reopened or ScheduleOutcome.Unchanged)
        {
            existing.ApplyProtocolVersion(protocol.AppliedVersion);
            await repository.UpdateAsync(connection, transaction, existing, cancellationToken);
        }

        LogScheduleApplied(message.ReferralId, outcome);
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Procedure case {ReferralId} scheduled")]
    private partial void LogScheduled(Guid referralId);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "Procedure case {ReferralId}: booking event {Outcome}")]
    private partial void LogScheduleApplied(Guid referralId, ScheduleOutcome outcome);

    [LoggerMessage(EventId = 3112, Level = LogLevel.Warning,
        Message = "Procedure case {ReferralId}: booking names unknown vertebral levels; the time-out will refuse until corrected")]
    private partial void LogUnknownLevels(Guid referralId);
}

/// <summary>A queue of its own per service: two services consuming the same event on RabbitMQ must not share (and split) one queue.</summary>
public sealed class ProcedureScheduledConsumerDefinition : IrSuiteConsumerDefinition<ProcedureScheduledConsumer>
{
    public ProcedureScheduledConsumerDefinition()
    {
        EndpointName = ProcedureRecordModule.ServiceName + "-procedure-scheduled";
    }
}
