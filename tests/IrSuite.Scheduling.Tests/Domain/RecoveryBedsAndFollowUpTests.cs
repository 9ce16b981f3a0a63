using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.Scheduling.Tests.Domain;

public sealed class RecoveryBedsAndFollowUpTests
{
    private static readonly SchedulingRules Rules = new();

    [Theory]
    [InlineData("REC-1", 4, true, "REC-1")]
    [InlineData("rec-4", 4, true, "REC-4")]
    [InlineData("REC-5", 4, false, "")]
    [InlineData("REC-0", 4, false, "")]
    [InlineData("BED-1", 4, false, "")]
    [InlineData("REC-+1", 4, false, "")]
    public void TryNormalize_OnlyBedsOfTheSite(string bed, int count, bool ok, string expected)
    {
        Assert.Equal(ok, RecoveryBeds.TryNormalize(bed, count, out var normalized));
        Assert.Equal(expected, normalized);
    }

    [Fact]
    public void FirstFree_SkipsTakenBedsAndIsNullWhenFull()
    {
        Assert.Equal("REC-2", RecoveryBeds.FirstFree(3, new HashSet<string> { "REC-1", "REC-3" }));
        Assert.Null(RecoveryBeds.FirstFree(2, new HashSet<string> { "REC-1", "REC-2" }));
    }

    [Fact]
    public void HoldWindow_FromSlotEndForMinimumObservation()
    {
        var end = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

        Assert.Equal((end, end.AddHours(2)), RecoveryBeds.HoldWindow(end, TimeSpan.FromHours(2)));
    }

    [Fact]
    public void FollowUpStart_DischargePlusSiteDays()
    {
        var discharged = new DateTimeOffset(2026, 11, 26, 15, 0, 0, TimeSpan.Zero);

        Assert.Equal(discharged.AddDays(30), FollowUpPlanner.FollowUpStart(discharged, Rules));
    }

    [Theory]
    [InlineData(Indication.OsteoporoticFracture, true, true)]
    [InlineData(Indication.OsteoporoticFracture, false, false)]
    [InlineData(Indication.Tumour, true, false)]
    public void NeedsFractureLiaison_OnlyForSuspectedOsteoporoticFracture(Indication indication, bool suspected, bool expected) =>
        Assert.Equal(expected, FollowUpPlanner.NeedsFractureLiaison(indication, suspected));

    [Fact]
    public void FractureLiaisonDue_TwelveWeeksAfterEarliestImaging()
    {
        var referred = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        var fracture = FollowUpPlanner.FractureDate([referred.AddDays(-3), referred.AddDays(-10)], referred);

        Assert.Equal(referred.AddDays(-10), fracture);
        Assert.Equal(referred.AddDays(-10 + 84), FollowUpPlanner.FractureLiaisonDue(fracture, Rules));
        Assert.Equal(referred, FollowUpPlanner.FractureDate([], referred));
    }
}
