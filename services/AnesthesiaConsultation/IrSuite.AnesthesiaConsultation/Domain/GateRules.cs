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
}

/// <summary>A workflow gate refused a transition; the gRPC layer turns it into FAILED_PRECONDITION.</summary>
public sealed class GateRefusedException(string rule, string description) : Exception($"{rule}: {description}")
{
    public string Rule { get; } = rule;

    public string Description { get; } = description;
}
