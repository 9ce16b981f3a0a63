namespace IrSuite.AnesthesiaConsultation.Domain;

/// <summary>One medication's instruction before the procedure (stop from a date, or continue up to the day).</summary>
public sealed record MedicationInstruction(string Name, MedicationKind Kind, string Dosage, MedicationAction Action, DateTimeOffset? StopFrom);

/// <summary>Pre-procedure labs: INR and platelets (10^9/L), with the sample time.</summary>
public sealed record Labs(double Inr, double PlateletsGPerL, DateTimeOffset TakenAt);

/// <summary>The pre-anaesthetic assessment (DOMAIN.md stage 2). Lists hold codes or short labels, never notes.</summary>
public sealed record Assessment(
    AsaClass AsaClass,
    bool Emergency,
    IReadOnlyList<string> Comorbidities,
    IReadOnlyList<string> Allergies,
    IReadOnlyList<MedicationInstruction> MedicationPlan,
    Labs? Labs,
    DateTimeOffset AssessedAt);

/// <summary>The signed clearance.</summary>
public sealed record Clearance(ClearanceDecision Decision, IReadOnlyList<string> Conditions, string AnesthesiologistId, DateTimeOffset SignedAt);

/// <summary>
/// The anaesthesia case of one referral: opened when the referral is accepted, assessed, given a sedation
/// mode, then cleared. Transitions return a new state (the caller persists it with optimistic concurrency on
/// <see cref="Version"/>); a refused one throws <see cref="GateRefusedException"/>.
/// </summary>
public sealed record AnesthesiaCase(
    Guid ReferralId,
    Guid PatientId,
    CaseStatus Status,
    SedationMode ExpectedSedation,
    Assessment? Assessment,
    SedationMode Sedation,
    Clearance? Clearance,
    DateTimeOffset OpenedAt,
    long Version)
{
    /// <summary>Opens the case of an accepted referral, remembering the sedation the IR consult expects.</summary>
    public static AnesthesiaCase Open(Guid referralId, Guid patientId, SedationMode expectedSedation, DateTimeOffset openedAt) =>
        new(referralId, patientId, CaseStatus.AwaitingAssessment, expectedSedation, null, SedationMode.None, null, openedAt, 1);

    public bool IsSigned => Clearance is not null;

    /// <summary>Records (or re-records) the assessment; allowed until the clearance is signed.</summary>
    public AnesthesiaCase RecordAssessment(Assessment assessment)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        EnsureNotSigned();
        return this with { Assessment = assessment, Status = CaseStatus.Assessed };
    }

    /// <summary>Chooses the sedation mode; needs the assessment (comorbidities and ASA class drive the choice).</summary>
    public AnesthesiaCase PlanSedation(SedationMode mode)
    {
        if (mode == SedationMode.None)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), "A sedation mode is required.");
        }

        EnsureNotSigned();
        EnsureAssessed("The sedation mode is chosen after the pre-anaesthetic assessment.");
        return this with { Sedation = mode };
    }

    /// <summary>Signs the clearance: needs the assessment and the sedation plan; signed once.</summary>
    public AnesthesiaCase SignClearance(Clearance clearance)
    {
        ArgumentNullException.ThrowIfNull(clearance);
        if (clearance.Decision == ClearanceDecision.FitWithConditions && clearance.Conditions.Count == 0)
        {
            throw new ArgumentException("A clearance fit with conditions lists its conditions.", nameof(clearance));
        }

        EnsureNotSigned();
        EnsureAssessed("The clearance is signed after the pre-anaesthetic assessment.");
        if (Sedation == SedationMode.None)
        {
            throw new GateRefusedException(GateRules.SedationPlanRequired, "The clearance is signed on a sedation plan; plan the sedation first.");
        }

        return this with { Clearance = clearance, Status = CaseStatus.Cleared };
    }

    private void EnsureNotSigned()
    {
        if (IsSigned)
        {
            throw new GateRefusedException(GateRules.ClearanceAlreadySigned, "The clearance is signed; the anaesthesia plan can no longer change.");
        }
    }

    private void EnsureAssessed(string description)
    {
        if (Assessment is null)
        {
            throw new GateRefusedException(GateRules.AssessmentRequired, description);
        }
    }
}
