namespace IrSuite.Contracts;

// The coded values events carry as strings (upper snake case, the proto enum names without their prefix), so a
// consumer never parses free text. Every service maps its own enums to and from these.

/// <summary>Sedation modes (ir.common.v1.SedationMode).</summary>
public static class SedationCodes
{
    public const string Local = "LOCAL";
    public const string LocalWithSedation = "LOCAL_WITH_SEDATION";
    public const string ConsciousSedation = "CONSCIOUS_SEDATION";
    public const string General = "GENERAL";

    /// <summary>True when the mode needs an anaesthetist: clearance, pre-anaesthetic visit and fasting apply.</summary>
    public static bool NeedsAnesthetist(string? mode) => mode is LocalWithSedation or ConsciousSedation or General;
}

/// <summary>Admission kinds (ir.common.v1.AdmissionType).</summary>
public static class AdmissionCodes
{
    public const string Ambulatory = "AMBULATORY";
    public const string Hospitalised = "HOSPITALISED";
}

/// <summary>Allergy classes that change what is done (antibiotic choice, gloves, antiseptic, contrast).</summary>
public static class AllergyCodes
{
    public const string BetaLactam = "BETA_LACTAM";
    public const string Latex = "LATEX";
    public const string IodinatedContrast = "IODINATED_CONTRAST";
    public const string LocalAnesthetic = "LOCAL_ANESTHETIC";
    public const string Chlorhexidine = "CHLORHEXIDINE";
    public const string Other = "OTHER";
}

/// <summary>Why an escalation (urgent neurological examination and CT) was raised.</summary>
public static class EscalationCodes
{
    public const string SymptomaticCementLeak = "SYMPTOMATIC_CEMENT_LEAK";
    public const string NewNeurologicalDeficit = "NEW_NEUROLOGICAL_DEFICIT";
}

/// <summary>
/// Why a case was stopped before completion (ProcedureDiscontinued.Reason, DiscontinueCaseRequest.reason). A closed
/// list, so the event on the bus and the logs never carry the free text a clinician might type (issue 6, decision 0014).
/// </summary>
public static class DiscontinueCodes
{
    public const string PatientUnstable = "PATIENT_UNSTABLE";
    public const string PatientRefused = "PATIENT_REFUSED";
    public const string NoSafeAccess = "NO_SAFE_ACCESS";
    public const string EquipmentFailure = "EQUIPMENT_FAILURE";
    public const string CementLeak = "CEMENT_LEAK";
    public const string AnesthesiaEvent = "ANESTHESIA_EVENT";
    public const string Other = "OTHER";

    public static IReadOnlyList<string> All { get; } =
        [PatientUnstable, PatientRefused, NoSafeAccess, EquipmentFailure, CementLeak, AnesthesiaEvent, Other];

    public static bool IsKnown(string code) => All.Contains(code, StringComparer.Ordinal);
}
