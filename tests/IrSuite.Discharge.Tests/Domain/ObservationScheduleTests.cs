using IrSuite.Discharge.Domain;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.Discharge.Tests.Domain;

public sealed class ObservationScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly ObservationRules Rules = new();

    private static DateTimeOffset At(int minutes) => Start.AddMinutes(minutes);

    [Fact]
    public void DueTimes_Defaults_Q15ForAnHourThenQ30() =>
        Assert.Equal([At(15), At(30), At(45), At(60), At(90), At(120), At(150)], ObservationSchedule.DueTimes(Start, Rules).Take(7));

    [Fact]
    public void DueTimes_SiteIntervals_Applied()
    {
        var rules = new ObservationRules
        {
            IntensiveInterval = new(TimeSpan.FromMinutes(10), "test"),
            IntensivePeriod = new(TimeSpan.FromMinutes(30), "test"),
            RoutineInterval = new(TimeSpan.FromMinutes(60), "test"),
        };

        Assert.Equal([At(10), At(20), At(30), At(90), At(150)], ObservationSchedule.DueTimes(Start, rules).Take(5));
    }

    [Fact]
    public void Evaluate_NoRoundBeforeTheFirstGrace_NextIsTheFirstNothingOverdue()
    {
        var status = ObservationSchedule.Evaluate(Start, [], Rules, At(20), ended: false);

        Assert.Equal(At(15), status.NextDue);
        Assert.Empty(status.Overdue);
    }

    [Fact]
    public void Evaluate_FirstCheckMissedPastTheGrace_OverdueWithItsDueTime()
    {
        var status = ObservationSchedule.Evaluate(Start, [], Rules, At(21), ended: false);

        Assert.Equal([At(15)], status.Overdue);
        Assert.Equal(At(30), status.NextDue);
    }

    [Fact]
    public void Evaluate_RoundsOnTimeAndWithinGrace_MeetTheirChecks()
    {
        var status = ObservationSchedule.Evaluate(Start, [At(14), At(33), At(45)], Rules, At(50), ended: false);

        Assert.Empty(status.Overdue);
        Assert.Equal(At(60), status.NextDue);
    }

    [Fact]
    public void Evaluate_TwoRoundsForOneCheck_CountOnce()
    {
        // Both rounds fall before the 15-minute check: the 30-minute one is still missed.
        var status = ObservationSchedule.Evaluate(Start, [At(5), At(12)], Rules, At(40), ended: false);

        Assert.Equal([At(30)], status.Overdue);
        Assert.Equal(At(45), status.NextDue);
    }

    [Fact]
    public void Evaluate_BaselineRoundAtTheStart_DoesNotMeetTheFirstCheck()
    {
        var status = ObservationSchedule.Evaluate(Start, [Start], Rules, At(25), ended: false);

        Assert.Equal([At(15)], status.Overdue);
    }

    [Fact]
    public void Evaluate_Ended_NoNextDueAndOnlyChecksBeforeTheEnd()
    {
        var status = ObservationSchedule.Evaluate(Start, [], Rules, At(40), ended: true);

        Assert.Null(status.NextDue);
        Assert.Equal([At(15), At(30)], status.Overdue);
    }
}
