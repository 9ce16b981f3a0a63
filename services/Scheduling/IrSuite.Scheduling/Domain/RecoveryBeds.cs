namespace IrSuite.Scheduling.Domain;

/// <summary>
/// The recovery beds REC-1..REC-n (site protocol Scheduling.RecoveryBeds). A procedure holds one from the slot end
/// for the minimum observation (Observation.Minimum, seeds: at least 2 h), so capacity is a hard constraint.
/// </summary>
public static class RecoveryBeds
{
    public const string Unavailable = "RECOVERY_BED_UNAVAILABLE";

    public static string Name(int number) => $"REC-{number}";

    /// <summary>Every bed, in assignment order.</summary>
    public static IReadOnlyList<string> All(int count) => Enumerable.Range(1, count).Select(Name).ToList();

    /// <summary>True when <paramref name="bed"/> is REC-k with 1 &lt;= k &lt;= count; gives the canonical name.</summary>
    public static bool TryNormalize(string bed, int count, out string normalized)
    {
        normalized = "";
        var text = bed.Trim();
        if (!text.StartsWith("REC-", StringComparison.OrdinalIgnoreCase)
            || !int.TryParse(text.AsSpan(4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            || number < 1 || number > count)
        {
            return false;
        }

        normalized = Name(number);
        return true;
    }

    /// <summary>The first bed not in <paramref name="taken"/>, or null when all are taken.</summary>
    public static string? FirstFree(int count, IReadOnlySet<string> taken) => All(count).FirstOrDefault(b => !taken.Contains(b));

    /// <summary>The bed is held over [slot end, slot end + minimum observation).</summary>
    public static (DateTimeOffset From, DateTimeOffset Until) HoldWindow(DateTimeOffset slotEnd, TimeSpan minimumObservation) =>
        (slotEnd, slotEnd + minimumObservation);
}
