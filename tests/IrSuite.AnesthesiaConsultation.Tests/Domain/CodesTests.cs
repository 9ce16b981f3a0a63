using IrSuite.AnesthesiaConsultation.Domain;

namespace IrSuite.AnesthesiaConsultation.Tests.Domain;

public sealed class CodesTests
{
    [Theory]
    [InlineData("GENERAL", SedationMode.General)]
    [InlineData("SEDATION_MODE_GENERAL", SedationMode.General)]
    [InlineData("General", SedationMode.General)]
    [InlineData("LOCAL", SedationMode.Local)]
    [InlineData("local_with_sedation", SedationMode.LocalWithSedation)]
    [InlineData("LocalWithSedation", SedationMode.LocalWithSedation)]
    [InlineData("SEDATION_MODE_CONSCIOUS_SEDATION", SedationMode.ConsciousSedation)]
    [InlineData("ConsciousSedation", SedationMode.ConsciousSedation)]
    [InlineData("", SedationMode.None)]
    [InlineData(null, SedationMode.None)]
    [InlineData("UNSPECIFIED", SedationMode.None)]
    [InlineData("hypnosis", SedationMode.None)]
    public void ParseSedationMode_PublisherSpelling_ReadsTheMode(string? value, SedationMode expected)
    {
        Assert.Equal(expected, Codes.ParseSedationMode(value));
    }

    [Theory]
    [InlineData(SedationMode.Local, "LOCAL")]
    [InlineData(SedationMode.LocalWithSedation, "LOCAL_WITH_SEDATION")]
    [InlineData(SedationMode.ConsciousSedation, "CONSCIOUS_SEDATION")]
    [InlineData(SedationMode.General, "GENERAL")]
    public void Of_SedationMode_IsTheProtoNameWithoutPrefix(SedationMode mode, string expected)
    {
        Assert.Equal(expected, Codes.Of(mode));
        Assert.Equal(mode, Codes.ParseSedationMode(Codes.Of(mode)));
    }

    [Theory]
    [InlineData(ClearanceDecision.Fit, "FIT")]
    [InlineData(ClearanceDecision.FitWithConditions, "FIT_WITH_CONDITIONS")]
    [InlineData(ClearanceDecision.NotFit, "NOT_FIT")]
    public void Of_ClearanceDecision_IsTheProtoNameWithoutPrefix(ClearanceDecision decision, string expected)
    {
        Assert.Equal(expected, Codes.Of(decision));
    }
}
