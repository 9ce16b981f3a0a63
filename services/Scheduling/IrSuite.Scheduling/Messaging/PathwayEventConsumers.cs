using System.Data.Common;
using Dapper;
using IrSuite.Board.V1;
using IrSuite.Contracts.Anesthesia;
using IrSuite.Contracts.Discharge;
using IrSuite.Contracts.Procedure;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Observability;

namespace IrSuite.Scheduling.Messaging;

/// <summary>
/// Records another service's pathway event in the timeline (and moves the referral's status forward when the
/// event says so). Idempotent twice over: the inbox skips redeliveries, and the entry id is the event's.
/// </summary>
public abstract class PathwayEventConsumer<TMessage>(SchedulingDatabase database, TimeProvider time)
    : IdempotentConsumer<TMessage, SchedulingDatabase>(database, time)
    where TMessage : class
{
    protected abstract string Source { get; }

    protected abstract (Guid ReferralId, DateTimeOffset OccurredAt, string Summary) Describe(TMessage message);

    /// <summary>The timeline entry id: one entry per event type and referral, unless an event can recur.</summary>
    protected virtual string EntryId(TMessage message, Guid referralId) => typeof(TMessage).Name + ":" + referralId;

    /// <summary>The status this event implies, if any.</summary>
    protected virtual ReferralStatus? ImpliedStatus => null;

    /// <summary>What this event changes on the referral's department board entry (decision 0015); nothing by default.</summary>
    protected virtual BoardEntryState Project(TMessage message, BoardEntryState entry) => entry;

    protected override async Task HandleAsync(TMessage message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var (referralId, occurredAt, summary) = Describe(message);
        var entryId = EntryId(message, referralId);
        await SchedulingRepository.AddTimelineAsync(connection, transaction, entryId, referralId, occurredAt, typeof(TMessage).Name, Source, summary);
        await BoardRepository.ApplyAsync(connection, transaction, referralId, Time.GetUtcNow(), entry => Project(message, entry));
        if (ImpliedStatus is { } reported)
        {
            // Status only moves forward, so a late or reordered event cannot undo a later step.
            var current = await connection.ExecuteScalarAsync<long?>(
                "SELECT status FROM referral WHERE referral_id = @id", new { id = referralId.ToString() }, transaction);
            if (current is { } value)
            {
                var next = ReferralWorkflow.AfterEvent((ReferralStatus)value, reported);
                await connection.ExecuteAsync(
                    "UPDATE referral SET status = @next, version = version + 1 WHERE referral_id = @id AND status = @current",
                    new { next = (int)next, id = referralId.ToString(), current = (int)value },
                    transaction);
            }
        }
    }
}

public sealed class ClearanceSignedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<ClearanceSigned>(database, time)
{
    protected override string Source => "anesthesia-consultation";

    protected override (Guid, DateTimeOffset, string) Describe(ClearanceSigned m) => (m.ReferralId, m.OccurredAt, $"{m.Decision}, sedation {m.SedationMode}");

    protected override BoardEntryState Project(ClearanceSigned message, BoardEntryState entry) =>
        BoardRules.AfterClearance(entry, message.Decision) with
        {
            Sedation = BoardRules.Sedation(message.SedationMode) is var mode && mode != Common.V1.SedationMode.Unspecified ? (long)mode : entry.Sedation,
        };
}

public sealed class ProcedureStartedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<ProcedureStarted>(database, time)
{
    protected override string Source => "procedure-record";

    protected override (Guid, DateTimeOffset, string) Describe(ProcedureStarted m) => (m.ReferralId, m.OccurredAt, $"time-out confirmed {string.Join(", ", m.ConfirmedLevels)}");

    protected override BoardEntryState Project(ProcedureStarted message, BoardEntryState entry) => entry with
    {
        Stage = (long)BoardRules.Advance(entry.BoardStage, BoardStage.InRoom),
        ProcedureStartedMs = entry.ProcedureStartedMs ?? message.OccurredAt.ToUnixTimeMilliseconds(),
    };
}

public sealed class ProcedureCompletedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<ProcedureCompleted>(database, time)
{
    protected override string Source => "procedure-record";

    protected override ReferralStatus? ImpliedStatus => ReferralStatus.ProcedureDone;

    private double? _leadTimeDays;

    protected override (Guid, DateTimeOffset, string) Describe(ProcedureCompleted m) =>
        (m.ReferralId, m.EndedAt, $"treated {string.Join(", ", m.TreatedLevels)}; {m.ComplicationCount} complication(s)");

    protected override BoardEntryState Project(ProcedureCompleted message, BoardEntryState entry) => entry with
    {
        Stage = (long)BoardRules.Advance(entry.BoardStage, BoardStage.InRoom),
        Levels = message.TreatedLevels.Count > 0 ? SchedulingRepository.ToJson(message.TreatedLevels) : entry.Levels,
        ProcedureEndedMs = message.EndedAt.ToUnixTimeMilliseconds(),
        ProcedureOutcome = BoardRules.Completed,
        SkinDoseFollowUp = message.SkinDoseFollowUp ? 1 : entry.SkinDoseFollowUp,
    };

