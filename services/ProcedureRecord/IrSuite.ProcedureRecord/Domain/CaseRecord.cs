using IrSuite.Contracts.Procedure;

namespace IrSuite.ProcedureRecord.Domain;

/// <summary>
/// One vertebroplasty case in the IR room, keyed by its referral. Every state transition and clinical gate
/// lives here; commands throw <see cref="ClinicalGateException"/> and change nothing when a gate refuses,
/// and return the event to publish (through the outbox) when there is one. Pure: no I/O, time is passed in.
/// </summary>
public sealed class CaseRecord
{
    private readonly List<TreatedLevel> _treatments;
    private readonly List<RecordedComplication> _complications;

    private CaseRecord(Guid referralId, Guid patientId, IReadOnlyList<string> scheduledLevels, string room, DateTimeOffset scheduledStart, DateTimeOffset scheduleUpdatedAt)
    {
        ReferralId = referralId;
        PatientId = patientId;
        ScheduledLevels = scheduledLevels;
        Room = room;
        ScheduledStart = scheduledStart;
        ScheduleUpdatedAt = scheduleUpdatedAt;
        _treatments = [];
        _complications = [];
    }

    public Guid ReferralId { get; }

    /// <summary>Pseudonymous patient id.</summary>
    public Guid PatientId { get; }

    public CaseState State { get; private set; } = CaseState.Scheduled;

    /// <summary>Levels requested and booked, in anatomical order.</summary>
    public IReadOnlyList<string> ScheduledLevels { get; private set; }

    /// <summary>Levels the team confirmed at the time-out (equal to the scheduled ones).</summary>
    public IReadOnlyList<string> ConfirmedLevels { get; private set; } = [];

    public IReadOnlyList<TreatedLevel> Treatments => _treatments;

    public RadiationDose? Dose { get; private set; }

    public IReadOnlyList<RecordedComplication> Complications => _complications;

    public string Room { get; private set; }

    public DateTimeOffset ScheduledStart { get; private set; }

    /// <summary>When the last applied scheduling event occurred (orders booking and cancellation events).</summary>
    public DateTimeOffset ScheduleUpdatedAt { get; private set; }

    /// <summary>The operating radiologist named at the (last) time-out.</summary>
    public string? OperatorId { get; private set; }

    public DateTimeOffset? SignedInAt { get; private set; }

    public DateTimeOffset? TimedOutAt { get; private set; }

    public DateTimeOffset? SignedOutAt { get; private set; }

    /// <summary>Completion or discontinuation time; the observation clock starts here.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    public DateTimeOffset? CancelledAt { get; private set; }

    /// <summary>Short non-identifying reason code of a discontinuation.</summary>
    public string? DiscontinueReason { get; private set; }

    /// <summary>The stored version this state was read at (optimistic concurrency); 0 before the first save.</summary>
    public long Version { get; private set; }

    /// <summary>Signed out, completed, discontinued or cancelled: no further clinical entries.</summary>
    public bool IsClosed => State is CaseState.SignedOut or CaseState.Completed or CaseState.Discontinued or CaseState.Cancelled;

    /// <summary>Confirmed levels not yet treated, in anatomical order.</summary>
    public IReadOnlyList<string> UntreatedLevels => ConfirmedLevels.Where(l => _treatments.All(t => t.Level != l)).ToList();

    /// <summary>A new case from a booking (levels as given by <see cref="LevelSet.Normalize"/>).</summary>
    public static CaseRecord Schedule(Guid referralId, Guid patientId, IReadOnlyList<string> levels, string room, DateTimeOffset start, DateTimeOffset occurredAt) =>
        new(referralId, patientId, levels, room, start, occurredAt);

    /// <summary>Rebuilds a stored case; no rule is checked (the store only holds states the rules produced).</summary>
    public static CaseRecord Restore(StoredCase stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var record = new CaseRecord(stored.ReferralId, stored.PatientId, stored.ScheduledLevels, stored.Room, stored.ScheduledStart, stored.ScheduleUpdatedAt)
        {
            State = stored.State,
            ConfirmedLevels = stored.ConfirmedLevels,
            Dose = stored.Dose,
            OperatorId = stored.OperatorId,
            SignedInAt = stored.SignedInAt,
            TimedOutAt = stored.TimedOutAt,
            SignedOutAt = stored.SignedOutAt,
            EndedAt = stored.EndedAt,
            CancelledAt = stored.CancelledAt,
            DiscontinueReason = stored.DiscontinueReason,
            Version = stored.Version,
        };
        record._treatments.AddRange(stored.Treatments);
        record._complications.AddRange(stored.Complications);
        return record;
    }

