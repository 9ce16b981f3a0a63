using IrSuite.ProcedureRecord.Domain;

namespace IrSuite.ProcedureRecord.Tests.Domain;

public sealed class LevelSetTests
{
    [Fact]
    public void Normalize_MixedCaseAndDuplicates_AnatomicalOrderOnce()
    {
        var levels = LevelSet.Normalize([" l1 ", "T12", "L1", "c7"], out var hasUnknown);

        Assert.Equal(["C7", "T12", "L1"], levels);
        Assert.False(hasUnknown);
    }

    [Fact]
    public void Normalize_UnknownLevel_KeptLastAndFlagged()
    {
        var levels = LevelSet.Normalize(["l9", "L1"], out var hasUnknown);

        Assert.Equal(["L1", "L9"], levels);
        Assert.True(hasUnknown);
    }

    [Fact]
    public void SameSet_OrderIgnored_DifferenceDetected()
    {
        Assert.True(LevelSet.SameSet(["L1", "T12"], ["T12", "L1"]));
        Assert.False(LevelSet.SameSet(["L1"], ["T12", "L1"]));
    }
}
