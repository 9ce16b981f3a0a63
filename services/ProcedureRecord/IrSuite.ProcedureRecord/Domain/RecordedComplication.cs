namespace IrSuite.ProcedureRecord.Domain;

/// <summary>A complication: a code of <see cref="ComplicationCodes"/> and its CIRSE grade 1-6 (CIRSE classification 2017).</summary>
public sealed record RecordedComplication(string Code, int CirseGrade);

/// <summary>The complication vocabulary (DOMAIN.md risks; CIRSE vertebral augmentation guidelines 2017).</summary>
public static class ComplicationCodes
{
    public const string CementLeakSymptomatic = "CEMENT_LEAK_SYMPTOMATIC";
    public const string NewNeurologicalDeficit = "NEW_NEUROLOGICAL_DEFICIT";
    public const string PulmonaryCementEmbolism = "PULMONARY_CEMENT_EMBOLISM";
    public const string PunctureSiteHaematoma = "PUNCTURE_SITE_HAEMATOMA";
    public const string Infection = "INFECTION";
    public const string AdjacentFracture = "ADJACENT_FRACTURE";
    public const string AnesthesiaEvent = "ANESTHESIA_EVENT";
    public const string Other = "OTHER";

    public static IReadOnlyList<string> All { get; } =
        [CementLeakSymptomatic, NewNeurologicalDeficit, PulmonaryCementEmbolism, PunctureSiteHaematoma, Infection, AdjacentFracture, AnesthesiaEvent, Other];

    public static bool IsKnown(string code) => All.Contains(code, StringComparer.Ordinal);
}
