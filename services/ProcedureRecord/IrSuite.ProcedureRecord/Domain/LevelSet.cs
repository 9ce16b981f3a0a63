using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.ProcedureRecord.Domain;

/// <summary>Vertebral level lists as the wrong-level rule compares them: normalized names, compared as sets.</summary>
public static class LevelSet
{
    /// <summary>
    /// Normalizes levels (e.g. " l1 " → "L1") in anatomical order, without duplicates. An unknown name is kept
    /// (upper-cased) after the known ones rather than dropped: it can then never match a time-out, so the
    /// LEVELS_MISMATCH gate stops the case instead of a level silently vanishing.
    /// </summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> levels, out bool hasUnknown)
    {
        var known = new List<string>();
        var unknown = new List<string>();
        foreach (var value in levels)
        {
            if (VertebralLevel.TryNormalize(value, out var level))
            {
                if (!known.Contains(level))
                {
                    known.Add(level);
                }
            }
            else
            {
                var raw = (value ?? "").Trim().ToUpperInvariant();
                if (!unknown.Contains(raw))
                {
                    unknown.Add(raw);
                }
            }
        }

        hasUnknown = unknown.Count > 0;
        return [.. VertebralLevel.Sort(known), .. unknown];
    }

    public static bool SameSet(IEnumerable<string> left, IEnumerable<string> right) =>
        new HashSet<string>(left, StringComparer.Ordinal).SetEquals(right);
}
