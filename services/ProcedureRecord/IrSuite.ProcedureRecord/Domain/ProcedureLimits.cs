namespace IrSuite.ProcedureRecord.Domain;

/// <summary>Plausibility bounds of recorded values (outside them: INVALID_ARGUMENT).</summary>
public static class ProcedureLimits
{
    /// <summary>Vertebroplasty trocars: 8-15 gauge (usually 11 or 13).</summary>
    public const int MinTrocarGauge = 8;

    public const int MaxTrocarGauge = 15;

    /// <summary>Cement per level: more than 0, at most 20 mL.</summary>
    public const double MaxCementVolumeMl = 20;

    public const int MaxCementTextLength = 100;

    public const int MaxCodeLength = 50;

    public const int MaxOperatorIdLength = 100;

    public const double MaxDoseAreaProductGyCm2 = 10_000;

    public const double MaxReferenceAirKermaMgy = 100_000;

    public const double MaxFluoroscopySeconds = 36_000;

    public const double MaxCtDlpMgyCm = 100_000;

    public const int MinCirseGrade = 1;

    public const int MaxCirseGrade = 6;
}
