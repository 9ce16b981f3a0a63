namespace IrSuite.AnesthesiaConsultation.Domain;

/// <summary>The stable codes of this service's workflow gates (FAILED_PRECONDITION, ErrorInfo.type).</summary>
public static class GateRules
{
    /// <summary>A sedation plan or a clearance needs the pre-anaesthetic assessment first (DOMAIN.md stage 2).</summary>
    public const string AssessmentRequired = "ASSESSMENT_REQUIRED";

    /// <summary>The clearance is signed on a sedation plan: "a signed sedation plan and a clearance" (DOMAIN.md stage 2).</summary>
    public const string SedationPlanRequired = "SEDATION_PLAN_REQUIRED";

    /// <summary>A signed clearance is what scheduling booked on: it is not edited afterwards.</summary>
    public const string ClearanceAlreadySigned = "CLEARANCE_ALREADY_SIGNED";

    /// <summary>ASA VI (brain-dead organ donor) is not a patient of this elective pathway (ASA PS classification).</summary>
    public const string AsaViNotEligible = "ASA_VI_NOT_ELIGIBLE";

    /// <summary>A beta-lactam prophylaxis for a beta-lactam-allergic patient (local protocol, Moon 2010).</summary>
    public const string AntibioticAllergyConflict = "ANTIBIOTIC_ALLERGY_CONFLICT";

    /// <summary>INR above site protocol Bleeding.InrMax: no FIT clearance (SIR 2019, high bleeding-risk procedure).</summary>
    public const string InrAboveLimit = "INR_ABOVE_LIMIT";

    /// <summary>Platelets below site protocol Bleeding.PlateletsMinGPerL: no FIT clearance (SIR 2019).</summary>
    public const string PlateletsBelowLimit = "PLATELETS_BELOW_LIMIT";

    /// <summary>The pre-anaesthetic visit is recorded on a case cleared FIT or FIT_WITH_CONDITIONS.</summary>
    public const string ClearanceRequired = "CLEARANCE_REQUIRED";

    /// <summary>The pre-anaesthetic visit is within Anesthesia.PreAnestheticVisitWithinHours before the slot start (CSP D6124-92).</summary>
    public const string PreAnestheticVisitOutOfWindow = "PRE_ANESTHETIC_VISIT_OUT_OF_WINDOW";
}

/// <summary>One refused rule: its stable code and a description naming rules and fields, never patient data.</summary>
public sealed record GateViolation(string Rule, string Description);

/// <summary>One or more workflow gates refused a transition; the gRPC layer turns it into FAILED_PRECONDITION.</summary>
public sealed class GateRefusedException : Exception
{
    public GateRefusedException(string rule, string description)
        : this([new GateViolation(rule, description)])
    {
    }

    public GateRefusedException(IReadOnlyList<GateViolation> violations)
        : base(string.Join("; ", violations.Select(v => $"{v.Rule}: {v.Description}")))
    {
        if (violations.Count == 0)
        {
            throw new ArgumentException("At least one violation.", nameof(violations));
        }

        Violations = violations;
    }

    public IReadOnlyList<GateViolation> Violations { get; }

    public string Rule => Violations[0].Rule;

    public string Description => Violations[0].Description;
}

/// <summary>A request field that only the case can judge (e.g. deviation_reason); the gRPC layer answers INVALID_ARGUMENT naming it.</summary>
public sealed class InvalidFieldException(string field, string description) : Exception($"{field}: {description}")
{
    public string Field { get; } = field;

    public string Description { get; } = description;
}
