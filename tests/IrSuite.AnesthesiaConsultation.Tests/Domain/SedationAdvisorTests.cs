using IrSuite.AnesthesiaConsultation.Domain;

namespace IrSuite.AnesthesiaConsultation.Tests.Domain;

/// <summary>The sedation decision table (docs/rules/anesthesia-consultation.md), GA from 3 levels (the default).</summary>
public sealed class SedationAdvisorTests
{
    private const int GeneralFromLevels = 3;
    private const int SedationFromAsa = 3;

    [Fact]
    public void Suggest_OneLevelCalmHealthyTolerant_SuggestsLocal()
    {
        var suggestion = SedationAdvisor.Suggest(1, AsaClass.I, AnxietyLevel.None, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.Local, suggestion.Mode);
        Assert.Equal([SedationAdvisor.FewLevels], suggestion.Reasons);
    }

    [Fact]
    public void Suggest_LevelsAtTheThreshold_SuggestsGeneral()
    {
        var suggestion = SedationAdvisor.Suggest(3, AsaClass.II, AnxietyLevel.None, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.General, suggestion.Mode);
        Assert.Equal([SedationAdvisor.ManyLevels], suggestion.Reasons);
    }

    [Fact]
    public void Suggest_LevelsBelowTheThreshold_DoesNotSuggestGeneral()
    {
        var suggestion = SedationAdvisor.Suggest(2, AsaClass.II, AnxietyLevel.None, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.Local, suggestion.Mode);
    }

    [Fact]
    public void Suggest_ProneNotTolerated_SuggestsGeneralEvenForAHighAsaPatient()
    {
        var suggestion = SedationAdvisor.Suggest(1, AsaClass.IV, AnxietyLevel.None, ProneTolerance.NotTolerated, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.General, suggestion.Mode);
        Assert.Contains(SedationAdvisor.ProneNotTolerated, suggestion.Reasons);
        Assert.DoesNotContain(SedationAdvisor.HighAsaPrefersSedation, suggestion.Reasons);
    }

    [Fact]
    public void Suggest_ProneLimited_SuggestsLocalWithSedation()
    {
        var suggestion = SedationAdvisor.Suggest(1, AsaClass.I, AnxietyLevel.None, ProneTolerance.Limited, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.LocalWithSedation, suggestion.Mode);
        Assert.Equal([SedationAdvisor.FewLevels, SedationAdvisor.ProneLimited], suggestion.Reasons);
    }

    [Fact]
    public void Suggest_SevereAnxiety_SuggestsAtLeastConsciousSedation()
    {
        var few = SedationAdvisor.Suggest(1, AsaClass.I, AnxietyLevel.Severe, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);
        var many = SedationAdvisor.Suggest(4, AsaClass.I, AnxietyLevel.Severe, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.ConsciousSedation, few.Mode);
        Assert.Contains(SedationAdvisor.SevereAnxiety, few.Reasons);
        Assert.Equal(SedationMode.General, many.Mode);
    }

    [Fact]
    public void Suggest_ModerateAnxiety_SuggestsLocalWithSedation()
    {
        var suggestion = SedationAdvisor.Suggest(1, AsaClass.I, AnxietyLevel.Moderate, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.LocalWithSedation, suggestion.Mode);
        Assert.Contains(SedationAdvisor.ModerateAnxiety, suggestion.Reasons);
    }

    [Theory]
    [InlineData(AsaClass.III)]
    [InlineData(AsaClass.IV)]
    [InlineData(AsaClass.V)]
    public void Suggest_HighAsaFewLevels_SuggestsLocalWithSedationRatherThanGeneral(AsaClass asa)
    {
        var suggestion = SedationAdvisor.Suggest(2, asa, AnxietyLevel.None, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.LocalWithSedation, suggestion.Mode);
        Assert.Equal([SedationAdvisor.FewLevels, SedationAdvisor.HighAsaPrefersSedation], suggestion.Reasons);
    }

    [Fact]
    public void Suggest_HighAsaManyLevels_StillSuggestsGeneral()
    {
        var suggestion = SedationAdvisor.Suggest(3, AsaClass.III, AnxietyLevel.None, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.General, suggestion.Mode);
        Assert.DoesNotContain(SedationAdvisor.HighAsaPrefersSedation, suggestion.Reasons);
    }

    [Fact]
    public void Suggest_HighAsaSevereAnxiety_KeepsConsciousSedation()
    {
        var suggestion = SedationAdvisor.Suggest(1, AsaClass.III, AnxietyLevel.Severe, ProneTolerance.Tolerates, GeneralFromLevels, SedationFromAsa);

        Assert.Equal(SedationMode.ConsciousSedation, suggestion.Mode);
    }

    [Fact]
    public void Suggest_ThresholdFromTheProtocol_IsHonoured()
    {
        var suggestion = SedationAdvisor.Suggest(2, AsaClass.I, AnxietyLevel.None, ProneTolerance.Tolerates, generalFromLevels: 2, sedationPreferredFromAsa: SedationFromAsa);

        Assert.Equal(SedationMode.General, suggestion.Mode);
    }

    [Fact]
    public void Suggest_SiteSetsSedationFromAsaFour_AsaThreeWithFewLevelsStaysLocal()
    {
        var suggestion = SedationAdvisor.Suggest(1, AsaClass.III, AnxietyLevel.None, ProneTolerance.Tolerates, GeneralFromLevels, sedationPreferredFromAsa: 4);

        Assert.Equal(SedationMode.Local, suggestion.Mode);
    }
}
