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
    int ObservationCount,
    ObservationRound? LastRound,
    DischargeRecord? Discharge,
    long Version)
{
    public bool IsDischarged => Discharge is not null;

    /// <summary>
    /// Opens the observation when the procedure ends. "Observation >= 2 h after the end of the procedure before
    /// discharge" (DOMAIN.md, from the seeds); the length is site configuration.
    /// </summary>
    public static PatientObservation Start(Guid referralId, Guid patientId, DateTimeOffset procedureEndedAt, TimeSpan minimum)
    {
        if (minimum <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(minimum), "The minimum observation must be positive.");
        }

        return new PatientObservation(referralId, patientId, procedureEndedAt, procedureEndedAt + minimum, null, 0, null, null, 0);
    }

    /// <summary>Elapsed by the clock; the durable timer only announces it, the gate never waits for it.</summary>
    public bool IsMinimumElapsed(DateTimeOffset now) => now >= MinimumUntil;

    public TimeSpan TimeLeft(DateTimeOffset now) => now >= MinimumUntil ? TimeSpan.Zero : MinimumUntil - now;

    public IReadOnlyList<string> UnmetCriteria => DischargeCriteria.Unmet(LastRound);

    public bool CriteriaMet => UnmetCriteria.Count == 0;

    /// <summary>Records one observation round; none after the discharge.</summary>
    public PatientObservation Record(ObservationRound round)
    {
        ArgumentNullException.ThrowIfNull(round);
        EnsureNotDischarged();
        return this with { ObservationCount = ObservationCount + 1, LastRound = round, Version = Version + 1 };
    }

    /// <summary>The durable timer fired; the first firing is kept.</summary>
    public PatientObservation MarkMinimumElapsed(DateTimeOffset at) =>
        MinimumElapsedAt is null ? this with { MinimumElapsedAt = at } : this;

    /// <summary>
    /// Checks every discharge gate, in order: not already discharged; the minimum observation elapsed since the
    /// end of the procedure; the last round meets the criteria; a destination; an adult escort to go home
    /// (PADSS discharge requires a responsible adult: Chung; DOMAIN.md stage 5); the discharging clinician.
    /// </summary>
    public void EnsureDischargeable(DischargeDecision decision, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(decision);
        EnsureNotDischarged();
        if (!IsMinimumElapsed(now))
        {
            var minutes = (int)Math.Ceiling(TimeLeft(now).TotalMinutes);
            throw new DischargeGateException(
                DischargeRules.ObservationMinimumNotElapsed,
                $"The minimum observation after the procedure has not elapsed: {minutes} minute{(minutes == 1 ? "" : "s")} left.");
        }

        var unmet = UnmetCriteria;
        if (unmet.Count > 0)
        {
            throw new DischargeGateException(
                DischargeRules.DischargeCriteriaNotMet,
                $"The last observation does not meet the discharge criteria: {string.Join(", ", unmet)}.");
        }

        if (decision.Destination is not (DischargeDestination.Home or DischargeDestination.Ward))
        {
            throw new DischargeInputException("destination", "Required: HOME or WARD.");
        }

        if (decision.Destination == DischargeDestination.Home && !decision.EscortPresent)
        {
            throw new DischargeGateException(DischargeRules.EscortRequired, "An adult escort is required to go home.");
        }

        if (string.IsNullOrWhiteSpace(decision.ClinicianId))
        {
            throw new DischargeInputException("clinician_id", "Required.");
        }
    }

    /// <summary>Discharges the patient with the procedure outline read from procedure-record and the site's instructions.</summary>
    public PatientObservation DischargePatient(DischargeDecision decision, ProcedureOutline procedure, IReadOnlyList<string> instructions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(procedure);
        ArgumentNullException.ThrowIfNull(instructions);
        EnsureDischargeable(decision, now);
        var record = new DischargeRecord(now, decision.Destination!.Value, decision.ClinicianId!.Trim(), [.. instructions], procedure);
        return this with { Discharge = record, Version = Version + 1 };
    }

    /// <summary>From the end of the procedure to the discharge.</summary>
    public TimeSpan ObservationLength => Discharge is null ? TimeSpan.Zero : Discharge.DischargedAt - StartedAt;

    private void EnsureNotDischarged()
    {
        if (IsDischarged)
        {
            throw new DischargeGateException(DischargeRules.AlreadyDischarged, "The patient has already been discharged.");
        }
    }
}
