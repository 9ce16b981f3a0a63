namespace IrSuite.ProcedureRecord.Domain;

/// <summary>The procedure's radiation dose, with units (Euratom 2013/59 art. 58(b)).</summary>
public sealed record RadiationDose(double DoseAreaProductGyCm2, double ReferenceAirKermaMgy, double FluoroscopySeconds, double CtDlpMgyCm)
{
    /// <summary>Reference-point air kerma above which a skin follow-up is due (NCRP 168 / SIR dose guideline): 5 Gy.</summary>
    public const double SkinFollowUpThresholdMgy = 5000;

    public bool RequiresSkinFollowUp => ReferenceAirKermaMgy > SkinFollowUpThresholdMgy;
}
