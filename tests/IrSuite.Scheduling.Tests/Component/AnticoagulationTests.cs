using Google.Protobuf.WellKnownTypes;
using IrSuite.Scheduling.V1;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Tests.Component;

/// <summary>PlanAnticoagulation over gRPC and the anticoagulant items of the readiness gate (SIR 2019 hold table).</summary>
public sealed class AnticoagulationTests : SchedulingComponentTest
{
    [Fact]
    public async Task BookProcedure_AnticoagulantWithoutPlan_RefusedPlanRequired()
    {
        var referral = await ReadyReferralAsync(NewReferral(Drug("clopidogrel", CommonV1.MedicationKind.Antiplatelet)));

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "ANTICOAGULANT_PLAN_REQUIRED");

        Assert.Equal(["ANTICOAGULANT_PLAN_REQUIRED"], Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_SlotBeforeHoldEnds_RefusedHoldTooShortWithEarliestDate()
    {
        var referral = await ReadyReferralAsync(NewReferral(Drug("prasugrel", CommonV1.MedicationKind.Antiplatelet)));
        var plan = await Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest { ReferralId = referral.ReferralId });
        Assert.Equal(Now.AddDays(7), plan.EarliestProcedureAt.ToDateTimeOffset());

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "ANTICOAGULANT_HOLD_TOO_SHORT");

        Assert.Contains("2026-11-30 08:00", ex.GetDetail<Google.Rpc.PreconditionFailure>()!.Violations[0].Description, StringComparison.Ordinal);
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_LastDoseLongEnoughBefore_Books()
    {
        var referral = await ReadyReferralAsync(NewReferral(Drug("clopidogrel", CommonV1.MedicationKind.Antiplatelet)));
        var plan = await Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest
        {
            ReferralId = referral.ReferralId,
            LastDoses = { new LastDose { Drug = "Clopidogrel", LastDoseAt = Timestamp.FromDateTimeOffset(Now.AddDays(-2)) } },
        });
        Assert.Equal(Now.AddDays(3), plan.EarliestProcedureAt.ToDateTimeOffset());

        var appointment = await Host.BookAsync(Procedure(referral.ReferralId, start: Now.AddDays(3)));

        Assert.False(appointment.Cancelled);
    }

    [Fact]
    public async Task PlanAnticoagulation_ApixabanWithCrCl25_ThreeDayHoldStoredWithProtocolVersion()
    {
        var referral = await AcceptedReferralAsync(NewReferral(Drug("apixaban")));

        var plan = await Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest
        {
            ReferralId = referral.ReferralId, CreatinineClearanceMlMin = 25, ProposedStart = Timestamp.FromDateTimeOffset(Slot), DurationMinutes = 60,
        });

        var drug = Assert.Single(plan.Drugs);
        Assert.Equal("apixaban", drug.Drug);
        Assert.Equal(3, drug.HoldDays);
        Assert.Equal(CommonV1.MedicationKind.Anticoagulant, drug.Kind);
        Assert.Equal(Now.AddDays(3), drug.EarliestProcedureAt.ToDateTimeOffset());
        Assert.Equal(Slot.AddDays(-3), drug.StopFrom.ToDateTimeOffset());
        Assert.Equal(Slot.AddHours(1 + 24), drug.RestartAfter.ToDateTimeOffset());
        Assert.Contains("SIR 2019", drug.Source, StringComparison.Ordinal);
        Assert.Equal(25, plan.CreatinineClearanceMlMin);
        Assert.Equal(Protocol.AppliedVersion, plan.ProtocolVersion);
        Assert.Equal(1, await Host.CountAsync("anticoagulant_plan"));
    }

    [Fact]
    public async Task PlanAnticoagulation_ApixabanWithoutCrCl_RefusedCreatinineClearanceRequiredAndNothingStored()
    {
        var referral = await AcceptedReferralAsync(NewReferral(Drug("apixaban")));

        await AssertGateAsync(Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest { ReferralId = referral.ReferralId }), "CREATININE_CLEARANCE_REQUIRED");

        Assert.Equal(0, await Host.CountAsync("anticoagulant_plan"));
    }

    [Fact]
    public async Task PlanAnticoagulation_CrClFromRecordedLabs_UsedForRenalHold()
    {
        var referral = await AcceptedReferralAsync(NewReferral(Drug("dabigatran")));
        await LabsAsync(referral.ReferralId, crcl: 40);

        var plan = await Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest { ReferralId = referral.ReferralId });

        Assert.Equal(3, Assert.Single(plan.Drugs).HoldDays);
        Assert.Equal(40, plan.CreatinineClearanceMlMin);
    }

    [Fact]
    public async Task PlanAnticoagulation_DrugNotOnTable_RefusedUnknownDrugAndNothingStored()
    {
        var referral = await AcceptedReferralAsync(NewReferral(Drug("phenprocoumon")));

        var ex = await AssertGateAsync(Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest { ReferralId = referral.ReferralId }), "ANTICOAGULANT_UNKNOWN_DRUG");

        Assert.DoesNotContain("phenprocoumon", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await Host.CountAsync("anticoagulant_plan"));
    }

    [Fact]
    public async Task PlanAnticoagulation_BadFields_InvalidArgumentNamingEachField()
    {
        var referral = await AcceptedReferralAsync(NewReferral(Drug("warfarin")));
        var request = new PlanAnticoagulationRequest
        {
            ReferralId = referral.ReferralId,
            CreatinineClearanceMlMin = -1,
            LastDoses = { new LastDose { Drug = "", LastDoseAt = Timestamp.FromDateTimeOffset(Now.AddDays(2)) } },
        };

        var fields = await AssertInvalidAsync(Host.PlanAnticoagulationAsync(request));

        Assert.Equal(["creatinine_clearance_ml_min", "last_doses[0].drug", "last_doses[0].last_dose_at"], fields);
    }

    [Fact]
    public async Task PlanAnticoagulation_LastDoseOfDrugNotOnReferral_InvalidArgument()
    {
        var referral = await AcceptedReferralAsync(NewReferral(Drug("warfarin")));

        var fields = await AssertInvalidAsync(Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest
        {
            ReferralId = referral.ReferralId, LastDoses = { new LastDose { Drug = "apixaban", LastDoseAt = Timestamp.FromDateTimeOffset(Now.AddDays(-1)) } },
        }));

        Assert.Equal(["last_doses[0].drug"], fields);
        Assert.Equal(0, await Host.CountAsync("anticoagulant_plan"));
    }

    [Fact]
    public async Task GetReadiness_WithPlan_ReportsEarliestStart()
    {
        var referral = await ReadyReferralAsync(NewReferral(Drug("enoxaparin")));
        await Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest { ReferralId = referral.ReferralId });

        var readiness = await Host.GetReadinessAsync(new GetReadinessRequest { ReferralId = referral.ReferralId, ProposedStart = Timestamp.FromDateTimeOffset(Slot) });

        Assert.True(readiness.Ready);
        Assert.Equal(Now.AddDays(1), readiness.EarliestStart.ToDateTimeOffset());
    }
}
