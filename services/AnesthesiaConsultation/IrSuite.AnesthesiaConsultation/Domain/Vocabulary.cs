namespace IrSuite.AnesthesiaConsultation.Domain;

/// <summary>Where an anaesthesia case stands.</summary>
public enum CaseStatus
{
    /// <summary>Opened when the referral was accepted; waiting for the pre-anaesthetic assessment.</summary>
    AwaitingAssessment = 1,

    /// <summary>Assessed; sedation to plan or clearance to sign.</summary>
    Assessed = 2,

    /// <summary>Clearance signed: the plan is frozen.</summary>
    Cleared = 3,
}

/// <summary>ASA physical status I-VI (the "E" modifier is kept apart, see <see cref="Assessment.Emergency"/>).</summary>
public enum AsaClass
{
    I = 1,
    II = 2,
    III = 3,
    IV = 4,
    V = 5,
    VI = 6,
}

/// <summary>How the procedure is done (DOMAIN.md stage 2); <see cref="None"/> until a mode is chosen.</summary>
public enum SedationMode
{
    None = 0,
    Local = 1,
    LocalWithSedation = 2,
    ConsciousSedation = 3,
    General = 4,
}

/// <summary>The clearance decision: fit, fit with conditions, not fit.</summary>
public enum ClearanceDecision
{
    Fit = 1,
    FitWithConditions = 2,
    NotFit = 3,
}

/// <summary>What to do with a current medication before the procedure.</summary>
public enum MedicationAction
{
    Continue = 1,
    Stop = 2,
}

/// <summary>Kind of a medication, for the bleeding-risk plan.</summary>
public enum MedicationKind
{
    Unspecified = 0,
    Anticoagulant = 1,
    Antiplatelet = 2,
    Other = 3,
}

/// <summary>How anxious the patient is about the procedure (sedation decision support).</summary>
public enum AnxietyLevel
{
    Unspecified = 0,
    None = 1,
    Moderate = 2,
    Severe = 3,
}

/// <summary>Whether the patient can hold the prone position the thoracic and lumbar levels need.</summary>
public enum ProneTolerance
{
    Unspecified = 0,
    Tolerates = 1,
    Limited = 2,
    NotTolerated = 3,
}

/// <summary>When a premedication is given.</summary>
public enum PremedicationTiming
{
    Unspecified = 0,
    EveningBefore = 1,
    MorningOf = 2,
    OnCallToRoom = 3,
    BeforeProcedure = 4,
}

/// <summary>The admission the anaesthesia assessment recommends.</summary>
public enum Admission
{
    Ambulatory = 1,
    Hospitalised = 2,
}

/// <summary>
/// The stable codes events carry (the proto enum value names without their prefix, e.g. <c>GENERAL</c>,
/// <c>FIT_WITH_CONDITIONS</c>), and a lenient reader for the sedation mode other services send.
/// </summary>
public static class Codes
{
    public static string Of(SedationMode mode) => mode switch
    {
        SedationMode.Local => "LOCAL",
        SedationMode.LocalWithSedation => "LOCAL_WITH_SEDATION",
        SedationMode.ConsciousSedation => "CONSCIOUS_SEDATION",
        SedationMode.General => "GENERAL",
        _ => "UNSPECIFIED",
    };

    public static string Of(ClearanceDecision decision) => decision switch
    {
        ClearanceDecision.Fit => "FIT",
        ClearanceDecision.FitWithConditions => "FIT_WITH_CONDITIONS",
        ClearanceDecision.NotFit => "NOT_FIT",
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, null),
    };

    /// <summary>
    /// Reads a sedation mode written as <c>GENERAL</c>, <c>SEDATION_MODE_GENERAL</c>, <c>General</c> or
    /// <c>LocalWithSedation</c> (the publisher may use the proto name or the C# name); anything else is
    /// <see cref="SedationMode.None"/>: the expected mode is a hint, the anaesthesiologist decides.
    /// </summary>
    public static SedationMode ParseSedationMode(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return SedationMode.None;
        }

        var key = new string(value.Where(char.IsLetter).ToArray()).ToUpperInvariant();
        if (key.StartsWith("SEDATIONMODE", StringComparison.Ordinal))
        {
            key = key["SEDATIONMODE".Length..];
        }

        return key switch
        {
            "LOCAL" => SedationMode.Local,
            "LOCALWITHSEDATION" => SedationMode.LocalWithSedation,
            "CONSCIOUSSEDATION" => SedationMode.ConsciousSedation,
            "GENERAL" => SedationMode.General,
            _ => SedationMode.None,
        };
    }
}
