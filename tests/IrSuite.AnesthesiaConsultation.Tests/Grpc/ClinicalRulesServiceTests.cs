using Google.Protobuf.WellKnownTypes;
using IrSuite.Anesthesia.V1;
using IrSuite.AnesthesiaConsultation.Tests.Infrastructure;
using IrSuite.Common.V1;
using IrSuite.Contracts.Scheduling;
using IrSuite.Grpc;
using IrSuite.TestSupport;

namespace IrSuite.AnesthesiaConsultation.Tests.Grpc;

/// <summary>The issue-4 clinical rules over real gRPC: each refusal (status, rule code, nothing written) and its permitted path.</summary>
public sealed class ClinicalRulesServiceTests : AnesthesiaHostTest
{
    private static readonly DateTimeOffset Start = AnesthesiaServiceHost.Start;
    [Fact]
    public async Task RecordAssessment_AsaVi_FailsAsaViNotEligibleAndWritesNothing()
    {
        var accepted = await Host.AcceptReferralAsync();
        var before = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        var request = Requests.Assessment(accepted.ReferralId);
        request.AsaClass = AsaClass.Vi;

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordAssessmentAsync(request));

        RpcAssert.Gate(ex, "ASA_VI_NOT_ELIGIBLE");
        Assert.Equal(before, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
        Assert.Empty(await RpcAssert.OutboxTypesAsync(Host));
    }

    [Fact]
    public async Task RecordAssessment_AsaAboveAmbulatoryMax_FillsAssessedAtAndRecommendsHospitalised()
    {
        var accepted = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.AsaClass = AsaClass.Iv;
        request.Emergency = true;
        Host.Clock.Advance(TimeSpan.FromMinutes(15));

        var plan = await Host.RecordAssessmentAsync(request);

        Assert.Equal(AsaClass.Iv, plan.AsaClass);
        Assert.True(plan.Emergency);
        Assert.Equal(Timestamp.FromDateTimeOffset(Start.AddMinutes(15)), plan.AssessedAt);
        Assert.Equal(AdmissionType.Hospitalised, plan.RecommendedAdmission);
        Assert.Equal(Host.Protocol.AppliedVersion, plan.ProtocolVersion);
        Assert.Equal(["L1", "L2"], plan.Levels);
    }

