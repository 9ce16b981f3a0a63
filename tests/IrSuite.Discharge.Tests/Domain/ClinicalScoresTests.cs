using IrSuite.Discharge.Domain;

namespace IrSuite.Discharge.Tests.Domain;

public sealed class ClinicalScoresTests
{
    [Fact]
    public void Aldrete_AllTwos_IsTen() => Assert.Equal(10, new AldreteItems(2, 2, 2, 2, 2).Total);

    [Fact]
    public void Aldrete_AllZeros_IsZero() => Assert.Equal(0, new AldreteItems(0, 0, 0, 0, 0).Total);

    [Theory]
    [InlineData(1, 2, 2, 2, 2)]
    [InlineData(2, 1, 2, 2, 2)]
    [InlineData(2, 2, 1, 2, 2)]
    [InlineData(2, 2, 2, 1, 2)]
    [InlineData(2, 2, 2, 2, 1)]
    public void Aldrete_EachItemCounts_OneLessIsNine(int activity, int respiration, int circulation, int consciousness, int saturation) =>
        Assert.Equal(9, ClinicalScores.Aldrete(new AldreteItems(activity, respiration, circulation, consciousness, saturation)));

    [Theory]
    [InlineData(1, 2, 2, 2, 2)]
    [InlineData(2, 1, 2, 2, 2)]
    [InlineData(2, 2, 1, 2, 2)]
    [InlineData(2, 2, 2, 1, 2)]
    [InlineData(2, 2, 2, 2, 1)]
    public void Padss_EachItemCounts_OneLessIsNine(int vitals, int ambulation, int nausea, int pain, int bleeding) =>
        Assert.Equal(9, ClinicalScores.Padss(new PadssItems(vitals, ambulation, nausea, pain, bleeding)));

    [Fact]
    public void Padss_MixedItems_IsTheSum() => Assert.Equal(5, new PadssItems(2, 0, 1, 1, 1).Total);

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Scores_ItemOutsideZeroToTwo_Throws(int item)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AldreteItems(item, 2, 2, 2, 2).Total);
        Assert.Throws<ArgumentOutOfRangeException>(() => new PadssItems(2, 2, 2, 2, item).Total);
        Assert.False(ClinicalScores.IsValidItem(item));
    }
}
