using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.AnesthesiaConsultation.Tests.Domain;

public sealed class PlanRulesTests
{
    private static readonly SiteProtocol Protocol = new();
    private static readonly DateTimeOffset SlotStart = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Fasting_SedatedSlot_CountsBackTwoSixAndEightHours()
    {
        var fasting = PlanRules.Fasting(SlotStart, SedationMode.ConsciousSedation, 2, 6, 8, "Usual medicines with water.");

        Assert.True(fasting.Applies);
        Assert.Equal(SlotStart.AddHours(-2), fasting.ClearLiquidsUntil);
        Assert.Equal(SlotStart.AddHours(-6), fasting.LightMealUntil);
        Assert.Equal(SlotStart.AddHours(-8), fasting.FattyMealUntil);
        Assert.Equal("Usual medicines with water.", fasting.Instruction);
    }

    [Fact]
    public void Fasting_LocalSlot_DoesNotApply()
    {
        Assert.False(PlanRules.Fasting(SlotStart, SedationMode.Local, 2, 6, 8, "Usual medicines with water.").Applies);
    }

    [Fact]
    public void Fasting_ModeNotDecided_AppliesToBeSafe()
    {
        Assert.True(PlanRules.Fasting(SlotStart, SedationMode.None, 2, 6, 8, "Usual medicines with water.").Applies);
    }

    [Theory]
    [InlineData(AsaClass.I, 3, Admission.Ambulatory)]
    [InlineData(AsaClass.III, 3, Admission.Ambulatory)]
    [InlineData(AsaClass.IV, 3, Admission.Hospitalised)]
    [InlineData(AsaClass.III, 2, Admission.Hospitalised)]
    public void RecommendedAdmission_AsaAgainstTheAmbulatoryMaximum_RecommendsTheAdmission(AsaClass asa, int ambulatoryMaxAsa, Admission expected)
    {
        Assert.Equal(expected, PlanRules.RecommendedAdmission(asa, ambulatoryMaxAsa));
    }

    [Fact]
    public void Prophylaxis_NoBetaLactamAllergy_ProposesTheDefault()
    {
        var proposal = PlanRules.Prophylaxis(["latex"], Protocol.Antibiotics.IsBetaLactam, "cefazolin 1 g IV", "clindamycin 600 mg IV");

        Assert.Equal(new ProphylaxisProposal("cefazolin 1 g IV", false), proposal);
    }

    [Fact]
    public void Prophylaxis_PenicillinAllergy_ProposesTheAlternative()
    {
        var proposal = PlanRules.Prophylaxis(["latex", "Penicillin (rash)"], Protocol.Antibiotics.IsBetaLactam, "cefazolin 1 g IV", "clindamycin 600 mg IV");

        Assert.Equal(new ProphylaxisProposal("clindamycin 600 mg IV", true), proposal);
    }

    [Fact]
    public void ConsultLeadTimeMet_TwoCalendarDaysBefore_IsMet()
    {
        Assert.True(PlanRules.ConsultLeadTimeMet(SlotStart.AddDays(-2).AddHours(9), SlotStart, 2, Protocol.SiteTimeZone));
    }

    [Fact]
    public void ConsultLeadTimeMet_TheDayBefore_IsNotMet()
    {
        Assert.False(PlanRules.ConsultLeadTimeMet(SlotStart.AddHours(-30), SlotStart, 2, Protocol.SiteTimeZone));
    }

    [Fact]
    public void ConsultLeadTimeMet_CountsSiteLocalCalendarDays_NotHours()
    {
        // 23:30 UTC on the 22nd is 00:30 on the 23rd in Paris: two local days before the 25th, although 56.5 h before.
        Assert.False(PlanRules.ConsultLeadTimeMet(new DateTimeOffset(2026, 11, 22, 23, 30, 0, TimeSpan.Zero), SlotStart.AddHours(-2), 3, Protocol.SiteTimeZone));
        Assert.True(PlanRules.ConsultLeadTimeMet(new DateTimeOffset(2026, 11, 22, 22, 30, 0, TimeSpan.Zero), SlotStart.AddHours(-2), 3, Protocol.SiteTimeZone));
    }

    [Fact]
    public void LabViolations_WithinLimits_None()
    {
        Assert.Empty(PlanRules.LabViolations(new Labs(1.5, 50, SlotStart), 1.5, 50));
        Assert.Empty(PlanRules.LabViolations(null, 1.5, 50));
    }

    [Fact]
    public void LabViolations_BothOutside_NamesBothRules()
    {
        var violations = PlanRules.LabViolations(new Labs(1.6, 49, SlotStart), 1.5, 50);

        Assert.Equal([GateRules.InrAboveLimit, GateRules.PlateletsBelowLimit], violations.Select(v => v.Rule));
    }
}
