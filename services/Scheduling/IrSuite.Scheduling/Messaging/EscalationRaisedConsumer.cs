using IrSuite.Contracts.Clinical;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;

namespace IrSuite.Scheduling.Messaging;

/// <summary>Timeline: an escalation (urgent neurological examination and CT). Codes only; one entry per reason, level and time.</summary>
public sealed class EscalationRaisedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<EscalationRaised>(database, time)
{
    protected override string Source => "clinical";

    protected override string EntryId(EscalationRaised message, Guid referralId) =>
        $"{nameof(EscalationRaised)}:{referralId}:{message.Reason}:{message.Level}:{message.OccurredAt.ToUnixTimeMilliseconds()}";

    protected override (Guid, DateTimeOffset, string) Describe(EscalationRaised m) =>
        (m.ReferralId, m.OccurredAt, m.Level.Length > 0 ? $"{m.Reason} at {m.Level}, raised by {m.Source}" : $"{m.Reason}, raised by {m.Source}");

    // The latest escalation is the one shown; a late copy of an older one does not reopen a resolved escalation.
    protected override BoardEntryState Project(EscalationRaised message, BoardEntryState entry) =>
        entry.EscalationRaisedMs is { } shown && shown >= message.OccurredAt.ToUnixTimeMilliseconds()
            ? entry
            : entry with
            {
                EscalationOpen = 1,
                EscalationReason = message.Reason,
                EscalationLevel = message.Level,
                EscalationRaisedMs = message.OccurredAt.ToUnixTimeMilliseconds(),
            };
}
