using IrSuite.ServiceDefaults.Clinical;

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
    DateTimeOffset AssessedAt,
    AnxietyLevel Anxiety = AnxietyLevel.None,
    ProneTolerance ProneTolerance = ProneTolerance.Tolerates);

/// <summary>One premedication: short drug and dose labels, a coded timing and an optional short precision.</summary>
public sealed record Premedication(string Drug, string Dose, PremedicationTiming Timing, string TimingDetail);

/// <summary>The sedation decision: the mode, why it differs from the suggestion, premedication, chosen prophylaxis.</summary>
public sealed record SedationPlan(SedationMode Mode, string? DeviationReason, IReadOnlyList<Premedication> Premedication, string? AntibioticProphylaxis);

/// <summary>The signed clearance.</summary>
public sealed record Clearance(ClearanceDecision Decision, IReadOnlyList<string> Conditions, string AnesthesiologistId, DateTimeOffset SignedAt);

/// <summary>The pre-anaesthetic visit (CSP D6124-92).</summary>
public sealed record PreAnestheticVisit(DateTimeOffset VisitedAt, string AnesthesiologistId);

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
    /// <summary>Vertebral levels of the referral (from ReferralAccepted): their number feeds the sedation suggestion.</summary>
    public IReadOnlyList<string> Levels { get; init; } = [];

    /// <summary>Site protocol version (SiteProtocol.AppliedVersion) of the last rule check on this case.</summary>
    public string ProtocolVersion { get; init; } = "";

    /// <summary>Why the planned sedation differs from the suggestion (null when it follows it).</summary>
    public string? DeviationReason { get; init; }

    public IReadOnlyList<Premedication> Premedication { get; init; } = [];

    /// <summary>The chosen prophylaxis; null when the proposal applies.</summary>
    public string? AntibioticProphylaxis { get; init; }

    /// <summary>Start of the booked procedure slot (from ProcedureScheduled); null when none is booked.</summary>
    public DateTimeOffset? SlotStart { get; init; }

    /// <summary>The sedation the slot was booked with (None when scheduling did not say).</summary>
    public SedationMode SlotSedation { get; init; }

    public PreAnestheticVisit? Visit { get; init; }

    /// <summary>Opens the case of an accepted referral, remembering the sedation the IR consult expects.</summary>
    public static AnesthesiaCase Open(Guid referralId, Guid patientId, SedationMode expectedSedation, DateTimeOffset openedAt) =>
        new(referralId, patientId, CaseStatus.AwaitingAssessment, expectedSedation, null, SedationMode.None, null, openedAt, 1);

    /// <summary>Opens the case with the referral's levels and the site protocol version in force.</summary>
    public static AnesthesiaCase Open(Guid referralId, Guid patientId, IReadOnlyList<string> levels, SedationMode expectedSedation, string protocolVersion, DateTimeOffset openedAt) =>
        Open(referralId, patientId, expectedSedation, openedAt) with { Levels = levels, ProtocolVersion = protocolVersion };

    public bool IsSigned => Clearance is not null;

    /// <summary>The decision-table suggestion, once assessed.</summary>
    public SedationSuggestion? SuggestedSedation(SiteProtocol protocol) => Assessment is { } a
        ? SedationAdvisor.Suggest(Levels.Count, a.AsaClass, a.Anxiety, a.ProneTolerance, protocol.Anesthesia.GeneralAnesthesiaFromLevels.Value, protocol.Anesthesia.SedationPreferredFromAsa.Value)
        : null;

    /// <summary>The prophylaxis the recorded allergies lead to, once assessed.</summary>
    public ProphylaxisProposal? ProposedProphylaxis(SiteProtocol protocol) => Assessment is { } a
        ? PlanRules.Prophylaxis(a.Allergies, protocol.Antibiotics.IsBetaLactam, protocol.Antibiotics.Default.Value, protocol.Antibiotics.BetaLactamAllergyAlternative.Value)
        : null;

    /// <summary>The fasting cut-offs, once a slot is booked; the slot's sedation wins over the plan's when given.</summary>
    public FastingPlan? Fasting(SiteProtocol protocol) => SlotStart is { } start
        ? PlanRules.Fasting(
            start,
            SlotSedation != SedationMode.None ? SlotSedation : Sedation,
            protocol.Anesthesia.ClearLiquidsHours.Value,
            protocol.Anesthesia.LightMealHours.Value,
            protocol.Anesthesia.FattyMealHours.Value,
            protocol.Anesthesia.FastingMedicinesInstruction.Value)
        : null;

    /// <summary>Consult lead time against the slot; null until both the assessment and the slot are known.</summary>
    public bool? ConsultLeadTimeMet(SiteProtocol protocol) => Assessment is { } a && SlotStart is { } start
        ? PlanRules.ConsultLeadTimeMet(a.AssessedAt, start, protocol.Anesthesia.ConsultLeadDays.Value, protocol.SiteTimeZone)
        : null;

    /// <summary>
    /// Records (or re-records) the assessment; allowed until the clearance is signed. ASA VI is refused (this is an
    /// elective pathway); new allergies may not conflict with a prophylaxis already chosen.
    /// </summary>
    public AnesthesiaCase RecordAssessment(Assessment assessment, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        ArgumentNullException.ThrowIfNull(protocol);
        EnsureNotSigned();
        if (assessment.AsaClass == AsaClass.VI)
        {
            throw new GateRefusedException(GateRules.AsaViNotEligible, "ASA VI (brain-dead organ donor) is not eligible for this elective pathway.");
        }

        EnsureNoAllergyConflict(AntibioticProphylaxis, assessment.Allergies, protocol);
        return this with { Assessment = assessment, Status = CaseStatus.Assessed };
    }

    /// <summary>
    /// Chooses the sedation mode; needs the assessment (the suggestion is computed from it). A mode other than the
    /// suggested one needs a deviation reason; a beta-lactam prophylaxis for a beta-lactam allergy is refused.
    /// </summary>
    public AnesthesiaCase PlanSedation(SedationPlan plan, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(protocol);
        if (plan.Mode == SedationMode.None)
        {
            throw new ArgumentOutOfRangeException(nameof(plan), "A sedation mode is required.");
        }

        EnsureNotSigned();
        EnsureAssessed("The sedation mode is chosen after the pre-anaesthetic assessment.");
        var suggestion = SuggestedSedation(protocol)!;
        var deviation = string.IsNullOrWhiteSpace(plan.DeviationReason) ? null : plan.DeviationReason.Trim();
        if (plan.Mode != suggestion.Mode && deviation is null)
        {
            throw new InvalidFieldException("deviation_reason", $"Required: the mode differs from the suggested {Codes.Of(suggestion.Mode)}.");
        }

        var chosen = string.IsNullOrWhiteSpace(plan.AntibioticProphylaxis) ? null : plan.AntibioticProphylaxis.Trim();
        EnsureNoAllergyConflict(chosen, Assessment!.Allergies, protocol);
        return this with { Sedation = plan.Mode, DeviationReason = deviation, Premedication = plan.Premedication, AntibioticProphylaxis = chosen };
    }

    /// <summary>
    /// Signs the clearance: needs the assessment and the sedation plan; signed once. A FIT clearance is refused when
    /// the assessment's labs are outside the site limits (FIT_WITH_CONDITIONS names the condition instead).
    /// </summary>
    public AnesthesiaCase SignClearance(Clearance clearance, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(clearance);
        ArgumentNullException.ThrowIfNull(protocol);
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

        if (clearance.Decision == ClearanceDecision.Fit)
        {
            var violations = PlanRules.LabViolations(Assessment!.Labs, protocol.Bleeding.InrMax.Value, protocol.Bleeding.PlateletsMinGPerL.Value);
            if (violations.Count > 0)
            {
                throw new GateRefusedException(violations);
            }
        }

        return this with { Clearance = clearance, Status = CaseStatus.Cleared };
    }

    /// <summary>
    /// Records the pre-anaesthetic visit (CSP D6124-92): on a case cleared FIT or FIT_WITH_CONDITIONS; when the slot
    /// is known, within PreAnestheticVisitWithinHours before its start and not after it. A later visit replaces it.
    /// </summary>
    public AnesthesiaCase RecordPreAnestheticVisit(PreAnestheticVisit visit, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(visit);
        ArgumentNullException.ThrowIfNull(protocol);
        if (Clearance is not { Decision: ClearanceDecision.Fit or ClearanceDecision.FitWithConditions })
        {
            throw new GateRefusedException(GateRules.ClearanceRequired, "The pre-anaesthetic visit is recorded on a case cleared FIT or FIT_WITH_CONDITIONS.");
        }

        if (SlotStart is { } start)
        {
            var hours = protocol.Anesthesia.PreAnestheticVisitWithinHours.Value;
            if (visit.VisitedAt > start || visit.VisitedAt < start.AddHours(-hours))
            {
                throw new GateRefusedException(
                    GateRules.PreAnestheticVisitOutOfWindow,
                    $"The pre-anaesthetic visit is within {hours} h before the slot start and not after it (Anesthesia.PreAnestheticVisitWithinHours).");
            }
        }

        return this with { Visit = visit };
    }

    private void EnsureNoAllergyConflict(string? prophylaxis, IReadOnlyList<string> allergies, SiteProtocol protocol)
    {
        if (prophylaxis is not null && protocol.Antibiotics.IsBetaLactam(prophylaxis) && allergies.Any(protocol.Antibiotics.IsBetaLactam))
        {
            throw new GateRefusedException(
                GateRules.AntibioticAllergyConflict,
                "antibiotic_prophylaxis is a beta-lactam and the allergies include a beta-lactam; use the alternative (Antibiotics.BetaLactamAllergyAlternative).");
        }
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
