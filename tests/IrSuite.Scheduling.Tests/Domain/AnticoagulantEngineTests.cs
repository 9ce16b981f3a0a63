using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Scheduling.Domain;
using IrSuite.ServiceDefaults.Clinical;
using MedicationKind = IrSuite.Common.V1.MedicationKind;

namespace IrSuite.Scheduling.Tests.Domain;

/// <summary>The hold table (SIR 2019 defaults of the site protocol) and the dates the engine derives from it.</summary>
public sealed class AnticoagulantEngineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly BleedingRiskRules Rules = new SiteProtocol().Bleeding;
    private static readonly Dictionary<string, DateTimeOffset> StillTaking = [];

    [Theory]
    [InlineData("warfarin", null, 5)]
    [InlineData("clopidogrel", null, 5)]
    [InlineData("prasugrel", null, 7)]
    [InlineData("ticagrelor", null, 5)]
    [InlineData("apixaban", 60.0, 2)]
    [InlineData("apixaban", 25.0, 3)]
    [InlineData("rivaroxaban", 29.0, 3)]
    [InlineData("dabigatran", 80.0, 2)]
    [InlineData("dabigatran", 40.0, 3)]
    [InlineData("dabigatran", 20.0, 4)]
    [InlineData("enoxaparin", null, 1)]
    [InlineData("ENOXAPARIN", null, 1)]
    public void Plan_HoldTable_GivesTheSiteHoldDays(string drug, double? crcl, double days)
    {
        var plan = AnticoagulantEngine.Plan([new DrugOnReferral(drug, MedicationKind.Anticoagulant)], crcl, StillTaking, Now, Rules);

        var line = Assert.Single(plan.Drugs);
        Assert.Equal(days, line.HoldDays);
        Assert.Equal(Now.AddDays(days), line.EarliestProcedureAt);
        Assert.Equal(Now.AddDays(days), plan.EarliestProcedureAt);
    }

    [Fact]
    public void Plan_ApixabanCrCl25_ThreeDaysFromLastDoseWithStopAndRestart()
    {
        var lastDose = Now.AddDays(-1);
        var plan = AnticoagulantEngine.Plan(
            [new DrugOnReferral("apixaban", MedicationKind.Anticoagulant)], 25, new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase) { ["Apixaban"] = lastDose }, Now, Rules);

        var line = Assert.Single(plan.Drugs);
        Assert.Equal(3, line.HoldDays);
        Assert.Equal(lastDose, line.LastDoseAt);
        Assert.Equal(lastDose.AddDays(3), plan.EarliestProcedureAt);
        var slot = Now.AddDays(4);
        Assert.Equal(slot.AddDays(-3), line.StopFrom(slot));
        Assert.Equal(slot.AddHours(25), line.RestartAfter(slot.AddHours(1)));
    }

    [Fact]
    public void Plan_SeveralDrugs_EarliestIsTheLatestHoldEnd()
    {
        var plan = AnticoagulantEngine.Plan(
            [new DrugOnReferral("clopidogrel", MedicationKind.Antiplatelet), new DrugOnReferral("prasugrel", MedicationKind.Antiplatelet), new DrugOnReferral("paracetamol", MedicationKind.Other)],
            null, StillTaking, Now, Rules);

        Assert.Equal(["clopidogrel", "prasugrel"], plan.Drugs.Select(d => d.Drug));
        Assert.Equal(Now.AddDays(7), plan.EarliestProcedureAt);
    }

    [Fact]
    public void Plan_DrugOnTableButNotClassified_IsStillHeld()
    {
        var plan = AnticoagulantEngine.Plan([new DrugOnReferral("Warfarin", MedicationKind.Unspecified)], null, StillTaking, Now, Rules);

        var line = Assert.Single(plan.Drugs);
        Assert.Equal(MedicationKind.Anticoagulant, line.Kind);
        Assert.True(plan.StopsWarfarin);
    }

    [Fact]
    public void Plan_NoAnticoagulant_EmptyPlanEarliestNow()
    {
        var plan = AnticoagulantEngine.Plan([new DrugOnReferral("paracetamol", MedicationKind.Other)], null, StillTaking, Now, Rules);

        Assert.Empty(plan.Drugs);
        Assert.Equal(Now, plan.EarliestProcedureAt);
    }

    [Fact]
    public void Plan_UnknownDrugAndRenalDrugWithoutCrCl_RefusesBothAtOnce()
    {
        var ex = Assert.Throws<RpcException>(() => AnticoagulantEngine.Plan(
            [new DrugOnReferral("phenindione", MedicationKind.Anticoagulant), new DrugOnReferral("dabigatran", MedicationKind.Anticoagulant)], null, StillTaking, Now, Rules));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("ANTICOAGULANT_UNKNOWN_DRUG", ex.GetDetail<ErrorInfo>()?.Type);
        Assert.Equal(["ANTICOAGULANT_UNKNOWN_DRUG", "CREATININE_CLEARANCE_REQUIRED"], ex.GetDetail<PreconditionFailure>()!.Violations.Select(v => v.Subject));
        Assert.DoesNotContain("phenindione", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_RenalDrugWithoutCrCl_RefusedCreatinineClearanceRequired()
    {
        var ex = Assert.Throws<RpcException>(() => AnticoagulantEngine.Plan([new DrugOnReferral("apixaban", MedicationKind.Anticoagulant)], null, StillTaking, Now, Rules));

        Assert.Equal("CREATININE_CLEARANCE_REQUIRED", ex.GetDetail<ErrorInfo>()?.Type);
    }
}