    [Fact]
    public async Task RecordAssessment_AsaAtAmbulatoryMax_RecommendsAmbulatory()
    {
        var accepted = await Host.AcceptReferralAsync();

        var plan = await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId)); // ASA III, default maximum 3

        Assert.Equal(AdmissionType.Ambulatory, plan.RecommendedAdmission);
    }

    [Fact]
    public async Task RecordAssessment_AmbulatoryMaxLoweredBySiteProtocol_RecommendsHospitalised()
    {
        await using var host = await AnesthesiaServiceHost.StartAsync(new Dictionary<string, string?> { ["SiteProtocol:Anesthesia:AmbulatoryMaxAsa:Value"] = "2" });
        var accepted = await host.AcceptReferralAsync();

        var plan = await host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        Assert.Equal(AdmissionType.Hospitalised, plan.RecommendedAdmission);
        Assert.Equal(host.Protocol.AppliedVersion, plan.ProtocolVersion);
        Assert.NotEqual(Host.Protocol.AppliedVersion, plan.ProtocolVersion);
    }

    [Fact]
    public async Task RecordAssessment_NoAnxietyOrProneTolerance_FailsInvalidArgumentNamingThem()
    {
        var accepted = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.Anxiety = AnxietyLevel.Unspecified;
        request.ProneTolerance = (ProneTolerance)9;

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordAssessmentAsync(request));

        RpcAssert.Invalid(ex, "anxiety", "prone_tolerance");
        Assert.Equal(1, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version);
    }

    [Fact]
    public async Task GetPlan_Assessed_ReturnsTheSuggestionWithItsReasons()
    {
        var accepted = await Host.AcceptReferralAsync(levels: ["T12", "L1", "L2"]);
        var request = Requests.Assessment(accepted.ReferralId);
        request.Anxiety = AnxietyLevel.Severe;
        request.ProneTolerance = ProneTolerance.Limited;
        await Host.RecordAssessmentAsync(request);

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());

        Assert.Equal(SedationMode.General, plan.SuggestedSedation.Mode);
        Assert.Equal(["MANY_LEVELS", "PRONE_LIMITED", "SEVERE_ANXIETY"], plan.SuggestedSedation.Reasons);
        Assert.Equal(AnxietyLevel.Severe, plan.Anxiety);
        Assert.Equal(ProneTolerance.Limited, plan.ProneTolerance);
    }

    [Fact]
    public async Task PlanSedation_OtherThanSuggestedWithoutDeviationReason_FailsInvalidArgumentAndWritesNothing()
    {
        var accepted = await Host.AcceptReferralAsync();
        var assessed = await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId, SedationMode.General, deviationReason: "")));

        RpcAssert.Invalid(ex, "deviation_reason");
        Assert.Equal(assessed, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
    }

    [Fact]
    public async Task PlanSedation_SuggestedModeWithoutDeviationReason_IsPlanned()
    {
        var accepted = await Host.AcceptReferralAsync();
        var assessed = await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        Assert.Equal(Requests.SuggestedForAssessment, assessed.SuggestedSedation.Mode);

        var planned = await Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId, Requests.SuggestedForAssessment, deviationReason: ""));

        Assert.Equal(Requests.SuggestedForAssessment, planned.Sedation);
        Assert.Equal("", planned.DeviationReason);
    }

    [Fact]
    public async Task PlanSedation_OtherThanSuggestedWithDeviationReason_IsPlannedWithTheReason()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        var planned = await Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId, SedationMode.General, deviationReason: "patient preference"));

        Assert.Equal(SedationMode.General, planned.Sedation);
        Assert.Equal("patient preference", planned.DeviationReason);
    }

    [Fact]
    public async Task PlanSedation_Premedication_IsReturnedInThePlan()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        var request = Requests.Sedation(accepted.ReferralId, Requests.SuggestedForAssessment);
        var premedication = new Premedication { Drug = "hydroxyzine", Dose = "25 mg", Timing = PremedicationTiming.BeforeProcedure, TimingDetail = "60 min before" };
        request.Premedication.Add(premedication);

        var planned = await Host.PlanSedationAsync(request);

        Assert.Equal([premedication], planned.Premedication);
        Assert.Equal([premedication], (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Premedication);
    }

    [Fact]
    public async Task PlanSedation_InvalidNewFields_FailsInvalidArgumentNamingEach()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        var request = Requests.Sedation(accepted.ReferralId, SedationMode.General, deviationReason: new string('r', 201));
        request.AntibioticProphylaxis = new string('a', 101);
        request.Premedication.Add(new Premedication { Drug = "", Dose = new string('d', 51), Timing = PremedicationTiming.Unspecified, TimingDetail = new string('t', 61) });
        request.Premedication.Add(new Premedication { Drug = "midazolam", Dose = "1 mg", Timing = PremedicationTiming.BeforeProcedure });
        request.Premedication.AddRange(Enumerable.Range(0, 9).Select(_ => new Premedication { Drug = "x", Dose = "1 mg", Timing = PremedicationTiming.MorningOf }));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.PlanSedationAsync(request));

        RpcAssert.Invalid(
            ex,
            "deviation_reason",
            "antibiotic_prophylaxis",
            "premedication",
            "premedication[0].drug",
            "premedication[0].dose",
            "premedication[0].timing",
            "premedication[0].timing_detail",
            "premedication[1].timing_detail");
        Assert.Equal(2, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version);
    }

    [Fact]
    public async Task GetPlan_NoBetaLactamAllergy_ProposesTheDefaultProphylaxisWithTheWindow()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        var prophylaxis = (await Host.GetPlanAsync(accepted.ReferralId.ToString())).AntibioticProphylaxis;

        Assert.Equal("cefazolin 1 g IV", prophylaxis.Proposed);
        Assert.False(prophylaxis.BetaLactamAllergy);
        Assert.Equal("", prophylaxis.Chosen);
        Assert.Equal(60, prophylaxis.WindowMinutes);
    }

    [Fact]
    public async Task PlanSedation_BetaLactamForABetaLactamAllergy_FailsAntibioticAllergyConflictAndWritesNothing()
    {
        var accepted = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.Allergies.Add("penicillin");
        var assessed = await Host.RecordAssessmentAsync(request);
        Assert.Equal("clindamycin 600 mg IV", assessed.AntibioticProphylaxis.Proposed);
        Assert.True(assessed.AntibioticProphylaxis.BetaLactamAllergy);
        var plan = Requests.Sedation(accepted.ReferralId, Requests.SuggestedForAssessment);
        plan.AntibioticProphylaxis = "cefazolin 2 g IV";

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.PlanSedationAsync(plan));

        RpcAssert.Gate(ex, "ANTIBIOTIC_ALLERGY_CONFLICT");
        Assert.Equal(assessed, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
        Assert.Empty(await RpcAssert.OutboxTypesAsync(Host));
    }

    [Fact]
    public async Task PlanSedation_AlternativeForABetaLactamAllergy_IsRecorded()
    {
        var accepted = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.Allergies.Add("amoxicillin");
        await Host.RecordAssessmentAsync(request);
        var plan = Requests.Sedation(accepted.ReferralId, Requests.SuggestedForAssessment);
        plan.AntibioticProphylaxis = "clindamycin 600 mg IV";

        var planned = await Host.PlanSedationAsync(plan);

        Assert.Equal("clindamycin 600 mg IV", planned.AntibioticProphylaxis.Chosen);
    }

    [Fact]
    public async Task ProcedureScheduled_Consumed_PlanReturnsTheFastingCutOffs()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        var slot = Start.AddDays(3);

        await Host.ScheduleProcedureAsync(accepted, slot, "CONSCIOUS_SEDATION");

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.Equal(Timestamp.FromDateTimeOffset(slot), plan.SlotStart);
        Assert.True(plan.Fasting.Applies);
        Assert.Equal(Timestamp.FromDateTimeOffset(slot.AddHours(-2)), plan.Fasting.ClearLiquidsUntil);
        Assert.Equal(Timestamp.FromDateTimeOffset(slot.AddHours(-6)), plan.Fasting.LightMealUntil);
        Assert.Equal(Timestamp.FromDateTimeOffset(slot.AddHours(-8)), plan.Fasting.FattyMealUntil);
        Assert.Equal("Usual medicines, including pain treatment, with a glass of water.", plan.Fasting.Instruction);
    }

    [Fact]
    public async Task ProcedureScheduled_LocalSlot_FastingDoesNotApply()
    {
        var accepted = await Host.AcceptReferralAsync();

        await Host.ScheduleProcedureAsync(accepted, Start.AddDays(3), "LOCAL");

        Assert.False((await Host.GetPlanAsync(accepted.ReferralId.ToString())).Fasting.Applies);
    }

    [Fact]
    public async Task ProcedureScheduled_LongerFastingInTheSiteProtocol_MovesTheCutOff()
    {
        await using var host = await AnesthesiaServiceHost.StartAsync(new Dictionary<string, string?> { ["SiteProtocol:Anesthesia:ClearLiquidsHours:Value"] = "3" });
        var accepted = await host.AcceptReferralAsync();
        var slot = Start.AddDays(3);

        await host.ScheduleProcedureAsync(accepted, slot);

        Assert.Equal(Timestamp.FromDateTimeOffset(slot.AddHours(-3)), (await host.GetPlanAsync(accepted.ReferralId.ToString())).Fasting.ClearLiquidsUntil);
    }

    [Fact]
    public async Task ProcedureCancelled_Consumed_ClearsTheSlotAndTheFasting()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.ScheduleProcedureAsync(accepted, Start.AddDays(3));

        await Host.CancelProcedureAsync(accepted);

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.Null(plan.SlotStart);
        Assert.Null(plan.Fasting);
        Assert.False(plan.HasConsultLeadTimeMet);
    }

    [Fact]
    public async Task ProcedureScheduled_UnknownReferral_IsIgnored()
    {
        var unknown = new ReferralAccepted(Guid.NewGuid(), Guid.NewGuid(), ["L1"], "GENERAL", Start);

        await Host.ScheduleProcedureAsync(unknown, Start.AddDays(3));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.GetPlanAsync(unknown.ReferralId.ToString()));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task GetPlan_SlotLessThanConsultLeadDaysAfterTheAssessment_FlagsTheLeadTimeNotMet()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        Assert.False((await Host.GetPlanAsync(accepted.ReferralId.ToString())).HasConsultLeadTimeMet);

        await Host.ScheduleProcedureAsync(accepted, Start.AddDays(1));

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.True(plan.HasConsultLeadTimeMet);
        Assert.False(plan.ConsultLeadTimeMet);
    }

    [Fact]
    public async Task GetPlan_SlotConsultLeadDaysAfterTheAssessment_FlagsTheLeadTimeMet()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        await Host.ScheduleProcedureAsync(accepted, Start.AddDays(2));

        Assert.True((await Host.GetPlanAsync(accepted.ReferralId.ToString())).ConsultLeadTimeMet);
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_NotCleared_FailsClearanceRequiredAndWritesNothing()
    {
        var accepted = await ReadyToSignAsync();
        var before = await Host.GetPlanAsync(accepted.ReferralId.ToString());

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordPreAnestheticVisitAsync(Requests.Visit(accepted.ReferralId, Start)));

        RpcAssert.Gate(ex, "CLEARANCE_REQUIRED");
        Assert.Equal(before, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
        Assert.Empty(await RpcAssert.OutboxTypesAsync(Host));
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_NotFit_FailsClearanceRequired()
    {
        var accepted = await ReadyToSignAsync();
        await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId, ClearanceDecision.NotFit));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordPreAnestheticVisitAsync(Requests.Visit(accepted.ReferralId, Start)));

        RpcAssert.Gate(ex, "CLEARANCE_REQUIRED");
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_MoreThan24HoursBeforeTheSlot_FailsOutOfWindowAndWritesNothing()
    {
        var accepted = await ReadyToSignAsync();
        await Host.ScheduleProcedureAsync(accepted, Start.AddDays(3));
        var signed = await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));
        Host.Clock.Advance(TimeSpan.FromDays(1));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordPreAnestheticVisitAsync(Requests.Visit(accepted.ReferralId, Host.Clock.GetUtcNow())));

        RpcAssert.Gate(ex, "PRE_ANESTHETIC_VISIT_OUT_OF_WINDOW");
        Assert.Equal(signed, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
        Assert.Equal(["ClearanceSigned"], (await RpcAssert.OutboxTypesAsync(Host)).Select(ShortName));
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_AfterTheSlotStart_FailsOutOfWindow()
    {
        var accepted = await ReadyToSignAsync();
        await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));
        await Host.ScheduleProcedureAsync(accepted, Start.AddHours(3));
        Host.Clock.Advance(TimeSpan.FromHours(4));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordPreAnestheticVisitAsync(Requests.Visit(accepted.ReferralId, Start.AddHours(3).AddMinutes(1))));

        RpcAssert.Gate(ex, "PRE_ANESTHETIC_VISIT_OUT_OF_WINDOW");
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_WithinTheWindow_RecordsItAndPublishesPreAnestheticVisitRecorded()
    {
        var accepted = await ReadyToSignAsync();
        await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));
        var slot = Start.AddDays(3);
        await Host.ScheduleProcedureAsync(accepted, slot);
        Host.Clock.Advance(slot.AddHours(-2) - Start);
        var visitedAt = slot.AddHours(-3);

        var plan = await Host.RecordPreAnestheticVisitAsync(Requests.Visit(accepted.ReferralId, visitedAt));

        Assert.Equal(Timestamp.FromDateTimeOffset(visitedAt), plan.PreAnestheticVisit.VisitedAt);
        Assert.Equal(TestIdentity.DefaultSubject, plan.PreAnestheticVisit.AnesthesiologistId);
        Assert.Equal(CaseStatus.Cleared, plan.Status);
        Assert.Equal(["ClearanceSigned", "PreAnestheticVisitRecorded"], (await RpcAssert.OutboxTypesAsync(Host)).Select(ShortName));
        var published = await Host.NextVisitRecordedAsync();
        Assert.Equal(accepted.ReferralId, published.ReferralId);
        Assert.Equal(accepted.PatientId, published.PatientId);
        Assert.Equal(visitedAt, published.VisitedAt);
        Assert.Equal(TestIdentity.DefaultSubject, published.AnesthesiologistId);
        Assert.Equal(slot.AddHours(-2), published.OccurredAt);
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_SlotNotKnown_IsRecorded()
    {
        var accepted = await ReadyToSignAsync();
        await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));

        var plan = await Host.RecordPreAnestheticVisitAsync(Requests.Visit(accepted.ReferralId, Start));

        Assert.Equal(Timestamp.FromDateTimeOffset(Start), plan.PreAnestheticVisit.VisitedAt);
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_InvalidFields_FailsInvalidArgumentNamingEach()
    {
        var missing = new RecordPreAnestheticVisitRequest { ReferralId = "x" };
        var future = Requests.Visit(Guid.NewGuid(), Start.AddMinutes(1));

        var missingEx = await Assert.ThrowsAsync<RpcException>(() => Host.RecordPreAnestheticVisitAsync(missing));
        var futureEx = await Assert.ThrowsAsync<RpcException>(() => Host.RecordPreAnestheticVisitAsync(future));

        RpcAssert.Invalid(missingEx, "referral_id", "visited_at");
        RpcAssert.Invalid(futureEx, "visited_at");
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_UnknownReferral_FailsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordPreAnestheticVisitAsync(Requests.Visit(Guid.NewGuid(), Start)));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task SignClearance_FitWithInrAboveTheLimit_FailsInrAboveLimitAndWritesNothing()
    {
        var accepted = await ReadyToSignAsync(inr: 1.6, platelets: 210);
        var before = await Host.GetPlanAsync(accepted.ReferralId.ToString());

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId)));

        RpcAssert.Gate(ex, "INR_ABOVE_LIMIT");
        Assert.Equal(before, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
        Assert.Empty(await RpcAssert.OutboxTypesAsync(Host));
    }

    [Fact]
    public async Task SignClearance_FitWithPlateletsBelowTheLimit_FailsPlateletsBelowLimit()
    {
        var accepted = await ReadyToSignAsync(inr: 1.1, platelets: 49);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId)));

        RpcAssert.Gate(ex, "PLATELETS_BELOW_LIMIT");
    }

    [Fact]
    public async Task SignClearance_FitWithBothLabsOutside_FailsWithOneViolationPerRule()
    {
        var accepted = await ReadyToSignAsync(inr: 2.2, platelets: 30);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId)));

        RpcAssert.Gate(ex, "INR_ABOVE_LIMIT", "PLATELETS_BELOW_LIMIT");
        Assert.Empty(await RpcAssert.OutboxTypesAsync(Host));
    }

    [Fact]
    public async Task SignClearance_FitWithConditionsWithLabsOutside_IsSigned()
    {
        var accepted = await ReadyToSignAsync(inr: 1.6, platelets: 40);

        var signed = await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId, ClearanceDecision.FitWithConditions, "correct INR and platelets before the slot"));

        Assert.Equal(ClearanceDecision.FitWithConditions, signed.Clearance);
        Assert.Equal("FIT_WITH_CONDITIONS", (await Host.NextClearanceSignedAsync()).Decision);
    }

    [Fact]
    public async Task SignClearance_FitWithLabsAtTheLimits_IsSigned()
    {
        var accepted = await ReadyToSignAsync(inr: 1.5, platelets: 50);

        var signed = await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));

        Assert.Equal(ClearanceDecision.Fit, signed.Clearance);
    }

    [Fact]
    public async Task SignClearance_InrMaxRaisedBySiteProtocol_FitIsSigned()
    {
        await using var host = await AnesthesiaServiceHost.StartAsync(new Dictionary<string, string?> { ["SiteProtocol:Bleeding:InrMax:Value"] = "1.8" });
        var accepted = await host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.Labs.Inr = 1.7;
        await host.RecordAssessmentAsync(request);
        await host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId));

        var signed = await host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));

        Assert.Equal(ClearanceDecision.Fit, signed.Clearance);
    }

    private static string ShortName(string messageType) => messageType.Split(',')[0].Split('.')[^1];

    private async Task<ReferralAccepted> ReadyToSignAsync(double inr = 1.1, double platelets = 210)
    {
        var accepted = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.Labs.Inr = inr;
        request.Labs.PlateletsGPerL = platelets;
        await Host.RecordAssessmentAsync(request);
        await Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId));
        return accepted;
    }
}
