namespace IrSuite.Discharge.Domain;

/// <summary>Vital signs of one observation round.</summary>
public sealed record VitalSigns(int HeartRate, int SystolicBp, int DiastolicBp, int SpO2, int RespiratoryRate, double TemperatureC);

/// <summary>
/// One observation round in recovery: vitals, pain, leg neurology, puncture site (DOMAIN.md stage 4: "vital signs,
/// pain, neurological checks of the legs, puncture site").
/// </summary>
public sealed record ObservationRound(VitalSigns Vitals, int PainScore, bool LegsNeuroNormal, bool PunctureSiteOk, DateTimeOffset TakenAt)
{
    /// <summary>The modified Aldrete items, when scored this round.</summary>
    public AldreteItems? Aldrete { get; init; }

    /// <summary>The PADSS items, when scored this round.</summary>
    public PadssItems? Padss { get; init; }
}

/// <summary>
/// The plausible range of each measurement: a value outside it is a typing or device error, refused as bad input
/// (not a clinical finding; the discharge criteria use narrower ranges).
/// </summary>
public static class MeasurementLimits
{
    public static readonly (int Min, int Max) HeartRate = (20, 250);
    public static readonly (int Min, int Max) SystolicBp = (50, 300);
    public static readonly (int Min, int Max) DiastolicBp = (20, 200);
    public static readonly (int Min, int Max) SpO2 = (50, 100);
    public static readonly (int Min, int Max) RespiratoryRate = (4, 60);
    public static readonly (double Min, double Max) TemperatureC = (30, 45);

    /// <summary>Pain numeric rating scale 0-10 (FHIR/LOINC 72514-3).</summary>
    public static readonly (int Min, int Max) PainScore = (0, 10);
}
