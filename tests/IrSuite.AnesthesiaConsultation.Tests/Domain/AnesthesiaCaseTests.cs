using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.AnesthesiaConsultation.Tests.Domain;

public sealed class AnesthesiaCaseTests
{
    private static readonly SiteProtocol Protocol = new();
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid ReferralId = Guid.NewGuid();
    private static readonly Guid PatientId = Guid.NewGuid();

    [Fact]
    public void Open_NewCase_AwaitsAssessmentAtVersionOne()
    {
        var opened = AnesthesiaCase.Open(ReferralId, PatientId, SedationMode.ConsciousSedation, Now);

        Assert.Equal(CaseStatus.AwaitingAssessment, opened.Status);
        Assert.Equal(SedationMode.ConsciousSedation, opened.ExpectedSedation);
        Assert.Equal(SedationMode.None, opened.Sedation);
        Assert.Null(opened.Assessment);
        Assert.Null(opened.Clearance);
        Assert.False(opened.IsSigned);
        Assert.Equal(1, opened.Version);
        Assert.Equal(Now, opened.OpenedAt);
    }

    [Fact]
    public void RecordAssessment_OpenCase_BecomesAssessed()
    {
        var assessed = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol);

        Assert.Equal(CaseStatus.Assessed, assessed.Status);
        Assert.Equal(AsaClass.II, assessed.Assessment!.AsaClass);
        Assert.Equal(1, assessed.Version); // the store bumps the version, not the domain
    }

    [Fact]
    public void RecordAssessment_AlreadyAssessed_ReplacesTheAssessment()
    {
        var reassessed = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol).RecordAssessment(Assessment(AsaClass.IV), Protocol);

        Assert.Equal(CaseStatus.Assessed, reassessed.Status);
        Assert.Equal(AsaClass.IV, reassessed.Assessment!.AsaClass);
    }

    [Fact]
    public void RecordAssessment_AfterPlanningSedation_KeepsTheSedationPlan()
    {
        var reassessed = Planned(SedationMode.Local).RecordAssessment(Assessment(AsaClass.III), Protocol);

        Assert.Equal(SedationMode.Local, reassessed.Sedation);
        Assert.Equal(AsaClass.III, reassessed.Assessment!.AsaClass);
    }

    [Fact]
    public void RecordAssessment_ClearanceSigned_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Signed().RecordAssessment(Assessment(AsaClass.I), Protocol));

        Assert.Equal(GateRules.ClearanceAlreadySigned, refused.Rule);
    }

    [Fact]
    public void PlanSedation_NotAssessed_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Opened().PlanSedation(new SedationPlan(SedationMode.General, "anaesthesiologist choice", [], null), Protocol));

        Assert.Equal(GateRules.AssessmentRequired, refused.Rule);
    }

    [Fact]
    public void PlanSedation_Assessed_SetsTheMode()
    {
        var planned = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol).PlanSedation(new SedationPlan(SedationMode.LocalWithSedation, "anaesthesiologist choice", [], null), Protocol);

        Assert.Equal(SedationMode.LocalWithSedation, planned.Sedation);
        Assert.Equal(CaseStatus.Assessed, planned.Status);
    }

    [Fact]
    public void PlanSedation_AlreadyPlanned_ChangesTheMode()
    {
        var replanned = Planned(SedationMode.Local).PlanSedation(new SedationPlan(SedationMode.General, "anaesthesiologist choice", [], null), Protocol);

        Assert.Equal(SedationMode.General, replanned.Sedation);
    }

    [Fact]
    public void PlanSedation_ClearanceSigned_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Signed().PlanSedation(new SedationPlan(SedationMode.Local, "anaesthesiologist choice", [], null), Protocol));

        Assert.Equal(GateRules.ClearanceAlreadySigned, refused.Rule);
    }

    [Fact]
    public void PlanSedation_NoMode_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Opened().RecordAssessment(Assessment(AsaClass.II), Protocol).PlanSedation(new SedationPlan(SedationMode.None, "anaesthesiologist choice", [], null), Protocol));
    }

    [Fact]
    public void SignClearance_NotAssessed_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Opened().SignClearance(Clearance(ClearanceDecision.Fit), Protocol));

        Assert.Equal(GateRules.AssessmentRequired, refused.Rule);
    }

    [Fact]
    public void SignClearance_NoSedationPlan_IsRefused()
    {
        var assessed = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol);

        var refused = Assert.Throws<GateRefusedException>(() => assessed.SignClearance(Clearance(ClearanceDecision.Fit), Protocol));

        Assert.Equal(GateRules.SedationPlanRequired, refused.Rule);
    }

    [Theory]
    [InlineData(ClearanceDecision.Fit)]
    [InlineData(ClearanceDecision.FitWithConditions)]
    [InlineData(ClearanceDecision.NotFit)]
    public void SignClearance_AssessedAndPlanned_IsCleared(ClearanceDecision decision)
    {
        var clearance = Clearance(decision, decision == ClearanceDecision.FitWithConditions ? ["INR check the day before"] : []);

        var signed = Planned(SedationMode.General).SignClearance(clearance, Protocol);

        Assert.Equal(CaseStatus.Cleared, signed.Status);
        Assert.True(signed.IsSigned);
        Assert.Same(clearance, signed.Clearance);
        Assert.Equal(SedationMode.General, signed.Sedation);
    }

    [Fact]
    public void SignClearance_AlreadySigned_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Signed().SignClearance(Clearance(ClearanceDecision.NotFit), Protocol));

        Assert.Equal(GateRules.ClearanceAlreadySigned, refused.Rule);
    }

    [Fact]
    public void SignClearance_FitWithConditionsWithoutConditions_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => Planned(SedationMode.Local).SignClearance(Clearance(ClearanceDecision.FitWithConditions), Protocol));
    }

    [Fact]
    public void RecordAssessment_AsaVi_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Opened().RecordAssessment(Assessment(AsaClass.VI), Protocol));

        Assert.Equal(GateRules.AsaViNotEligible, refused.Rule);
    }

    [Fact]
    public void RecordAssessment_AsaV_IsAccepted()
    {
        Assert.Equal(AsaClass.V, Opened().RecordAssessment(Assessment(AsaClass.V), Protocol).Assessment!.AsaClass);
    }

    [Fact]
    public void PlanSedation_SuggestedMode_NeedsNoDeviationReason()
    {
        // ASA II, no levels, calm, tolerates prone: LOCAL suggested.
        var planned = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol).PlanSedation(new SedationPlan(SedationMode.Local, null, [], null), Protocol);

        Assert.Equal(SedationMode.Local, planned.Sedation);
        Assert.Null(planned.DeviationReason);
    }

    [Fact]
    public void PlanSedation_OtherModeWithoutDeviationReason_IsRejectedNamingTheField()
    {
        var assessed = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol);

        var rejected = Assert.Throws<InvalidFieldException>(() => assessed.PlanSedation(new SedationPlan(SedationMode.General, "  ", [], null), Protocol));

        Assert.Equal("deviation_reason", rejected.Field);
    }

    [Fact]
    public void PlanSedation_OtherModeWithDeviationReason_KeepsTheReason()
    {
        var planned = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol)
            .PlanSedation(new SedationPlan(SedationMode.General, " patient request ", [], null), Protocol);

        Assert.Equal(SedationMode.General, planned.Sedation);
        Assert.Equal("patient request", planned.DeviationReason);
    }

    [Fact]
    public void PlanSedation_BetaLactamForABetaLactamAllergy_IsRefused()
    {
        var assessed = Opened().RecordAssessment(Assessment(AsaClass.II) with { Allergies = ["amoxicillin"] }, Protocol);

        var refused = Assert.Throws<GateRefusedException>(() => assessed.PlanSedation(new SedationPlan(SedationMode.Local, null, [], "cefazolin 2 g IV"), Protocol));

        Assert.Equal(GateRules.AntibioticAllergyConflict, refused.Rule);
    }

    [Fact]
    public void PlanSedation_AlternativeForABetaLactamAllergy_IsRecorded()
    {
        var premedication = new Premedication("hydroxyzine", "25 mg", PremedicationTiming.EveningBefore, "");
        var planned = Opened().RecordAssessment(Assessment(AsaClass.II) with { Allergies = ["amoxicillin"] }, Protocol)
            .PlanSedation(new SedationPlan(SedationMode.Local, null, [premedication], "clindamycin 600 mg IV"), Protocol);

        Assert.Equal("clindamycin 600 mg IV", planned.AntibioticProphylaxis);
        Assert.Equal([premedication], planned.Premedication);
        Assert.Equal("clindamycin 600 mg IV", planned.ProposedProphylaxis(Protocol)!.Proposed);
    }

    [Fact]
    public void RecordAssessment_NewBetaLactamAllergyAfterABetaLactamWasChosen_IsRefused()
    {
        var planned = Opened().RecordAssessment(Assessment(AsaClass.II), Protocol)
            .PlanSedation(new SedationPlan(SedationMode.Local, null, [], "cefazolin 1 g IV"), Protocol);

        var refused = Assert.Throws<GateRefusedException>(() => planned.RecordAssessment(Assessment(AsaClass.II) with { Allergies = ["penicillin"] }, Protocol));

        Assert.Equal(GateRules.AntibioticAllergyConflict, refused.Rule);
    }

    [Fact]
    public void SignClearance_FitWithInrAboveTheLimit_IsRefused()
    {
        var planned = PlannedWithLabs(new Labs(1.6, 200, Now));

        var refused = Assert.Throws<GateRefusedException>(() => planned.SignClearance(Clearance(ClearanceDecision.Fit), Protocol));

        Assert.Equal([GateRules.InrAboveLimit], refused.Violations.Select(v => v.Rule));
    }

    [Fact]
    public void SignClearance_FitWithBothLabsOutside_NamesBothRules()
    {
        var planned = PlannedWithLabs(new Labs(2.0, 30, Now));

        var refused = Assert.Throws<GateRefusedException>(() => planned.SignClearance(Clearance(ClearanceDecision.Fit), Protocol));

        Assert.Equal([GateRules.InrAboveLimit, GateRules.PlateletsBelowLimit], refused.Violations.Select(v => v.Rule));
        Assert.Equal(GateRules.InrAboveLimit, refused.Rule);
    }

    [Fact]
    public void SignClearance_FitWithConditionsWithLabsOutside_IsCleared()
    {
        var signed = PlannedWithLabs(new Labs(1.6, 40, Now)).SignClearance(Clearance(ClearanceDecision.FitWithConditions, "correct INR and platelets"), Protocol);

        Assert.Equal(CaseStatus.Cleared, signed.Status);
    }

    [Fact]
    public void SignClearance_FitWithLabsAtTheRaisedInrLimit_IsCleared()
    {
        var protocol = new SiteProtocol();
        protocol.Bleeding.InrMax = new(1.8, "test");

        var signed = PlannedWithLabs(new Labs(1.8, 50, Now)).SignClearance(Clearance(ClearanceDecision.Fit), protocol);

        Assert.Equal(ClearanceDecision.Fit, signed.Clearance!.Decision);
    }

    [Fact]
    public void RecordPreAnestheticVisit_NotCleared_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Planned(SedationMode.General).RecordPreAnestheticVisit(new PreAnestheticVisit(Now, "a-1"), Protocol));

        Assert.Equal(GateRules.ClearanceRequired, refused.Rule);
    }

    [Fact]
    public void RecordPreAnestheticVisit_NotFit_IsRefused()
    {
        var notFit = Planned(SedationMode.General).SignClearance(Clearance(ClearanceDecision.NotFit), Protocol);

        var refused = Assert.Throws<GateRefusedException>(() => notFit.RecordPreAnestheticVisit(new PreAnestheticVisit(Now, "a-1"), Protocol));

        Assert.Equal(GateRules.ClearanceRequired, refused.Rule);
    }

    [Theory]
    [InlineData(-24.0)]
    [InlineData(-1.0)]
    [InlineData(0.0)]
    public void RecordPreAnestheticVisit_WithinTheWindow_IsRecorded(double hoursFromStart)
    {
        var slot = Now.AddDays(3);
        var visit = new PreAnestheticVisit(slot.AddHours(hoursFromStart), "a-1");

        var visited = (Signed() with { SlotStart = slot }).RecordPreAnestheticVisit(visit, Protocol);

        Assert.Equal(visit, visited.Visit);
    }

    [Theory]
    [InlineData(-24.1)]
    [InlineData(-48.0)]
    [InlineData(0.5)]
    public void RecordPreAnestheticVisit_OutsideTheWindow_IsRefused(double hoursFromStart)
    {
        var slot = Now.AddDays(3);
        var cleared = Signed() with { SlotStart = slot };

        var refused = Assert.Throws<GateRefusedException>(() => cleared.RecordPreAnestheticVisit(new PreAnestheticVisit(slot.AddHours(hoursFromStart), "a-1"), Protocol));

        Assert.Equal(GateRules.PreAnestheticVisitOutOfWindow, refused.Rule);
    }

    [Fact]
    public void RecordPreAnestheticVisit_SlotUnknown_IsRecorded()
    {
        Assert.NotNull(Signed().RecordPreAnestheticVisit(new PreAnestheticVisit(Now.AddDays(-5), "a-1"), Protocol).Visit);
    }

    [Fact]
    public void ConsultLeadTimeMet_SlotUnknown_IsNull()
    {
        Assert.Null(Planned(SedationMode.General).ConsultLeadTimeMet(Protocol));
    }

    [Fact]
    public void ConsultLeadTimeMet_SlotTooSoon_IsFalse()
    {
        Assert.False((Planned(SedationMode.General) with { SlotStart = Now.AddDays(1) }).ConsultLeadTimeMet(Protocol));
        Assert.True((Planned(SedationMode.General) with { SlotStart = Now.AddDays(2) }).ConsultLeadTimeMet(Protocol));
    }

    [Fact]
    public void Fasting_SlotSedationGiven_WinsOverThePlan()
    {
        var local = Planned(SedationMode.Local) with { SlotStart = Now.AddDays(3), SlotSedation = SedationMode.General };

        Assert.True(local.Fasting(Protocol)!.Applies);
        Assert.False((local with { SlotSedation = SedationMode.None }).Fasting(Protocol)!.Applies);
        Assert.Null((local with { SlotStart = null }).Fasting(Protocol));
    }

    [Fact]
    public void SuggestedSedation_LevelsFromTheReferral_DriveTheSuggestion()
    {
        var opened = AnesthesiaCase.Open(ReferralId, PatientId, ["T12", "L1", "L2"], SedationMode.None, "v1", Now);

        Assert.Null(opened.SuggestedSedation(Protocol));
        Assert.Equal(SedationMode.General, opened.RecordAssessment(Assessment(AsaClass.II), Protocol).SuggestedSedation(Protocol)!.Mode);
    }

    private static AnesthesiaCase PlannedWithLabs(Labs labs) =>
        Opened().RecordAssessment(Assessment(AsaClass.II) with { Labs = labs }, Protocol).PlanSedation(new SedationPlan(SedationMode.Local, null, [], null), Protocol);

    private static AnesthesiaCase Opened() => AnesthesiaCase.Open(ReferralId, PatientId, SedationMode.General, Now);

    private static AnesthesiaCase Planned(SedationMode mode) => Opened().RecordAssessment(Assessment(AsaClass.II), Protocol).PlanSedation(new SedationPlan(mode, "anaesthesiologist choice", [], null), Protocol);

    private static AnesthesiaCase Signed() => Planned(SedationMode.General).SignClearance(Clearance(ClearanceDecision.Fit), Protocol);

    private static Assessment Assessment(AsaClass asa) =>
        new(asa, false, ["I10"], ["latex"], [new MedicationInstruction("aspirin", MedicationKind.Antiplatelet, "75 mg", MedicationAction.Stop, Now.AddDays(3))], new Labs(1.1, 200, Now), Now);

    private static Clearance Clearance(ClearanceDecision decision, params string[] conditions) => new(decision, conditions, "anesthesiologist-1", Now);
}
