namespace IrSuite.ProcedureRecord.Domain;

/// <summary>The procedure's radiation dose, with units (Euratom 2013/59 art. 58(b)); CT DLP only when a control CT was done.</summary>
public sealed record RadiationDose(double DoseAreaProductGyCm2, double ReferenceAirKermaMgy, double FluoroscopySeconds, double CtDlpMgyCm, bool ControlCtDone = false);

/// <summary>Dose alert codes listed on the case.</summary>
public static class DoseAlerts
{
    /// <summary>DAP above the site's substantial-dose level (SIR: 500 Gy.cm2).</summary>
    public const string DoseAreaProduct = "DAP_ABOVE_ALERT_LEVEL";

    /// <summary>Fluoroscopy time above the site's alert level (SIR: 60 min).</summary>
    public const string FluoroscopyTime = "FLUOROSCOPY_TIME_ABOVE_ALERT_LEVEL";

    /// <summary>Reference air kerma above the skin follow-up level (NCRP 168: 5 Gy).</summary>
    public const string SkinDoseFollowUp = "SKIN_DOSE_FOLLOW_UP";
}

/// <summary>A skin check due after a substantial dose (NCRP 168 / SIR dose guideline).</summary>
public sealed record SkinFollowUpTask(DateTimeOffset DueBy, double ReferenceAirKermaMgy, DateTimeOffset CreatedAt);
