using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.Discharge.Domain;

/// <summary>Where the check schedule stands: the next check due, and the checks missed past the grace.</summary>
public sealed record ScheduleStatus(DateTimeOffset? NextDue, IReadOnlyList<DateTimeOffset> Overdue);

/// <summary>
/// The observation checks (vitals, pain, leg neurology, puncture site): every intensive interval during the intensive
/// period from the start, then every routine interval (clinical-anchors R22: q15 min x 4, then q30 min; local policy).
/// </summary>
public static class ObservationSchedule
{
    /// <summary>Enough for weeks at one check a minute; a bound so a mis-set interval cannot loop for ever.</summary>
    private const int MaxDueTimes = 50_000;

    /// <summary>The due times after <paramref name="start"/>, in order (lazily, without end).</summary>
    public static IEnumerable<DateTimeOffset> DueTimes(DateTimeOffset start, ObservationRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var intensiveEnd = start + rules.IntensivePeriod.Value;
        var due = start;
        for (var i = 0; i < MaxDueTimes; i++)
        {
            var step = due + rules.IntensiveInterval.Value <= intensiveEnd ? rules.IntensiveInterval.Value : rules.RoutineInterval.Value;
            due += step;
            yield return due;
        }
    }

    /// <summary>
    /// Matches the rounds to the due times: a due time is met by the first round not yet used that was taken after the
    /// previous due time and no later than the due time plus the grace; a due time unmet once its grace has passed is
    /// overdue. <paramref name="at"/> is now, or the discharge (then no check is due any more).
    /// </summary>
    public static ScheduleStatus Evaluate(DateTimeOffset start, IReadOnlyList<DateTimeOffset> roundTimes, ObservationRules rules, DateTimeOffset at, bool ended)
    {
        ArgumentNullException.ThrowIfNull(roundTimes);
        ArgumentNullException.ThrowIfNull(rules);
        var grace = rules.OverdueGrace.Value;
        var rounds = roundTimes.Order().ToList();
        var overdue = new List<DateTimeOffset>();
        var previous = start;
        var next = 0;
        foreach (var due in DueTimes(start, rules))
        {
            if (ended && due > at)
            {
                return new ScheduleStatus(null, overdue);
            }

            while (next < rounds.Count && rounds[next] <= previous)
            {
                next++;
            }

            var met = next < rounds.Count && rounds[next] <= due + grace;
            if (met)
            {
                next++;
            }
            else if (due + grace < at)
            {
                overdue.Add(due);
            }
            else if (!ended)
            {
                return new ScheduleStatus(due, overdue);
            }

            previous = due;
        }

        return new ScheduleStatus(null, overdue);
    }
}
