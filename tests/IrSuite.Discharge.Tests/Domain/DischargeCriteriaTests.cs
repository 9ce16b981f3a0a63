using IrSuite.Discharge.Domain;

namespace IrSuite.Discharge.Tests.Domain;

public sealed class DischargeCriteriaTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 11, 0, 0, TimeSpan.Zero);

    private static ObservationRound Round(int heartRate = 72, int systolic = 125, int spo2 = 97, int pain = 2, bool legs = true, bool site = true) =>
        new(new VitalSigns(heartRate, systolic, 75, spo2, 14, 36.8), pain, legs, site, At);

    [Fact]
    public void Unmet_NoRound_IsNoObservationOnly() => Assert.Equal([DischargeCriteria.NoObservation], DischargeCriteria.Unmet(null));

    [Fact]
    public void Unmet_GoodRound_IsEmpty() => Assert.Empty(DischargeCriteria.Unmet(Round()));

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Unmet_PainUpToFour_IsControlled(int pain) => Assert.Empty(DischargeCriteria.Unmet(Round(pain: pain)));

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    public void Unmet_PainAboveFour_IsPainControlled(int pain) =>
        Assert.Equal([DischargeCriteria.PainControlled], DischargeCriteria.Unmet(Round(pain: pain)));

    [Fact]
    public void Unmet_LegsAbnormal_IsLegsNeuroNormal() =>
        Assert.Equal([DischargeCriteria.LegsNeuroNormal], DischargeCriteria.Unmet(Round(legs: false)));

    [Fact]
    public void Unmet_PunctureSiteNotOk_IsPunctureSiteOk() =>
        Assert.Equal([DischargeCriteria.PunctureSiteOk], DischargeCriteria.Unmet(Round(site: false)));

    [Theory]
    [InlineData(50, 125, 97)]
    [InlineData(110, 125, 97)]
    [InlineData(72, 90, 97)]
    [InlineData(72, 180, 97)]
    [InlineData(72, 125, 92)]
    [InlineData(72, 125, 100)]
    public void Unmet_VitalsAtTheLimits_AreStable(int heartRate, int systolic, int spo2) =>
        Assert.Empty(DischargeCriteria.Unmet(Round(heartRate, systolic, spo2)));

    [Theory]
    [InlineData(49, 125, 97)]
    [InlineData(111, 125, 97)]
    [InlineData(72, 89, 97)]
    [InlineData(72, 181, 97)]
    [InlineData(72, 125, 91)]
    public void Unmet_VitalsOutsideTheLimits_IsVitalsStable(int heartRate, int systolic, int spo2) =>
        Assert.Equal([DischargeCriteria.VitalsStable], DischargeCriteria.Unmet(Round(heartRate, systolic, spo2)));

    [Fact]
    public void Unmet_EverythingWrong_ListsAllInStableOrder() =>
        Assert.Equal(
            [DischargeCriteria.PainControlled, DischargeCriteria.LegsNeuroNormal, DischargeCriteria.PunctureSiteOk, DischargeCriteria.VitalsStable],
            DischargeCriteria.Unmet(Round(heartRate: 130, pain: 9, legs: false, site: false)));

    [Fact]
    public void Unmet_SiteStricterLimits_AppliedFromTheProtocol()
    {
        var strict = new IrSuite.ServiceDefaults.Clinical.RecoveryCriteria
        {
            MaxPainScore = new(3, "Local pain protocol"),
            SpO2Min = new(95, "Local"),
        };

        Assert.Equal([DischargeCriteria.PainControlled, DischargeCriteria.VitalsStable], DischargeCriteria.Unmet(Round(spo2: 94, pain: 4), strict));
        Assert.Empty(DischargeCriteria.Unmet(Round(spo2: 95, pain: 3), strict));
    }
}
