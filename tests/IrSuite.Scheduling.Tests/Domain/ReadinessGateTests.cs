using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Clinical;
using MedicationKind = IrSuite.Common.V1.MedicationKind;
using PregnancyStatus = IrSuite.Common.V1.PregnancyStatus;
using SedationMode = IrSuite.Common.V1.SedationMode;

namespace IrSuite.Scheduling.Tests.Domain;

/// <summary>The readiness gate as a pure function of its facts.</summary>
public sealed class ReadinessGateTests
{
    private static readonly SiteProtocol Protocol = new();
    private static readonly DateTimeOffset Slot = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    private static ReadinessFacts Ready(SedationMode sedation = SedationMode.General) => new(
        ReferralStatus.Accepted,
        sedation,
        PregnancyStatus.NotApplicable,
        [],
        new ClearanceView(true, false, sedation) { AssessedAt = Slot.AddDays(-3) },
        new ConsentFacts(["L1"], Slot.AddDays(-3)),
        new LabFacts(1.1, 200, null, Slot.AddDays(-2)),
        null);

    private static IReadOnlyList<string> Missing(ReadinessReport report) =>
        report.Items.Where(i => i.State == ReadinessState.Missing).Select(i => i.Code).Distinct().ToList();

    [Fact]
    public void Evaluate_AllFactsPresent_Ready()
    {
        var report = ReadinessGate.Evaluate(Ready(), Slot, Protocol);

        Assert.True(report.Ready);
        Assert.Null(report.Refusal());
        Assert.Equal(SedationMode.General, report.Sedation);
    }

    [Fact]
    public void Evaluate_LocalWithoutClearance_ClearanceAndLeadTimeNotApplicableSedationLocal()
    {
        var report = ReadinessGate.Evaluate(Ready(SedationMode.Local) with { Clearance = null }, Slot, Protocol);

        Assert.True(report.Ready);
        Assert.Equal(SedationMode.Local, report.Sedation);
        Assert.Equal(ReadinessState.NotApplicable, report.Items.Single(i => i.Item == ReadinessGate.Clearance).State);
    }

    [Fact]
    public void Evaluate_PlanSaysGeneralWhileIrExpectedLocal_ClearanceRequired()
    {
        var facts = Ready(SedationMode.Local) with { Clearance = new ClearanceView(false, false, SedationMode.General) { AssessedAt = Slot.AddDays(-3) } };

        Assert.Equal(["CLEARANCE_REQUIRED"], Missing(ReadinessGate.Evaluate(facts, Slot, Protocol)));
    }

    [Fact]
    public void Evaluate_NotFitEvenUnderLocal_Refused() =>
        Assert.Equal(["CLEARANCE_NOT_FIT"], Missing(ReadinessGate.Evaluate(Ready(SedationMode.Local) with { Clearance = new ClearanceView(true, true, SedationMode.Local) }, Slot, Protocol)));

    [Theory]
    [InlineData(-1, false)]
    [InlineData(-2, true)]
    public void Evaluate_ConsultLeadTime_CountsCalendarDays(int days, bool met)
    {
        var facts = Ready() with { Clearance = new ClearanceView(true, false, SedationMode.General) { AssessedAt = Slot.AddDays(days).AddHours(8) } };

        Assert.Equal(met, ReadinessGate.Evaluate(facts, Slot, Protocol).Ready);
    }

    [Fact]
    public void Evaluate_ConsultLeadTime_UsesSiteLocalDates()
    {
        // 22:30 UTC on 23 Nov is 23:30 in Paris (23 Nov); a slot at 23:30 UTC on 24 Nov is 00:30 on 25 Nov in Paris: 2 calendar days.
        var facts = Ready() with { Clearance = new ClearanceView(true, false, SedationMode.General) { AssessedAt = new DateTimeOffset(2026, 11, 23, 22, 30, 0, TimeSpan.Zero) } };
        var slot = new DateTimeOffset(2026, 11, 24, 23, 30, 0, TimeSpan.Zero);

        Assert.Equal(ReadinessState.Met, ReadinessGate.Evaluate(facts with { Labs = new LabFacts(1.1, 200, null, slot.AddDays(-1)) }, slot, Protocol).Items.Single(i => i.Item == ReadinessGate.ConsultLeadTime).State);
    }

    [Fact]
    public void Evaluate_EverythingMissing_FixedOrderAndFirstInErrorInfo()
    {
        var facts = new ReadinessFacts(ReferralStatus.Submitted, SedationMode.Unspecified, PregnancyStatus.Possible, [new DrugOnReferral("warfarin", MedicationKind.Anticoagulant)], null, null, null, null);

        var report = ReadinessGate.Evaluate(facts, Slot, Protocol);

        Assert.Equal(
            ["IR_CONSULT_REQUIRED", "CLEARANCE_REQUIRED", "ANESTHESIA_CONSULT_TOO_LATE", "CONSENT_REQUIRED", "LABS_REQUIRED", "ANTICOAGULANT_PLAN_REQUIRED", "PREGNANCY_NOT_EXCLUDED"],
            Missing(report));
        var refusal = report.Refusal()!;
        Assert.Equal("IR_CONSULT_REQUIRED", refusal.GetDetail<Google.Rpc.ErrorInfo>()?.Type);
        Assert.Equal(7, refusal.GetDetail<Google.Rpc.PreconditionFailure>()!.Violations.Count);
    }

    [Theory]
    [InlineData(1.6, 200, "INR_ABOVE_LIMIT")]
    [InlineData(1.1, 49, "PLATELETS_BELOW_LIMIT")]
    public void Evaluate_LabLimits_Refused(double inr, double platelets, string code) =>
        Assert.Equal([code], Missing(ReadinessGate.Evaluate(Ready() with { Labs = new LabFacts(inr, platelets, null, Slot.AddDays(-1)) }, Slot, Protocol)));

    [Fact]
    public void Evaluate_LabsSixDaysOld_Expired() =>
        Assert.Equal(["LABS_EXPIRED"], Missing(ReadinessGate.Evaluate(Ready() with { Labs = new LabFacts(1.1, 200, null, Slot.AddDays(-6)) }, Slot, Protocol)));

    [Fact]
    public void Evaluate_HoldPlanEndsAfterSlot_HoldTooShort()
    {
        var plan = new HoldPlan([new DrugHoldLine("clopidogrel", MedicationKind.Antiplatelet, 5, null, Slot.AddHours(1), 24, "")], Slot.AddHours(1), null, Slot.AddDays(-5));
        var facts = Ready() with { Medications = [new DrugOnReferral("clopidogrel", MedicationKind.Antiplatelet)], HoldPlan = plan };

        Assert.Equal(["ANTICOAGULANT_HOLD_TOO_SHORT"], Missing(ReadinessGate.Evaluate(facts, Slot, Protocol)));
        Assert.True(ReadinessGate.Evaluate(facts, Slot.AddHours(1), Protocol).Ready);
    }

    [Fact]
    public void Evaluate_NoSlot_SlotItemsNeedASlot()
    {
        var report = ReadinessGate.Evaluate(Ready(), null, Protocol);

        Assert.False(report.Ready);
        Assert.Null(report.Refusal());
        Assert.Equal([ReadinessGate.ConsultLeadTime, ReadinessGate.LabValidity], report.Items.Where(i => i.State == ReadinessState.NeedsSlot).Select(i => i.Item));
    }
}
