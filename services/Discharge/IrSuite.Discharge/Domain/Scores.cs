namespace IrSuite.Discharge.Domain;

/// <summary>
/// Modified Aldrete score items, each 0-2 (Aldrete 1995): activity, respiration, circulation (blood pressure within
/// 20 % of the pre-anaesthetic value = 2), consciousness, oxygen saturation (SpO2 &gt; 92 % on room air = 2).
/// </summary>
public sealed record AldreteItems(int Activity, int Respiration, int Circulation, int Consciousness, int OxygenSaturation)
{
    /// <summary>The total, 0-10; leaving recovery needs the site's minimum (default 9).</summary>
    public int Total => ClinicalScores.Aldrete(this);
}

/// <summary>
/// Post-Anaesthetic Discharge Scoring System items, each 0-2 (Chung; Marshall &amp; Chung 1999, the modified PADSS
/// without intake/output): vital signs, ambulation, nausea/vomiting, pain, surgical bleeding.
/// </summary>
public sealed record PadssItems(int VitalSigns, int Ambulation, int NauseaVomiting, int Pain, int SurgicalBleeding)
{
    /// <summary>The total, 0-10; going home needs the site's minimum (default 9).</summary>
    public int Total => ClinicalScores.Padss(this);
}

/// <summary>The scores' arithmetic: five items of 0-2 each, summed.</summary>
public static class ClinicalScores
{
    /// <summary>Each item of both scores is scored 0, 1 or 2.</summary>
    public static readonly (int Min, int Max) ItemRange = (0, 2);

    public static int Aldrete(AldreteItems items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Sum(items.Activity, items.Respiration, items.Circulation, items.Consciousness, items.OxygenSaturation);
    }

    public static int Padss(PadssItems items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return Sum(items.VitalSigns, items.Ambulation, items.NauseaVomiting, items.Pain, items.SurgicalBleeding);
    }

    /// <summary>True when every item is within 0-2.</summary>
    public static bool IsValidItem(int score) => score >= ItemRange.Min && score <= ItemRange.Max;

    private static int Sum(params int[] items)
    {
        foreach (var item in items)
        {
            if (!IsValidItem(item))
            {
                throw new ArgumentOutOfRangeException(nameof(items), "Each score item is 0, 1 or 2.");
            }
        }

        return items.Sum();
    }
}
