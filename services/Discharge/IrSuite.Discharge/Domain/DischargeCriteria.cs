using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.Discharge.Domain;

/// <summary>
/// What the last observation round must show before the patient leaves recovery. Sources: DOMAIN.md stage 4
/// (vitals, pain, leg neurology, puncture site), in the spirit of the modified Aldrete / PADSS scores
/// (Aldrete 1995; Chung, PADSS): stable vitals, pain controlled, no new neurological deficit, no bleeding.
/// </summary>
public static class DischargeCriteria
{
    public const string NoObservation = "NO_OBSERVATION";
    public const string PainControlled = "PAIN_CONTROLLED";
    public const string LegsNeuroNormal = "LEGS_NEURO_NORMAL";
    public const string PunctureSiteOk = "PUNCTURE_SITE_OK";
    public const string VitalsStable = "VITALS_STABLE";

    /// <summary>The criteria <paramref name="last"/> does not meet under the shipped defaults.</summary>
    public static IReadOnlyList<string> Unmet(ObservationRound? last) => Unmet(last, new RecoveryCriteria());

    /// <summary>The criteria <paramref name="last"/> does not meet, in a stable order (empty when all are met); limits from the site protocol.</summary>
    public static IReadOnlyList<string> Unmet(ObservationRound? last, RecoveryCriteria criteria)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        if (last is null)
        {
            return [NoObservation];
        }

        var unmet = new List<string>();
        if (last.PainScore > criteria.MaxPainScore.Value)
        {
            unmet.Add(PainControlled);
        }

        if (!last.LegsNeuroNormal)
        {
            unmet.Add(LegsNeuroNormal);
        }

        if (!last.PunctureSiteOk)
        {
            unmet.Add(PunctureSiteOk);
        }

        if (!AreVitalsStable(last.Vitals, criteria))
        {
            unmet.Add(VitalsStable);
        }

        return unmet;
    }

    public static bool AreVitalsStable(VitalSigns vitals, RecoveryCriteria criteria) =>
        vitals.HeartRate >= criteria.HeartRateMin.Value && vitals.HeartRate <= criteria.HeartRateMax.Value
        && vitals.SystolicBp >= criteria.SystolicBpMin.Value && vitals.SystolicBp <= criteria.SystolicBpMax.Value
        && vitals.SpO2 >= criteria.SpO2Min.Value;
}
