namespace IrSuite.ProcedureRecord.Domain;

/// <summary>Trocar approach.</summary>
public enum TrocarApproach
{
    Unipedicular = 1,
    Bipedicular = 2,
}

/// <summary>Where cement leaked (DOMAIN.md: frequent, rarely symptomatic).</summary>
public enum CementLeakage
{
    None = 1,
    Disc = 2,
    Venous = 3,
    Foraminal = 4,
    Canal = 5,
    SoftTissue = 6,
}

/// <summary>
/// Trocar and cement at one vertebral level. Product and lot are kept per level for traceability
/// ("which patients got lot X", EU MDR 2017/745 art. 27(9)) with the lot's expiry and optional UDI-DI;
/// <see cref="CementExpiry"/> is null only on rows stored before it was recorded.
/// </summary>
public sealed record TreatedLevel(
    string Level,
    TrocarApproach Approach,
    int TrocarGauge,
    double CementVolumeMl,
    string CementProduct,
    string CementLot,
    CementLeakage Leakage,
    bool LeakageSymptomatic,
    DateTimeOffset RecordedAt,
    DateOnly? CementExpiry = null,
    string? UdiDi = null,
    string OperatorId = "")
{
    /// <summary>A symptomatic leak calls for escalation: urgent neurological exam and CT (seeds; CIRSE).</summary>
    public bool RequiresEscalation => LeakageSymptomatic && Leakage != CementLeakage.None;
}
