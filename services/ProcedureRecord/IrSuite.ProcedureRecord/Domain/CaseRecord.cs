using IrSuite.Contracts;
using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Procedure;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.ProcedureRecord.Domain;

/// <summary>
/// One vertebroplasty case in the IR room, keyed by its referral. Every state transition and clinical gate
/// lives here; commands throw <see cref="ClinicalGateException"/> and change nothing when a gate refuses,
/// and return the event to publish (through the outbox) when there is one. Pure: no I/O, time is passed in.
/// </summary>
public sealed class CaseRecord
{
    /// <summary>The Source of the escalations this service raises.</summary>
    public const string ProcedureRecordSource = "procedure-record";

    private readonly List<TreatedLevel> _treatments;
    private readonly List<RecordedComplication> _complications;
    private readonly List<TimeOutEntry> _timeOuts = [];
    private readonly List<AbandonedLevel> _abandoned = [];
    private readonly List<CaseEscalation> _escalations = [];
    private readonly List<object> _raised = [];

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

    /// <summary>Who signed the sign-out: the subject of the signer's token.</summary>
    public string? SignedOutBy { get; private set; }

    /// <summary>Completion or discontinuation time; the observation clock starts here.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    public DateTimeOffset? CancelledAt { get; private set; }

    /// <summary>Short non-identifying reason code of a discontinuation.</summary>
    public string? DiscontinueReason { get; private set; }

    /// <summary>What the booking carried (consent, sedation, admission, allergy classes, indication...).</summary>
    public BookingDetails Booking { get; private set; } = BookingDetails.None;

    /// <summary>The site protocol AppliedVersion the last command was checked against (set on every change).</summary>
    public string ProtocolVersion { get; private set; } = "";

    /// <summary>Latest pre-anaesthetic visit received from anesthesia-consultation.</summary>
    public DateTimeOffset? PreAnestheticVisitAt { get; private set; }

    /// <summary>Intakes declared at sign-in.</summary>
    public FastingReport Fasting { get; private set; } = FastingReport.NothingSince;

    /// <summary>Every time-out, in order.</summary>
    public IReadOnlyList<TimeOutEntry> TimeOuts => _timeOuts;

    /// <summary>Confirmed levels deliberately not treated.</summary>
    public IReadOnlyList<AbandonedLevel> AbandonedLevels => _abandoned;

    /// <summary>Escalations raised on the case.</summary>
    public IReadOnlyList<CaseEscalation> Escalations => _escalations;

    public bool HasOpenEscalation => _escalations.Any(e => e.Open);

    /// <summary>The skin follow-up task, when the dose required one.</summary>
    public SkinFollowUpTask? SkinFollowUp { get; private set; }

    /// <summary>Dose alert codes (<see cref="DoseAlerts"/>).</summary>
    public IReadOnlyList<string> DoseAlertCodes { get; private set; } = [];

    /// <summary>Anything but local anaesthesia alone (an unknown mode included): pre-anaesthetic visit and fasting apply.</summary>
    public bool NeedsAnesthesiaRules => Booking.SedationMode != SedationCodes.Local;

    /// <summary>The stored version this state was read at (optimistic concurrency); 0 before the first save.</summary>
    public long Version { get; private set; }

    /// <summary>Signed out, completed, discontinued or cancelled: no further clinical entries.</summary>
    public bool IsClosed => State is CaseState.SignedOut or CaseState.Completed or CaseState.Discontinued or CaseState.Cancelled;

    /// <summary>Confirmed levels not yet treated, in anatomical order.</summary>
    public IReadOnlyList<string> UntreatedLevels =>
        ConfirmedLevels.Where(l => _treatments.All(t => t.Level != l) && _abandoned.All(a => a.Level != l)).ToList();

    /// <summary>A new case from a booking (levels as given by <see cref="LevelSet.Normalize"/>).</summary>
    public static CaseRecord Schedule(
        Guid referralId, Guid patientId, IReadOnlyList<string> levels, string room, DateTimeOffset start, DateTimeOffset occurredAt, BookingDetails? booking = null) =>
        new(referralId, patientId, levels, room, start, occurredAt) { Booking = booking ?? BookingDetails.None };

