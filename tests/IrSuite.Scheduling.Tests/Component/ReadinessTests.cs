using Google.Protobuf.WellKnownTypes;
using IrSuite.Anesthesia.V1;
using IrSuite.Contracts;
using IrSuite.Contracts.Scheduling;
using IrSuite.Scheduling.V1;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Tests.Component;

/// <summary>The readiness gate over real gRPC: BookAppointment(PROCEDURE) refusals list every missing item; GetReadiness shows them.</summary>
public sealed class ReadinessTests : SchedulingComponentTest
{
    [Fact]
    public async Task BookProcedure_NothingReady_ListsEveryMissingItemInOrderAndWritesNothing()
    {
        var request = NewReferral(Drug("warfarin"));
        request.Pregnancy = CommonV1.PregnancyStatus.Possible;
        var referral = await Host.SubmitReferralAsync(request);

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "IR_CONSULT_REQUIRED");

        Assert.Equal(
            ["IR_CONSULT_REQUIRED", "CLEARANCE_REQUIRED", "ANESTHESIA_CONSULT_TOO_LATE", "CONSENT_REQUIRED", "LABS_REQUIRED", "ANTICOAGULANT_PLAN_REQUIRED", "PREGNANCY_NOT_EXCLUDED"],
            Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);
        Assert.DoesNotContain("Test", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BookProcedure_EveryItemMet_BooksAndPublishesTheNewFields()
    {
        var referral = await ReadyReferralAsync();

        var appointment = await Host.BookAsync(Procedure(referral.ReferralId));

        Assert.Equal("REC-1", appointment.RecoveryBed);
        Assert.Equal(CommonV1.AdmissionType.Ambulatory, appointment.Admission);
        Assert.Equal(Protocol.AppliedVersion, appointment.ProtocolVersion);
        var scheduled = await Host.Events.WaitForAsync<ProcedureScheduled>(e => e.ReferralId.ToString() == referral.ReferralId);
        Assert.Equal(["L1", "L2"], scheduled.ConsentedLevels);
        Assert.Equal(SedationCodes.General, scheduled.SedationMode);
        Assert.Equal(AdmissionCodes.Ambulatory, scheduled.Admission);
        Assert.Equal([AllergyCodes.BetaLactam], scheduled.AllergyClasses);
        Assert.Equal("NOT_APPLICABLE", scheduled.Pregnancy);
        Assert.Equal("OSTEOPOROTIC_FRACTURE", scheduled.Indication);
        Assert.Equal(60, scheduled.DurationMinutes);
        Assert.Equal(Protocol.AppliedVersion, scheduled.ProtocolVersion);
        Assert.Equal(ReferralStatus.Scheduled, (await Host.GetReferralAsync(referral.ReferralId)).Status);
        Assert.Equal(1, await Host.OutboxCountAsync("ProcedureScheduled", referral.ReferralId));
    }

    [Fact]
    public async Task GetReadiness_WithoutProposedStart_SlotItemsNeedASlotAndNotReady()
    {
        var referral = await ReadyReferralAsync();

        var readiness = await Host.GetReadinessAsync(new GetReadinessRequest { ReferralId = referral.ReferralId });

        Assert.False(readiness.Ready);
        Assert.Equal(ReadinessState.NeedsSlot, readiness.Items.Single(i => i.Item == "ANESTHESIA_CONSULT_LEAD_TIME").State);
        Assert.Equal(ReadinessState.NeedsSlot, readiness.Items.Single(i => i.Item == "LABS_VALIDITY").State);
        Assert.DoesNotContain(readiness.Items, i => i.State == ReadinessState.Missing);
    }

    [Fact]
    public async Task GetReadiness_ReadyPatientAndSlot_EveryItemMetOrNotApplicable()
    {
        var referral = await ReadyReferralAsync();

        var readiness = await Host.GetReadinessAsync(new GetReadinessRequest { ReferralId = referral.ReferralId, ProposedStart = Timestamp.FromDateTimeOffset(Slot) });

        Assert.True(readiness.Ready);
        Assert.Equal(CommonV1.SedationMode.General, readiness.Sedation);
        Assert.Equal(
            ["IR_CONSULT", "ANESTHESIA_CLEARANCE", "ANESTHESIA_CONSULT_LEAD_TIME", "CONSENT", "LABS_VALIDITY", "INR", "PLATELETS", "ANTICOAGULANT_PLAN", "ANTICOAGULANT_HOLD", "PREGNANCY"],
            readiness.Items.Select(i => i.Item));
        Assert.Equal(Protocol.AppliedVersion, readiness.ProtocolVersion);
    }

    [Fact]
    public async Task GetReadiness_MissingConsent_ReportsCode()
    {
        var referral = await AcceptedReferralAsync();
        SetPlan(referral.ReferralId);
        await LabsAsync(referral.ReferralId);

        var readiness = await Host.GetReadinessAsync(new GetReadinessRequest { ReferralId = referral.ReferralId, ProposedStart = Timestamp.FromDateTimeOffset(Slot) });

        var consent = readiness.Items.Single(i => i.Item == "CONSENT");
        Assert.Equal(ReadinessState.Missing, consent.State);
        Assert.Equal("CONSENT_REQUIRED", consent.Code);
        Assert.False(readiness.Ready);
    }

    [Fact]
    public async Task BookProcedure_NoConsent_RefusedConsentRequired()
    {
        var referral = await AcceptedReferralAsync();
        SetPlan(referral.ReferralId);
        await LabsAsync(referral.ReferralId);

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "CONSENT_REQUIRED");

        Assert.Single(Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_SedatedWithoutClearance_RefusedClearanceRequired()
    {
        var referral = await AcceptedReferralAsync(sedation: CommonV1.SedationMode.ConsciousSedation);
        await ConsentAsync(referral.ReferralId);
        await LabsAsync(referral.ReferralId);

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "CLEARANCE_REQUIRED");

        Assert.Equal(["CLEARANCE_REQUIRED", "ANESTHESIA_CONSULT_TOO_LATE"], Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_AssessedButNotSigned_RefusedClearanceRequired()
    {
        var referral = await ReadyReferralAsync();
        SetPlan(referral.ReferralId, ClearanceDecision.Unspecified);

        await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "CLEARANCE_REQUIRED");
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_ClearanceNotFit_RefusedClearanceNotFit()
    {
        var referral = await ReadyReferralAsync();
        SetPlan(referral.ReferralId, ClearanceDecision.NotFit);

        await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "CLEARANCE_NOT_FIT");
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_FitWithConditions_Books()
    {
        var referral = await ReadyReferralAsync();
        SetPlan(referral.ReferralId, ClearanceDecision.FitWithConditions, CommonV1.SedationMode.LocalWithSedation);

        await Host.BookAsync(Procedure(referral.ReferralId));

        var scheduled = await Host.Events.WaitForAsync<ProcedureScheduled>(e => e.ReferralId.ToString() == referral.ReferralId);
        Assert.Equal(SedationCodes.LocalWithSedation, scheduled.SedationMode);
    }

    [Fact]
    public async Task BookProcedure_LocalAnaesthesiaWithoutAnyAnaesthesiaCase_BooksWithLocal()
    {
        var referral = await AcceptedReferralAsync(sedation: CommonV1.SedationMode.Local);
        await ConsentAsync(referral.ReferralId);
        await LabsAsync(referral.ReferralId);

        await Host.BookAsync(Procedure(referral.ReferralId));

        var scheduled = await Host.Events.WaitForAsync<ProcedureScheduled>(e => e.ReferralId.ToString() == referral.ReferralId);
        Assert.Equal(SedationCodes.Local, scheduled.SedationMode);
    }

    [Fact]
    public async Task BookProcedure_AnaesthesiaConsultOneDayBefore_RefusedTooLate()
    {
        var referral = await ReadyReferralAsync();
        SetPlan(referral.ReferralId, assessedAt: Slot.AddDays(-1));

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "ANESTHESIA_CONSULT_TOO_LATE");

        Assert.Single(Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_AnaesthesiaConsultExactlyLeadDaysBefore_Books()
    {
        var referral = await ReadyReferralAsync();
        SetPlan(referral.ReferralId, assessedAt: Slot.AddDays(-2).AddHours(5));

        var appointment = await Host.BookAsync(Procedure(referral.ReferralId));

        Assert.False(appointment.Cancelled);
    }

    [Fact]
    public async Task BookProcedure_PregnancyPossible_RefusedThenBooksOnceExcluded()
    {
        var request = NewReferral();
        request.Pregnancy = CommonV1.PregnancyStatus.Possible;
        var referral = await ReadyReferralAsync(request);

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "PREGNANCY_NOT_EXCLUDED");
        Assert.Single(Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);

        var updated = await Host.UpdatePregnancyAsync(new UpdatePregnancyStatusRequest { ReferralId = referral.ReferralId, Pregnancy = CommonV1.PregnancyStatus.Excluded });
        Assert.Equal(CommonV1.PregnancyStatus.Excluded, updated.Pregnancy);
        await Host.BookAsync(Procedure(referral.ReferralId));
        var scheduled = await Host.Events.WaitForAsync<ProcedureScheduled>(e => e.ReferralId.ToString() == referral.ReferralId);
        Assert.Equal("EXCLUDED", scheduled.Pregnancy);
    }

    [Fact]
    public async Task UpdatePregnancyStatus_Unspecified_InvalidArgument()
    {
        var referral = await AcceptedReferralAsync();

        var fields = await AssertInvalidAsync(Host.UpdatePregnancyAsync(new UpdatePregnancyStatusRequest { ReferralId = referral.ReferralId }));

        Assert.Equal(["pregnancy"], fields);
    }

    [Fact]
    public async Task BookProcedure_AnaesthesiaUnreachable_Unavailable()
    {
        await using var isolated = await Infrastructure.SchedulingHost.StartAsync(
            Clock, Path.Combine(Directory, "isolated"), new Dictionary<string, string?> { ["Services:anesthesia-consultation:Address"] = "http://127.0.0.1:9" });
        var other = await isolated.SubmitReferralAsync(NewReferral());

        var ex = await Assert.ThrowsAsync<IrSuite.Grpc.RpcException>(() => isolated.BookAsync(Procedure(other.ReferralId)));

        Assert.Equal(IrSuite.Grpc.StatusCode.Unavailable, ex.StatusCode);
    }
}