    /// <summary>
    /// A new booking event for this referral: before sign-in it moves the slot (room, start, levels); a cancelled
    /// booking reopens; once the case has started the booking no longer changes it. Older events are ignored.
    /// </summary>
    public ScheduleOutcome ApplySchedule(Guid patientId, IReadOnlyList<string> levels, string room, DateTimeOffset start, DateTimeOffset occurredAt)
    {
        if (patientId != PatientId)
        {
            return ScheduleOutcome.PatientMismatch;
        }

        if (occurredAt < ScheduleUpdatedAt)
        {
            return ScheduleOutcome.Stale;
        }

        if (State is not (CaseState.Scheduled or CaseState.Cancelled))
        {
            return ScheduleOutcome.AlreadyStarted;
        }

        var reopened = State == CaseState.Cancelled;
        var unchanged = !reopened && Room == room && ScheduledStart == start && ScheduledLevels.SequenceEqual(levels, StringComparer.Ordinal);
        ScheduleUpdatedAt = occurredAt;
        if (unchanged)
        {
            return ScheduleOutcome.Unchanged;
        }

        State = CaseState.Scheduled;
        CancelledAt = null;
        ScheduledLevels = levels;
        Room = room;
        ScheduledStart = start;
        return reopened ? ScheduleOutcome.Reopened : ScheduleOutcome.Updated;
    }

    /// <summary>The booking was cancelled: a case not yet signed in leaves the worklist; a started case is left alone.</summary>
    public CancelOutcome Cancel(DateTimeOffset occurredAt)
    {
        if (occurredAt < ScheduleUpdatedAt)
        {
            return CancelOutcome.Stale;
        }

        switch (State)
        {
            case CaseState.Cancelled:
                return CancelOutcome.AlreadyCancelled;
            case CaseState.Scheduled:
                State = CaseState.Cancelled;
                CancelledAt = occurredAt;
                ScheduleUpdatedAt = occurredAt;
                return CancelOutcome.Cancelled;
            default:
                return CancelOutcome.AlreadyStarted;
        }
    }

    /// <summary>WHO sign-in, before sedation: a scheduled case, every item confirmed.</summary>
    public void SignIn(SignInChecklist checklist, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(checklist);
        if (State != CaseState.Scheduled)
        {
            throw new ClinicalGateException(GateRules.SignInNotAllowed, $"Sign-in needs a scheduled case; this case is {Describe(State)}.");
        }

        var missing = checklist.Missing();
        if (missing.Count > 0)
        {
            throw new ClinicalGateException(GateRules.SignInIncomplete, $"Sign-in items not confirmed: {string.Join(", ", missing)}.");
        }

        State = CaseState.SignedIn;
        SignedInAt = now;
    }

    /// <summary>
    /// WHO time-out, before the trocar: the team confirms the levels, which must be exactly the scheduled ones
    /// (wrong-level prevention). A second time-out while timed out (the operator changed, Universal Protocol)
    /// re-confirms the levels and records the new operator; only the first one starts the procedure.
    /// </summary>
    public ProcedureStarted? TimeOut(IReadOnlyList<string> confirmedLevels, string operatorId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(confirmedLevels);
        if (IsClosed)
        {
            throw Closed();
        }

        if (State == CaseState.Scheduled)
        {
            throw new ClinicalGateException(GateRules.SignInRequired, "The time-out needs the sign-in first.");
        }

        if (!LevelSet.SameSet(confirmedLevels, ScheduledLevels))
        {
            var missing = ScheduledLevels.Except(confirmedLevels, StringComparer.Ordinal).ToList();
            var unexpected = confirmedLevels.Except(ScheduledLevels, StringComparer.Ordinal).ToList();
            throw new ClinicalGateException(
                GateRules.LevelsMismatch,
                $"Confirmed levels must equal the scheduled levels ({string.Join(", ", ScheduledLevels)}); "
                + $"missing: {List(missing)}; not scheduled: {List(unexpected)}.");
        }

        var first = State == CaseState.SignedIn;
        State = CaseState.TimedOut;
        ConfirmedLevels = LevelSet.Normalize(confirmedLevels, out _);
        OperatorId = operatorId;
        TimedOutAt = now;
        return first ? new ProcedureStarted(ReferralId, PatientId, ConfirmedLevels, now) : null;
    }

    /// <summary>Trocar and cement at one level: after the time-out, at a confirmed level, once per level.</summary>
    public void RecordTreatment(TreatedLevel treatment)
    {
        ArgumentNullException.ThrowIfNull(treatment);
        RequireTimedOut("Trocar placement and cement injection");
        if (!ConfirmedLevels.Contains(treatment.Level, StringComparer.Ordinal))
        {
            throw new ClinicalGateException(
                GateRules.LevelNotConfirmed, $"Level {treatment.Level} was not confirmed at the time-out (confirmed: {string.Join(", ", ConfirmedLevels)}).");
        }

        if (_treatments.Any(t => t.Level == treatment.Level))
        {
            throw new ClinicalGateException(GateRules.LevelAlreadyTreated, $"Level {treatment.Level} is already recorded as treated.");
        }

        _treatments.Add(treatment);
    }

