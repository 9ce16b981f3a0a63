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

    /// <summary>Pain at most 4/10 (mild) on the numeric rating scale.</summary>
    public const int MaxPainScore = 4;

    public static readonly (int Min, int Max) StableHeartRate = (50, 110);
    public static readonly (int Min, int Max) StableSystolicBp = (90, 180);
    public const int MinStableSpO2 = 92;

    /// <summary>The criteria <paramref name="last"/> does not meet, in a stable order (empty when all are met).</summary>
    public static IReadOnlyList<string> Unmet(ObservationRound? last)
    {
        if (last is null)
        {
            return [NoObservation];
        }

        var unmet = new List<string>();
        if (last.PainScore > MaxPainScore)
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

        if (!AreVitalsStable(last.Vitals))
        {
            unmet.Add(VitalsStable);
        }

        return unmet;
    }

    public static bool AreVitalsStable(VitalSigns vitals) =>
        vitals.HeartRate >= StableHeartRate.Min && vitals.HeartRate <= StableHeartRate.Max
        && vitals.SystolicBp >= StableSystolicBp.Min && vitals.SystolicBp <= StableSystolicBp.Max
        && vitals.SpO2 >= MinStableSpO2;
}
