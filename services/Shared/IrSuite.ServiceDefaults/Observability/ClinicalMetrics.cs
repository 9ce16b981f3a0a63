using System.Diagnostics.Metrics;

namespace IrSuite.ServiceDefaults.Observability;

/// <summary>
/// Clinical-operations KPIs (meter <c>IrSuite.Clinical</c>), recorded by the services where the facts happen, after
/// the state change committed. Tags are vocabulary codes only (outcome, admission, sedation, complication and leak
/// codes, CIRSE grade): never a patient, referral or clinician id, never free text. Rates are ratios of these
/// counters (complication rate = complications / cases{outcome=completed}; cases per day = rate of cases).
/// </summary>
public static class ClinicalMetrics
{
    public static readonly Meter Meter = new(TelemetryNames.Clinical, "1.0.0");

    public static readonly Histogram<double> ReferralToProcedure = Meter.CreateHistogram<double>(
        "irsuite.clinical.referral_to_procedure", unit: "d", description: "Lead time from the referral's submission to the end of its procedure.");

    public static readonly Histogram<double> ProcedureDuration = Meter.CreateHistogram<double>(
        "irsuite.clinical.procedure.duration", unit: "min", description: "From the sign-in to the case's completion.");

    public static readonly Histogram<double> ObservationDuration = Meter.CreateHistogram<double>(
        "irsuite.clinical.observation.duration", unit: "min", description: "From the start of the post-procedure observation to the discharge.");

    public static readonly Histogram<double> TimeToDischarge = Meter.CreateHistogram<double>(
        "irsuite.clinical.time_to_discharge", unit: "h", description: "From the referral's submission to the patient's discharge.");

    public static readonly Counter<long> Cases = Meter.CreateCounter<long>(
        "irsuite.clinical.cases", description: "Procedure cases closed, by outcome (completed, discontinued).");

    public static readonly Counter<long> Complications = Meter.CreateCounter<long>(
        "irsuite.clinical.complications", description: "Complications recorded at completion, by complication code and CIRSE grade.");

    public static readonly Counter<long> CementLeaks = Meter.CreateCounter<long>(
        "irsuite.clinical.cement_leaks", description: "Treated levels with a cement leak, by leak type and whether it was symptomatic.");

    public static readonly Histogram<double> ReferenceAirKerma = Meter.CreateHistogram<double>(
        "irsuite.clinical.dose.reference_air_kerma", unit: "mGy", description: "Reference air kerma per completed case (percentiles from the histogram).");

    public static readonly Histogram<double> DoseAreaProduct = Meter.CreateHistogram<double>(
        "irsuite.clinical.dose.dose_area_product", unit: "Gy.cm2", description: "Dose-area product per completed case.");

    public static readonly Histogram<double> FluoroscopyTime = Meter.CreateHistogram<double>(
        "irsuite.clinical.dose.fluoroscopy_time", unit: "s", description: "Fluoroscopy time per completed case.");

    public static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