    /// <summary>The pre-anaesthetic visit (CSP D6124-92); a later visit replaces an earlier one, an older one is ignored.</summary>
    public bool RecordPreAnestheticVisit(DateTimeOffset visitedAt)
    {
        if (PreAnestheticVisitAt is { } known && known >= visitedAt)
        {
            return false;
        }

        PreAnestheticVisitAt = visitedAt;
        return true;
    }

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
            Booking = stored.Booking,
            ProtocolVersion = stored.ProtocolVersion,
            SignedOutBy = stored.SignedOutBy,
            PreAnestheticVisitAt = stored.PreAnestheticVisitAt,
            Fasting = stored.Fasting,
            SkinFollowUp = stored.SkinFollowUp,
            DoseAlertCodes = stored.DoseAlerts,
        };
        record._treatments.AddRange(stored.Treatments);
        record._complications.AddRange(stored.Complications);
        record._timeOuts.AddRange(stored.TimeOuts);
        record._abandoned.AddRange(stored.AbandonedLevels);
        record._escalations.AddRange(stored.Escalations);
        return record;
    }

    /// <summary>
    /// A new booking event for this referral: before sign-in it moves the slot (room, start, levels); a cancelled
    /// booking reopens; once the case has started the booking no longer changes it. Older events are ignored.
    /// </summary>
    public ScheduleOutcome ApplySchedule(
        Guid patientId, IReadOnlyList<string> levels, string room, DateTimeOffset start, DateTimeOffset occurredAt, BookingDetails? booking = null)
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
        var newBooking = booking ?? Booking;
        var unchanged = !reopened && Room == room && ScheduledStart == start && ScheduledLevels.SequenceEqual(levels, StringComparer.Ordinal)
            && SameBooking(newBooking, Booking);
        ScheduleUpdatedAt = occurredAt;
        Booking = newBooking;
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

    /// <summary>
    /// WHO sign-in, before sedation: a scheduled case, every item confirmed (one violation per item), the consented
    /// levels equal to the scheduled ones, and, unless the case is under local anaesthesia only, a pre-anaesthetic visit
    /// within the site window and fasting respected. Every refused rule is reported at once.
    /// </summary>
    public void SignIn(SignInChecklist checklist, FastingReport fasting, SiteProtocol protocol, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(checklist);
        ArgumentNullException.ThrowIfNull(fasting);
        ArgumentNullException.ThrowIfNull(protocol);
        if (State != CaseState.Scheduled)
        {
            throw new ClinicalGateException(GateRules.SignInNotAllowed, $"Sign-in needs a scheduled case; this case is {Describe(State)}.");
        }

        var violations = new List<GateViolation>();
        violations.AddRange(checklist.Missing().Select(item => new GateViolation(GateRules.SignInIncomplete, item, $"Sign-in item {item} not confirmed.")));
        if (Booking.ConsentedLevels.Count == 0)
        {
            violations.Add(new GateViolation(GateRules.ConsentRequired, GateRules.ConsentRequired, "The booking carries no consented levels."));
        }
        else if (!LevelSet.SameSet(Booking.ConsentedLevels, ScheduledLevels))
        {
            violations.Add(new GateViolation(
                GateRules.ConsentLevelsMismatch,
                GateRules.ConsentLevelsMismatch,
                $"Consented levels ({List(Booking.ConsentedLevels)}) must equal the scheduled levels ({List(ScheduledLevels)})."));
        }

        if (NeedsAnesthesiaRules)
        {
            violations.AddRange(AnesthesiaGates(fasting, protocol, now));
        }

        if (violations.Count > 0)
        {
            throw new ClinicalGateException(violations);
        }

        State = CaseState.SignedIn;
        SignedInAt = now;
        Fasting = fasting;
    }

    /// <summary>
    /// WHO time-out, before the trocar: every item confirmed, the levels exactly the scheduled (= consented) ones
    /// (wrong-level prevention), and at the first time-out the antibiotic prophylaxis given within the site window before
    /// it and compatible with the allergy classes. A repeated time-out (the operator changed, Universal Protocol) checks
    /// the items and levels again, records the new operator, and keeps the first antibiotic record.
    /// </summary>
    public ProcedureStarted? TimeOut(
        IReadOnlyList<string> confirmedLevels,
        string operatorId,
        TimeOutChecklist checklist,
        AntibioticDose? antibiotic,
        string? equipmentId,
        SiteProtocol protocol,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(confirmedLevels);
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        ArgumentNullException.ThrowIfNull(checklist);
        ArgumentNullException.ThrowIfNull(protocol);
        if (State is CaseState.Scheduled)
        {
            throw new ClinicalGateException(GateRules.SignInRequired, "The time-out follows the sign-in; this case is scheduled.");
        }

        if (State is not (CaseState.SignedIn or CaseState.TimedOut))
        {
            throw Closed();
        }

        var first = State == CaseState.SignedIn;
        var violations = new List<GateViolation>();
        violations.AddRange(checklist.Missing().Select(item => new GateViolation(GateRules.TimeOutIncomplete, item, $"Time-out item {item} not confirmed.")));
        var consented = Booking.ConsentedLevels.Count == 0 ? ScheduledLevels : Booking.ConsentedLevels;
        if (!LevelSet.SameSet(confirmedLevels, ScheduledLevels) || !LevelSet.SameSet(confirmedLevels, consented))
        {
            var missing = ScheduledLevels.Except(confirmedLevels, StringComparer.Ordinal).ToList();
            var unexpected = confirmedLevels.Except(ScheduledLevels, StringComparer.Ordinal).ToList();
            violations.Add(new GateViolation(
                GateRules.LevelsMismatch,
                GateRules.LevelsMismatch,
                $"Confirmed levels must equal the scheduled levels ({string.Join(", ", ScheduledLevels)}) and the consented levels ({List(consented)}); "
                + $"missing: {List(missing)}; not scheduled: {List(unexpected)}."));
        }

        if (first)
        {
            violations.AddRange(AntibioticGates(antibiotic, protocol, now));
        }

        if (violations.Count > 0)
        {
            throw new ClinicalGateException(violations);
        }

        var previous = _timeOuts.LastOrDefault();
        var entry = new TimeOutEntry(
            operatorId,
            LevelSet.Normalize(confirmedLevels, out _),
            now,
            first ? antibiotic?.Drug : previous?.AntibioticDrug,
            first ? antibiotic?.GivenAt : previous?.AntibioticGivenAt,
            string.IsNullOrWhiteSpace(equipmentId) ? previous?.EquipmentId : equipmentId);
        _timeOuts.Add(entry);
        State = CaseState.TimedOut;
        ConfirmedLevels = entry.ConfirmedLevels;
        OperatorId = operatorId;
        TimedOutAt = now;
        if (!first)
        {
            return null;
        }

        var started = new ProcedureStarted(ReferralId, PatientId, ConfirmedLevels, now);
        _raised.Add(started);
        return started;
    }

    /// <summary>
    /// Trocar and cement at one level: after the time-out, by the operator of the last time-out, at a confirmed level not
    /// yet treated or abandoned, with a cement lot not expired on the site-local procedure date. A symptomatic leak opens
    /// an escalation and raises <see cref="EscalationRaised"/>.
    /// </summary>
    public void RecordTreatment(TreatedLevel treatment, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(treatment);
        ArgumentNullException.ThrowIfNull(protocol);
        RequireTimedOut("Trocar placement and cement injection");
        if (!string.Equals(treatment.OperatorId, OperatorId, StringComparison.Ordinal))
        {
            throw new ClinicalGateException(
                GateRules.OperatorChangedTimeOutRequired, "The operator differs from the operator of the last time-out: a new time-out by this operator is required.");
        }

        if (!ConfirmedLevels.Contains(treatment.Level, StringComparer.Ordinal))
        {
            throw new ClinicalGateException(
                GateRules.LevelNotConfirmed, $"Level {treatment.Level} was not confirmed at the time-out (confirmed: {string.Join(", ", ConfirmedLevels)}).");
        }

        if (_treatments.Any(t => t.Level == treatment.Level))
        {
            throw new ClinicalGateException(GateRules.LevelAlreadyTreated, $"Level {treatment.Level} is already recorded as treated.");
        }

        if (_abandoned.Any(a => a.Level == treatment.Level))
        {
            throw new ClinicalGateException(GateRules.LevelAbandoned, $"Level {treatment.Level} is recorded as abandoned.");
        }

        var procedureDate = LocalDate(protocol, treatment.RecordedAt);
        if (treatment.CementExpiry is not { } expiry || expiry < procedureDate)
        {
            throw new ClinicalGateException(
                GateRules.CementLotExpired, $"The cement lot for level {treatment.Level} is expired on the procedure date {procedureDate:yyyy-MM-dd} (EU MDR 2017/745 art. 27(9)).");
        }

        _treatments.Add(treatment);
        if (treatment.RequiresEscalation)
        {
            Escalate(EscalationCodes.SymptomaticCementLeak, treatment.Level, treatment.RecordedAt);
        }
    }

    /// <summary>A confirmed level deliberately not treated, with a reason code: after the time-out, before completion.</summary>
    public void AbandonLevel(string level, string reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(level);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        if (State is CaseState.Completed or CaseState.Discontinued or CaseState.Cancelled)
        {
            throw Closed();
        }

        if (State is not (CaseState.TimedOut or CaseState.SignedOut))
        {
            throw new ClinicalGateException(GateRules.TimeOutRequired, $"A level is abandoned after the time-out; this case is {Describe(State)}.");
        }

        if (!ConfirmedLevels.Contains(level, StringComparer.Ordinal))
        {
            throw new ClinicalGateException(GateRules.LevelNotConfirmed, $"Level {level} was not confirmed at the time-out (confirmed: {string.Join(", ", ConfirmedLevels)}).");
        }

        if (_treatments.Any(t => t.Level == level))
        {
            throw new ClinicalGateException(GateRules.LevelAlreadyTreated, $"Level {level} is already recorded as treated.");
        }

        if (_abandoned.Any(a => a.Level == level))
        {
            throw new ClinicalGateException(GateRules.LevelAbandoned, $"Level {level} is already recorded as abandoned.");
        }

        _abandoned.Add(new AbandonedLevel(level, reason, now));
    }

    /// <summary>
    /// The radiation dose: from the time-out until completion; recording it again replaces it. Ka,r above the site level
    /// creates the skin follow-up task (once) and raises <see cref="SkinDoseFollowUpRequired"/>; DAP and fluoroscopy time
    /// above their alert levels are listed as alert codes.
    /// </summary>
    public void RecordDose(RadiationDose dose, SiteProtocol protocol, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(dose);
        ArgumentNullException.ThrowIfNull(protocol);
        if (State is CaseState.Completed or CaseState.Discontinued or CaseState.Cancelled)
        {
            throw Closed();
        }

        if (State is CaseState.Scheduled or CaseState.SignedIn)
        {
            throw new ClinicalGateException(GateRules.TimeOutRequired, "The dose is recorded after the time-out.");
        }

        Dose = dose;
        DoseAlertCodes = DoseAlertsFor(dose, protocol);
        if (dose.ReferenceAirKermaMgy > protocol.Dose.SkinFollowUpAirKermaMgy.Value && SkinFollowUp is null)
        {
            SkinFollowUp = new SkinFollowUpTask(now.AddDays(protocol.Dose.SkinFollowUpWithinDays.Value), dose.ReferenceAirKermaMgy, now);
            _raised.Add(new SkinDoseFollowUpRequired(ReferralId, PatientId, dose.ReferenceAirKermaMgy, SkinFollowUp.DueBy, now));
        }
    }

    /// <summary>The dose alert codes for a dose under the site's alert levels.</summary>
    public static IReadOnlyList<string> DoseAlertsFor(RadiationDose dose, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(dose);
        ArgumentNullException.ThrowIfNull(protocol);
        var alerts = new List<string>();
        if (dose.DoseAreaProductGyCm2 > protocol.Dose.DoseAreaProductAlertGyCm2.Value)
        {
            alerts.Add(DoseAlerts.DoseAreaProduct);
        }

        if (dose.FluoroscopySeconds > protocol.Dose.FluoroscopyAlertMinutes.Value * 60)
        {
            alerts.Add(DoseAlerts.FluoroscopyTime);
        }

        if (dose.ReferenceAirKermaMgy > protocol.Dose.SkinFollowUpAirKermaMgy.Value)
        {
            alerts.Add(DoseAlerts.SkinDoseFollowUp);
        }

        return alerts;
    }

    /// <summary>
    /// WHO sign-out, before the patient leaves: after the time-out, every item confirmed (one violation per item), and the
    /// team confirms exactly the treated levels (treated = reported).
    /// </summary>
    public void SignOut(SignOutChecklist checklist, IReadOnlyList<string> treatedLevels, string signedBy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(checklist);
        ArgumentNullException.ThrowIfNull(treatedLevels);
        RequireTimedOut("The sign-out");
        var violations = new List<GateViolation>();
        violations.AddRange(checklist.Missing().Select(item => new GateViolation(GateRules.SignOutIncomplete, item, $"Sign-out item {item} not confirmed.")));
        var treated = _treatments.Select(t => t.Level).ToList();
        if (!LevelSet.SameSet(treatedLevels, treated))
        {
            violations.Add(new GateViolation(
                GateRules.SignOutLevelsMismatch,
                GateRules.SignOutLevelsMismatch,
                $"The sign-out must confirm exactly the treated levels ({List(LevelSet.Normalize(treated, out _))}); it named {List(treatedLevels)}."));
        }

        if (violations.Count > 0)
        {
            throw new ClinicalGateException(violations);
        }

        State = CaseState.SignedOut;
        SignedOutAt = now;
        SignedOutBy = signedBy;
    }

    /// <summary>
    /// Completes a signed-out case (no case closed without sign-out, WHO): every confirmed level treated or abandoned, the
    /// dose recorded. A new neurological deficit opens an escalation. The observation starts from <paramref name="now"/>.
    /// </summary>
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

        var violations = new List<GateViolation>();
        violations.AddRange(UntreatedLevels.Select(level => new GateViolation(
            GateRules.LevelsNotAllTreated, level, $"Confirmed level {level} is neither treated nor abandoned with a reason.")));
        if (Dose is null)
        {
            violations.Add(new GateViolation(GateRules.DoseRequired, GateRules.DoseRequired, "The radiation dose must be recorded before the case closes."));
        }

        if (violations.Count > 0)
        {
            throw new ClinicalGateException(violations);
        }

        State = CaseState.Completed;
        EndedAt = now;
        _complications.AddRange(complications);
        if (complications.Any(c => c.Code == ComplicationCodes.NewNeurologicalDeficit))
        {
            Escalate(EscalationCodes.NewNeurologicalDeficit, "", now);
        }

        var completed = new ProcedureCompleted(
            ReferralId,
            PatientId,
            LevelSet.Normalize(_treatments.Select(t => t.Level), out _),
            _complications.Count,
            _complications.Count == 0 ? 0 : _complications.Max(c => c.CirseGrade),
            now,
            now)
        {
            Admission = Booking.Admission,
            SedationMode = Booking.SedationMode,
            SymptomaticLeak = _treatments.Any(t => t.RequiresEscalation),
            SkinDoseFollowUp = SkinFollowUp is not null,
            Indication = Booking.Indication,
        };
        _raised.Add(completed);
        return completed;
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
        var discontinued = new ProcedureDiscontinued(ReferralId, PatientId, reason, now);
        _raised.Add(discontinued);
        return discontinued;
    }

    /// <summary>The events raised since the last call (to write to the outbox with the state change), then forgets them.</summary>
    public IReadOnlyList<object> TakeEvents()
    {
        var events = _raised.ToList();
        _raised.Clear();
        return events;
    }

    /// <summary>Records the site protocol version the command was checked against.</summary>
    public void ApplyProtocolVersion(string appliedVersion) => ProtocolVersion = appliedVersion;

    /// <summary>The site-local calendar date of an instant (the procedure date for cement expiry).</summary>
    public static DateOnly LocalDate(SiteProtocol protocol, DateTimeOffset instant)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, protocol.SiteTimeZone).DateTime);
    }

    private IEnumerable<GateViolation> AnesthesiaGates(FastingReport fasting, SiteProtocol protocol, DateTimeOffset now)
    {
        var window = TimeSpan.FromHours(protocol.Anesthesia.PreAnestheticVisitWithinHours.Value);
        if (PreAnestheticVisitAt is not { } visit || visit > now || now - visit > window)
        {
            yield return new GateViolation(
                GateRules.PreAnestheticVisitRequired,
                GateRules.PreAnestheticVisitRequired,
                $"Sedation or anaesthesia needs a pre-anaesthetic visit within {protocol.Anesthesia.PreAnestheticVisitWithinHours.Value} h before the sign-in.");
        }

        foreach (var (at, hours, item) in new[]
        {
            (fasting.LastClearLiquidsAt, protocol.Anesthesia.ClearLiquidsHours.Value, "last_clear_liquids_at"),
            (fasting.LastLightMealAt, protocol.Anesthesia.LightMealHours.Value, "last_light_meal_at"),
            (fasting.LastFattyMealAt, protocol.Anesthesia.FattyMealHours.Value, "last_fatty_meal_at"),
        })
        {
            if (at is { } intake && now - intake < TimeSpan.FromHours(hours))
            {
                yield return new GateViolation(GateRules.FastingNotRespected, item, $"Fasting not respected: {item} is less than {hours} h before the sign-in.");
            }
        }
    }

    private IEnumerable<GateViolation> AntibioticGates(AntibioticDose? antibiotic, SiteProtocol protocol, DateTimeOffset now)
    {
        var minutes = protocol.Antibiotics.WindowMinutes.Value;
        if (antibiotic is null || string.IsNullOrWhiteSpace(antibiotic.Drug) || antibiotic.GivenAt is not { } given || given > now || now - given > TimeSpan.FromMinutes(minutes))
        {
            yield return new GateViolation(
                GateRules.AntibioticWindowNotMet,
                GateRules.AntibioticWindowNotMet,
                $"Antibiotic prophylaxis (drug and time given) must be given within {minutes} min before the time-out.");
        }

        if (antibiotic is not null && !string.IsNullOrWhiteSpace(antibiotic.Drug)
            && Booking.AllergyClasses.Contains(AllergyCodes.BetaLactam, StringComparer.Ordinal) && protocol.Antibiotics.IsBetaLactam(antibiotic.Drug))
        {
            yield return new GateViolation(
                GateRules.AntibioticAllergyConflict,
                GateRules.AntibioticAllergyConflict,
                "A beta-lactam antibiotic for a patient with a beta-lactam allergy: use the protocol's alternative.");
        }
    }

    private void Escalate(string reason, string level, DateTimeOffset now)
    {
        _escalations.Add(new CaseEscalation(reason, level, now));
        _raised.Add(new EscalationRaised(ReferralId, PatientId, reason, ProcedureRecordSource, level, now));
    }

    /// <summary>Called by the store once this state is saved as <paramref name="version"/>.</summary>
    public void MarkSaved(long version) => Version = version;

    /// <summary>The accession number and the OR system's performed steps (decision 0016); kept by the store, not by the rules.</summary>
    public ModalityRecord Modality { get; private set; } = ModalityRecord.None;

    /// <summary>Called by the store with what it holds for the modality integration.</summary>
    public void AttachModality(ModalityRecord modality) => Modality = modality ?? ModalityRecord.None;

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

    private static bool SameBooking(BookingDetails a, BookingDetails b) =>
        a.ConsentedLevels.SequenceEqual(b.ConsentedLevels, StringComparer.Ordinal)
        && a.AllergyClasses.SequenceEqual(b.AllergyClasses, StringComparer.Ordinal)
        && a.SedationMode == b.SedationMode && a.Admission == b.Admission && a.Pregnancy == b.Pregnancy && a.Indication == b.Indication
        && a.DurationMinutes == b.DurationMinutes && a.ScheduledProtocolVersion == b.ScheduledProtocolVersion;

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
    long Version)
{
    public BookingDetails Booking { get; init; } = BookingDetails.None;

    public string ProtocolVersion { get; init; } = "";

    public string? SignedOutBy { get; init; }

    public DateTimeOffset? PreAnestheticVisitAt { get; init; }

    public FastingReport Fasting { get; init; } = FastingReport.NothingSince;

    public IReadOnlyList<TimeOutEntry> TimeOuts { get; init; } = [];

    public IReadOnlyList<AbandonedLevel> AbandonedLevels { get; init; } = [];

    public IReadOnlyList<CaseEscalation> Escalations { get; init; } = [];

    public SkinFollowUpTask? SkinFollowUp { get; init; }

    public IReadOnlyList<string> DoseAlerts { get; init; } = [];
}
