using IrSuite.AnesthesiaConsultation.Domain;

namespace IrSuite.AnesthesiaConsultation.Tests.Domain;

public sealed class AnesthesiaCaseTests
{
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
        var assessed = Opened().RecordAssessment(Assessment(AsaClass.II));

        Assert.Equal(CaseStatus.Assessed, assessed.Status);
        Assert.Equal(AsaClass.II, assessed.Assessment!.AsaClass);
        Assert.Equal(1, assessed.Version); // the store bumps the version, not the domain
    }

    [Fact]
    public void RecordAssessment_AlreadyAssessed_ReplacesTheAssessment()
    {
        var reassessed = Opened().RecordAssessment(Assessment(AsaClass.II)).RecordAssessment(Assessment(AsaClass.IV));

        Assert.Equal(CaseStatus.Assessed, reassessed.Status);
        Assert.Equal(AsaClass.IV, reassessed.Assessment!.AsaClass);
    }

    [Fact]
    public void RecordAssessment_AfterPlanningSedation_KeepsTheSedationPlan()
    {
        var reassessed = Planned(SedationMode.Local).RecordAssessment(Assessment(AsaClass.III));

        Assert.Equal(SedationMode.Local, reassessed.Sedation);
        Assert.Equal(AsaClass.III, reassessed.Assessment!.AsaClass);
    }

    [Fact]
    public void RecordAssessment_ClearanceSigned_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Signed().RecordAssessment(Assessment(AsaClass.I)));

        Assert.Equal(GateRules.ClearanceAlreadySigned, refused.Rule);
    }

    [Fact]
    public void PlanSedation_NotAssessed_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Opened().PlanSedation(SedationMode.General));

        Assert.Equal(GateRules.AssessmentRequired, refused.Rule);
    }

    [Fact]
    public void PlanSedation_Assessed_SetsTheMode()
    {
        var planned = Opened().RecordAssessment(Assessment(AsaClass.II)).PlanSedation(SedationMode.LocalWithSedation);

        Assert.Equal(SedationMode.LocalWithSedation, planned.Sedation);
        Assert.Equal(CaseStatus.Assessed, planned.Status);
    }

    [Fact]
    public void PlanSedation_AlreadyPlanned_ChangesTheMode()
    {
        var replanned = Planned(SedationMode.Local).PlanSedation(SedationMode.General);

        Assert.Equal(SedationMode.General, replanned.Sedation);
    }

    [Fact]
    public void PlanSedation_ClearanceSigned_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Signed().PlanSedation(SedationMode.Local));

        Assert.Equal(GateRules.ClearanceAlreadySigned, refused.Rule);
    }

    [Fact]
    public void PlanSedation_NoMode_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Opened().RecordAssessment(Assessment(AsaClass.II)).PlanSedation(SedationMode.None));
    }

    [Fact]
    public void SignClearance_NotAssessed_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Opened().SignClearance(Clearance(ClearanceDecision.Fit)));

        Assert.Equal(GateRules.AssessmentRequired, refused.Rule);
    }

    [Fact]
    public void SignClearance_NoSedationPlan_IsRefused()
    {
        var assessed = Opened().RecordAssessment(Assessment(AsaClass.II));

        var refused = Assert.Throws<GateRefusedException>(() => assessed.SignClearance(Clearance(ClearanceDecision.Fit)));

        Assert.Equal(GateRules.SedationPlanRequired, refused.Rule);
    }

    [Theory]
    [InlineData(ClearanceDecision.Fit)]
    [InlineData(ClearanceDecision.FitWithConditions)]
    [InlineData(ClearanceDecision.NotFit)]
    public void SignClearance_AssessedAndPlanned_IsCleared(ClearanceDecision decision)
    {
        var clearance = Clearance(decision, decision == ClearanceDecision.FitWithConditions ? ["INR check the day before"] : []);

        var signed = Planned(SedationMode.General).SignClearance(clearance);

        Assert.Equal(CaseStatus.Cleared, signed.Status);
        Assert.True(signed.IsSigned);
        Assert.Same(clearance, signed.Clearance);
        Assert.Equal(SedationMode.General, signed.Sedation);
    }

    [Fact]
    public void SignClearance_AlreadySigned_IsRefused()
    {
        var refused = Assert.Throws<GateRefusedException>(() => Signed().SignClearance(Clearance(ClearanceDecision.NotFit)));

        Assert.Equal(GateRules.ClearanceAlreadySigned, refused.Rule);
    }

    [Fact]
    public void SignClearance_FitWithConditionsWithoutConditions_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => Planned(SedationMode.Local).SignClearance(Clearance(ClearanceDecision.FitWithConditions)));
    }

    private static AnesthesiaCase Opened() => AnesthesiaCase.Open(ReferralId, PatientId, SedationMode.General, Now);

    private static AnesthesiaCase Planned(SedationMode mode) => Opened().RecordAssessment(Assessment(AsaClass.II)).PlanSedation(mode);

    private static AnesthesiaCase Signed() => Planned(SedationMode.General).SignClearance(Clearance(ClearanceDecision.Fit));

    private static Assessment Assessment(AsaClass asa) =>
        new(asa, false, ["I10"], ["latex"], [new MedicationInstruction("aspirin", MedicationKind.Antiplatelet, "75 mg", MedicationAction.Stop, Now.AddDays(3))], new Labs(1.1, 200, Now), Now);

    private static Clearance Clearance(ClearanceDecision decision, params string[] conditions) => new(decision, conditions, "anesthesiologist-1", Now);
}
