using System.Globalization;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.Discharge.Domain;

/// <summary>
/// A patient's post-procedure observation, from the end of the procedure to the discharge (one per referral).
/// Immutable: each transition returns the next state; every gate is checked here, against the clock passed in.
/// </summary>
public sealed record PatientObservation(
    Guid ReferralId,
    Guid PatientId,
    DateTimeOffset StartedAt,
    DateTimeOffset MinimumUntil,
    DateTimeOffset? MinimumElapsedAt,
    IReadOnlyList<ObservationRound> Rounds,
    DischargeRecord? Discharge,
    long Version)
{
    /// <summary>The booking's context and the applied protocol version.</summary>
    public ObservationContext Context { get; init; } = ObservationContext.Unknown;

    /// <summary>The latest escalation (null when none was raised).</summary>
    public EscalationState? Escalation { get; init; }

    public bool IsDischarged => Discharge is not null;

    public int ObservationCount => Rounds.Count;

    public ObservationRound? LastRound => Rounds.Count == 0 ? null : Rounds[^1];

    public bool EscalationOpen => Escalation is { IsOpen: true };

    /// <summary>The latest modified Aldrete total recorded (null when never scored).</summary>
    public int? LatestAldrete => Rounds.LastOrDefault(r => r.Aldrete is not null)?.Aldrete!.Total;

    /// <summary>The latest PADSS total recorded (null when never scored).</summary>
    public int? LatestPadss => Rounds.LastOrDefault(r => r.Padss is not null)?.Padss!.Total;

    /// <summary>
    /// Opens the observation when the procedure ends. "Observation >= 2 h after the end of the procedure before
    /// discharge" (DOMAIN.md, from the seeds); the length is the site protocol's.
    /// </summary>
    public static PatientObservation Start(Guid referralId, Guid patientId, DateTimeOffset procedureEndedAt, TimeSpan minimum, ObservationContext? context = null)
    {
        if (minimum <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(minimum), "The minimum observation must be positive.");
        }

        return new PatientObservation(referralId, patientId, procedureEndedAt, procedureEndedAt + minimum, null, [], null, 0)
        {
            Context = context ?? ObservationContext.Unknown,
        };
    }

    /// <summary>Elapsed by the clock; the durable timer only announces it, the gate never waits for it.</summary>
    public bool IsMinimumElapsed(DateTimeOffset now) => now >= MinimumUntil;

    public TimeSpan TimeLeft(DateTimeOffset now) => now >= MinimumUntil ? TimeSpan.Zero : MinimumUntil - now;

    /// <summary>The recovery criteria the last round does not meet under the site's limits.</summary>
    public IReadOnlyList<string> UnmetCriteriaFor(RecoveryCriteria criteria) => DischargeCriteria.Unmet(LastRound, criteria);

    /// <summary>Records one observation round; none after the discharge.</summary>
    public PatientObservation Record(ObservationRound round) => Observe(round).Next;

    /// <summary>
    /// Records one round. A new neurological deficit (legs abnormal after a normal round, or on the first round) with no
    /// escalation open raises one escalation: once per episode of abnormal rounds, whatever the number of rounds.
    /// </summary>
    public (PatientObservation Next, bool EscalationRaised) Observe(ObservationRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        EnsureNotDischarged();
        var raise = !round.LegsNeuroNormal && !EscalationOpen && (LastRound is null || LastRound.LegsNeuroNormal);
        var next = this with
        {
            Rounds = [.. Rounds, round],
            Escalation = raise ? EscalationState.NewNeurologicalDeficit(round.TakenAt) : Escalation,
            Version = Version + 1,
        };
        return (next, raise);
    }

    /// <summary>The clinician reviewed the escalation; going home is possible again (other gates permitting).</summary>
    public PatientObservation ResolveEscalation(string? clinicianId, string? outcome, DateTimeOffset now)
    {
        EnsureNotDischarged();
        if (Escalation is not { IsOpen: true } open)
        {
            throw new DischargeGateException(DischargeRules.NoOpenEscalation, "No escalation is open.");
        }

        if (string.IsNullOrWhiteSpace(clinicianId))
        {
            throw new DischargeInputException("clinician_id", "Required.");
        }

        if (outcome is not (EscalationOutcomes.NoDeficit or EscalationOutcomes.ImagingNormal or EscalationOutcomes.DeficitManaged))
        {
            throw new DischargeInputException("outcome", "Required: NO_DEFICIT, IMAGING_NORMAL or DEFICIT_MANAGED.");
        }

        return this with { Escalation = open with { ResolvedAt = now, ResolvedBy = clinicianId.Trim(), Outcome = outcome }, Version = Version + 1 };
    }

    /// <summary>The durable timer fired; the first firing is kept.</summary>
    public PatientObservation MarkMinimumElapsed(DateTimeOffset at) =>
        MinimumElapsedAt is null ? this with { MinimumElapsedAt = at } : this;

    /// <summary>The check schedule at <paramref name="now"/> (at the discharge once discharged).</summary>
    public ScheduleStatus Schedule(ObservationRules rules, DateTimeOffset now) =>
        ObservationSchedule.Evaluate(StartedAt, [.. Rounds.Select(r => r.TakenAt)], rules, Discharge?.DischargedAt ?? now, IsDischarged);

    /// <summary>
    /// The site's getting-up policy, site-local (the seeds differ: after 2 h / end of the afternoon / next day); never
    /// before the minimum observation.
    /// </summary>
    public DateTimeOffset GettingUpFrom(SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        var day = LocalDate(protocol, StartedAt);
        var from = protocol.Observation.GettingUp switch
        {
            GettingUpPolicy.EndOfAfternoon => protocol.LocalTime(day, protocol.Observation.EndOfAfternoon),
            GettingUpPolicy.NextDay => protocol.LocalTime(day.AddDays(1), protocol.Observation.NextDayGettingUp),
            _ => MinimumUntil,
        };
        return from > MinimumUntil ? from : MinimumUntil;
    }

    /// <summary>A hospitalised patient goes home the next site-local day from the site's hour; an ambulatory one the same day.</summary>
    public DateTimeOffset? NextDayEarliest(SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        return Context.IsHospitalised ? protocol.LocalTime(LocalDate(protocol, StartedAt).AddDays(1), protocol.Discharge.NextDayEarliest) : null;
    }

    /// <summary>The earliest instant going home passes the time gates (minimum, getting up, next-day rule).</summary>
    public DateTimeOffset HomeFrom(SiteProtocol protocol)
    {
        var from = GettingUpFrom(protocol);
        return NextDayEarliest(protocol) is { } nextDay && nextDay > from ? nextDay : from;
    }

    /// <summary>
    /// Checks every discharge gate and reports all the refused ones at once, in order: not already discharged (alone);
    /// the minimum observation; the last round meets the criteria; modified Aldrete &gt;= the site minimum to leave
    /// recovery (Aldrete 1995); then, going home: PADSS &gt;= the site minimum and an adult escort (Chung; DOMAIN.md
    /// stage 5), no open escalation, the next-day rule of hospitalised patients, the getting-up time. Then the fields:
    /// a destination and the discharging clinician.
    /// </summary>
    public void EnsureDischargeable(DischargeDecision decision, SiteProtocol protocol, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(protocol);
        EnsureNotDischarged();
        var violations = new List<GateViolation>();
        if (!IsMinimumElapsed(now))
        {
            var minutes = (int)Math.Ceiling(TimeLeft(now).TotalMinutes);
            violations.Add(new(
                DischargeRules.ObservationMinimumNotElapsed,
                $"The minimum observation after the procedure has not elapsed: {minutes} minute{(minutes == 1 ? "" : "s")} left."));
        }

        var unmet = UnmetCriteriaFor(protocol.Discharge.Criteria);
        if (unmet.Count > 0)
        {
            violations.Add(new(DischargeRules.DischargeCriteriaNotMet, $"The last observation does not meet the discharge criteria: {string.Join(", ", unmet)}."));
        }

        var aldreteMinimum = protocol.Discharge.AldreteMinimum.Value;
        if (LatestAldrete is not { } aldrete || aldrete < aldreteMinimum)
        {
            violations.Add(new(
                DischargeRules.AldreteBelowMinimum,
                $"Leaving recovery needs a modified Aldrete score of at least {aldreteMinimum}/10 (latest: {Describe(LatestAldrete)})."));
        }

        if (decision.Destination == DischargeDestination.Home)
        {
            AddHomeGates(decision, protocol, now, violations);
        }

        if (violations.Count > 0)
        {
            throw new DischargeGateException(violations);
        }

        if (decision.Destination is not (DischargeDestination.Home or DischargeDestination.Ward))
        {
            throw new DischargeInputException("destination", "Required: HOME or WARD.");
        }

        if (string.IsNullOrWhiteSpace(decision.ClinicianId))
        {
            throw new DischargeInputException("clinician_id", "Required.");
        }
    }

    /// <summary>
    /// Discharges the patient with the procedure outline read from procedure-record; records the site protocol's active
    /// instructions (codes and texts) and version, the scores, the post-discharge call and the follow-up due date.
    /// </summary>
    public PatientObservation DischargePatient(DischargeDecision decision, ProcedureOutline procedure, SiteProtocol protocol, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(procedure);
        EnsureDischargeable(decision, protocol, now);
        var instructions = protocol.Discharge.ActiveInstructions().Select(p => new InstructionLine(p.Key, p.Value.Text)).ToList();
        var record = new DischargeRecord(now, decision.Destination!.Value, decision.ClinicianId!.Trim(), instructions, procedure)
        {
            ProtocolVersion = protocol.AppliedVersion,
            AldreteScore = LatestAldrete,
            PadssScore = LatestPadss,
            EscortPresent = decision.EscortPresent,
            PostDischargeCallDueAt = now.AddHours(protocol.Discharge.PostDischargeCallHours.Value),
            FollowUpDueDate = LocalDate(protocol, now).AddDays(protocol.Scheduling.FollowUpAfterDays.Value),
            FollowUpWindowDays = protocol.Scheduling.FollowUpWindowDays.Value,
            OverdueCheckCount = Schedule(protocol.Observation, now).Overdue.Count,
        };
        return this with { Discharge = record, Version = Version + 1 };
    }

    /// <summary>From the end of the procedure to the discharge.</summary>
    public TimeSpan ObservationLength => Discharge is null ? TimeSpan.Zero : Discharge.DischargedAt - StartedAt;

    private static DateOnly LocalDate(SiteProtocol protocol, DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, protocol.SiteTimeZone).DateTime);

    private static string Describe(int? score) => score is { } s ? $"{s}/10" : "not recorded";

    private void AddHomeGates(DischargeDecision decision, SiteProtocol protocol, DateTimeOffset now, List<GateViolation> violations)
    {
        var padssMinimum = protocol.Discharge.PadssMinimum.Value;
        if (LatestPadss is not { } padss || padss < padssMinimum)
        {
            violations.Add(new(DischargeRules.PadssBelowMinimum, $"Going home needs a PADSS of at least {padssMinimum}/10 (latest: {Describe(LatestPadss)})."));
        }

        if (protocol.Discharge.EscortRequired.Value && !decision.EscortPresent)
        {
            violations.Add(new(DischargeRules.EscortRequired, "An adult escort is required to go home."));
        }

        if (EscalationOpen)
        {
            violations.Add(new(DischargeRules.EscalationOpen, "An escalation for a new neurological deficit is open: resolve it after the review."));
        }

        if (NextDayEarliest(protocol) is { } nextDay && now < nextDay)
        {
            violations.Add(new(DischargeRules.NextDayDischargeRule, $"A hospitalised patient goes home the next day from {protocol.Discharge.NextDayEarliest.ToString("HH:mm", CultureInfo.InvariantCulture)} (site time)."));
        }

        // After-the-minimum policies add nothing to OBSERVATION_MINIMUM_NOT_ELAPSED.
        var gettingUp = GettingUpFrom(protocol);
        if (now < gettingUp && gettingUp > MinimumUntil)
        {
            violations.Add(new(DischargeRules.GettingUpNotYetAllowed, $"The site's getting-up policy ({protocol.Observation.GettingUp}) does not allow getting up yet."));
        }
    }

    private void EnsureNotDischarged()
    {
        if (IsDischarged)
        {
            throw new DischargeGateException(DischargeRules.AlreadyDischarged, "The patient has already been discharged.");
        }
    }
}
