namespace IrSuite.ServiceDefaults.Clinical;

/// <summary>Vertebral level names: C1-C7, T1-T12, L1-L5, S1 (DOMAIN.md), in anatomical order.</summary>
public static class VertebralLevel
{
    private static readonly string[] Ordered =
    [
        .. Enumerable.Range(1, 7).Select(i => $"C{i}"),
        .. Enumerable.Range(1, 12).Select(i => $"T{i}"),
        .. Enumerable.Range(1, 5).Select(i => $"L{i}"),
        "S1",
    ];

    private static readonly Dictionary<string, int> Index = Ordered.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => p.i, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<string> All => Ordered;

    /// <summary>Accepts "l1" or " L1 " as L1; anything else (e.g. "L9", "T13") is unknown.</summary>
    public static bool TryNormalize(string? value, out string level)
    {
        level = "";
        if (value is null || !Index.TryGetValue(value.Trim(), out var index))
        {
            return false;
        }

        level = Ordered[index];
        return true;
    }

    /// <summary>Levels in anatomical order (head to sacrum).</summary>
    public static IReadOnlyList<string> Sort(IEnumerable<string> levels) => levels.OrderBy(l => Index[l]).ToList();
}