    protected override async Task HandleAsync(ProcedureCompleted message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await base.HandleAsync(message, connection, transaction, cancellationToken);
        // Scheduling is where the referral's submission time lives: the lead-time KPI is measured here.
        _leadTimeDays = await SchedulingRepository.FindReferralAsync(connection, transaction, message.ReferralId) is { } referral
            ? Math.Max(0, (message.EndedAt - referral.SubmittedAt).TotalDays)
            : null;
    }

    protected override void OnApplied(ProcedureCompleted message)
    {
        if (_leadTimeDays is { } days)
        {
            ClinicalMetrics.ReferralToProcedure.Record(days, ClinicalMetrics.Tag("indication", message.Indication));
        }
    }
}

public sealed class ProcedureDiscontinuedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<ProcedureDiscontinued>(database, time)
{
    protected override string Source => "procedure-record";

    protected override (Guid, DateTimeOffset, string) Describe(ProcedureDiscontinued m) => (m.ReferralId, m.OccurredAt, $"discontinued: {m.Reason}");

    protected override BoardEntryState Project(ProcedureDiscontinued message, BoardEntryState entry) => entry with
    {
        Stage = (long)BoardRules.Advance(entry.BoardStage, BoardStage.InRoom),
        ProcedureEndedMs = message.OccurredAt.ToUnixTimeMilliseconds(),
        ProcedureOutcome = BoardRules.Discontinued,
    };
}

public sealed class ObservationStartedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<ObservationStarted>(database, time)
{
    protected override string Source => "discharge";

    protected override (Guid, DateTimeOffset, string) Describe(ObservationStarted m) => (m.ReferralId, m.StartedAt, $"minimum until {m.MinimumUntil:HH:mm} UTC");

    protected override BoardEntryState Project(ObservationStarted message, BoardEntryState entry) => entry with
    {
        Stage = (long)BoardRules.Advance(entry.BoardStage, BoardStage.InObservation),
        ObservationStartedMs = message.StartedAt.ToUnixTimeMilliseconds(),
        MinimumUntilMs = message.MinimumUntil.ToUnixTimeMilliseconds(),
        // A round reported before this event already set the next check.
        NextCheckDueMs = entry.LastCheckMs is null ? message.FirstCheckDue?.ToUnixTimeMilliseconds() ?? entry.NextCheckDueMs : entry.NextCheckDueMs,
    };
}

public sealed class ObservationMinimumElapsedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<ObservationMinimumElapsed>(database, time)
{
    protected override string Source => "discharge";

    protected override (Guid, DateTimeOffset, string) Describe(ObservationMinimumElapsed m) => (m.ReferralId, m.OccurredAt, "minimum observation elapsed");

    protected override BoardEntryState Project(ObservationMinimumElapsed message, BoardEntryState entry) => entry with
    {
        Stage = (long)BoardRules.Advance(entry.BoardStage, BoardStage.ReadyForDischarge),
        MinimumElapsed = 1,
    };
}

/// <summary>Board: where the check schedule stands after an observation round (next check due, latest scores).</summary>
public sealed class ObservationRoundRecordedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<ObservationRoundRecorded>(database, time)
{
    protected override string Source => "discharge";

    protected override string EntryId(ObservationRoundRecorded message, Guid referralId) => $"{nameof(ObservationRoundRecorded)}:{referralId}:{message.RoundCount}";

    protected override (Guid, DateTimeOffset, string) Describe(ObservationRoundRecorded m) =>
        (m.ReferralId, m.TakenAt, m.NextCheckDue is { } next ? $"round {m.RoundCount}; next check {next.UtcDateTime:HH:mm} UTC" : $"round {m.RoundCount}");

    protected override BoardEntryState Project(ObservationRoundRecorded message, BoardEntryState entry)
    {
        var taken = message.TakenAt.ToUnixTimeMilliseconds();
        if (entry.LastCheckMs is { } last && last > taken)
        {
            // A later round was applied already: keep its schedule, count this one.
            return entry with { CheckCount = Math.Max(entry.CheckCount, message.RoundCount) };
        }

        return entry with
        {
            Stage = (long)BoardRules.Advance(entry.BoardStage, BoardStage.InObservation),
            LastCheckMs = taken,
            CheckCount = Math.Max(entry.CheckCount, message.RoundCount),
            NextCheckDueMs = message.NextCheckDue?.ToUnixTimeMilliseconds(),
            Aldrete = message.Aldrete ?? entry.Aldrete,
            Padss = message.Padss ?? entry.Padss,
        };
    }
}

/// <summary>Board and timeline: an escalation was reviewed and closed.</summary>
public sealed class EscalationResolvedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<EscalationResolved>(database, time)
{
    protected override string Source => "discharge";

    protected override string EntryId(EscalationResolved message, Guid referralId) =>
        $"{nameof(EscalationResolved)}:{referralId}:{message.OccurredAt.ToUnixTimeMilliseconds()}";

    protected override (Guid, DateTimeOffset, string) Describe(EscalationResolved m) => (m.ReferralId, m.OccurredAt, $"escalation resolved: {m.Outcome}");

    // An escalation raised after this resolution stays open.
    protected override BoardEntryState Project(EscalationResolved message, BoardEntryState entry) =>
        entry.EscalationRaisedMs is { } raised && raised > message.OccurredAt.ToUnixTimeMilliseconds() ? entry : entry with { EscalationOpen = 0 };
}