    /// <summary>The radiation dose: from the time-out until completion; recording it again replaces it.</summary>
    public void RecordDose(RadiationDose dose)
    {
        ArgumentNullException.ThrowIfNull(dose);
        if (State is CaseState.Completed or CaseState.Discontinued or CaseState.Cancelled)
        {
            throw Closed();
        }

        if (State is CaseState.Scheduled or CaseState.SignedIn)
        {
            throw new ClinicalGateException(GateRules.TimeOutRequired, "The dose is recorded after the time-out.");
        }

        Dose = dose;
    }

    /// <summary>WHO sign-out, before the patient leaves: every confirmed level treated, dose recorded, items confirmed.</summary>
    public void SignOut(SignOutChecklist checklist, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(checklist);
        RequireTimedOut("The sign-out");
        var untreated = UntreatedLevels;
        if (untreated.Count > 0)
        {
            throw new ClinicalGateException(GateRules.LevelsNotAllTreated, $"Confirmed levels not treated: {string.Join(", ", untreated)}.");
        }

        if (Dose is null)
        {
            throw new ClinicalGateException(GateRules.DoseRequired, "The radiation dose must be recorded before the sign-out.");
        }

        var missing = checklist.Missing();
        if (missing.Count > 0)
        {
            throw new ClinicalGateException(GateRules.SignOutIncomplete, $"Sign-out items not confirmed: {string.Join(", ", missing)}.");
        }

        State = CaseState.SignedOut;
        SignedOutAt = now;
    }

    /// <summary>Completes a signed-out case (no case closed without sign-out, WHO); the observation starts from <paramref name="now"/>.</summary>
    public ProcedureCompleted Complete(IReadOnlyList<RecordedComplication> complications, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(complications);
        if (State is CaseState.Completed or CaseState.Discontinued or CaseState.Cancelled)
        {
            throw Closed();
        }

        if (State != CaseState.SignedOut)
        {
            throw new ClinicalGateException(GateRules.SignOutRequired, $"A case is completed after the sign-out; this case is {Describe(State)}.");
        }

        State = CaseState.Completed;
        EndedAt = now;
        _complications.AddRange(complications);
        return new ProcedureCompleted(
            ReferralId,
            PatientId,
            LevelSet.Normalize(_treatments.Select(t => t.Level), out _),
            _complications.Count,
            _complications.Count == 0 ? 0 : _complications.Max(c => c.CirseGrade),
            now,
            now);
    }

    /// <summary>Stops a started case (signed in, timed out or signed out) before completion.</summary>
    public ProcedureDiscontinued Discontinue(string reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (State is CaseState.Completed or CaseState.Discontinued or CaseState.Cancelled)
        {
            throw Closed();
        }

        if (State == CaseState.Scheduled)
        {
            throw new ClinicalGateException(
                GateRules.DiscontinueNotAllowed, "Only a signed-in case can be discontinued; a booking not yet started is cancelled in scheduling.");
        }

        State = CaseState.Discontinued;
        EndedAt = now;
        DiscontinueReason = reason;
        return new ProcedureDiscontinued(ReferralId, PatientId, reason, now);
    }

    /// <summary>Called by the store once this state is saved as <paramref name="version"/>.</summary>
    public void MarkSaved(long version) => Version = version;

    private void RequireTimedOut(string what)
    {
        if (IsClosed)
        {
            throw Closed();
        }

        if (State != CaseState.TimedOut)
        {
            throw new ClinicalGateException(GateRules.TimeOutRequired, $"{what} needs the time-out first; this case is {Describe(State)}.");
        }
    }

    private ClinicalGateException Closed() =>
        new(GateRules.CaseClosed, $"The case is {Describe(State)}: no further entries.");

    private static string List(IReadOnlyList<string> levels) => levels.Count == 0 ? "none" : string.Join(", ", levels);

    private static string Describe(CaseState state) => state switch
    {
        CaseState.Scheduled => "scheduled",
        CaseState.SignedIn => "signed in",
        CaseState.TimedOut => "timed out",
        CaseState.SignedOut => "signed out",
        CaseState.Completed => "completed",
        CaseState.Discontinued => "discontinued",
        _ => "cancelled",
    };
}

/// <summary>A case as stored, for <see cref="CaseRecord.Restore"/>.</summary>
public sealed record StoredCase(
    Guid ReferralId,
    Guid PatientId,
    CaseState State,
    IReadOnlyList<string> ScheduledLevels,
    IReadOnlyList<string> ConfirmedLevels,
    IReadOnlyList<TreatedLevel> Treatments,
    RadiationDose? Dose,
    IReadOnlyList<RecordedComplication> Complications,
    string Room,
    DateTimeOffset ScheduledStart,
    DateTimeOffset ScheduleUpdatedAt,
    string? OperatorId,
    DateTimeOffset? SignedInAt,
    DateTimeOffset? TimedOutAt,
    DateTimeOffset? SignedOutAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset? CancelledAt,
    string? DiscontinueReason,
    long Version);
