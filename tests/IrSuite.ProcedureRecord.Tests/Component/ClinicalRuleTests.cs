using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Contracts;
using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Procedure;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>The issue-4 rules over real gRPC: each refusal (status, rule code, violations, nothing written) and its permitted path.</summary>
public sealed class ClinicalRuleTests : ComponentTestBase
{
    private DateTimeOffset Now => App.Clock.GetUtcNow();

    /// <summary>A general-anaesthesia booking for L1 (consented L1), with an optional pre-anaesthetic visit that long before now.</summary>
    private async Task<(Guid ReferralId, Guid PatientId)> GeneralAnesthesiaCaseAsync(TimeSpan? visitBefore, string[]? consented = null, string[]? allergies = null)
    {
        var referralId = Guid.NewGuid();
        var booked = await App.ScheduleAsync(referralId, ["L1"], sedation: SedationCodes.General, consented: consented, allergyClasses: allergies);
        if (visitBefore is { } before)
        {
            await App.VisitAsync(referralId, booked.PatientId, Now - before);
        }

        return (referralId, booked.PatientId);
    }

    private async Task<Guid> SignedInLocalAsync(string[]? allergies = null)
    {
        var referralId = Guid.NewGuid();
        await App.ScheduleAsync(referralId, ["L1"], allergyClasses: allergies);
        await Client.SignInAsync(FullSignIn(referralId));
        return referralId;
    }

    private static Timestamp At(DateTimeOffset value) => Timestamp.FromDateTimeOffset(value);

    [Fact]
    public async Task SignIn_ItemMissing_RefusedAndNothingWritten()
    {
        var referralId = await CaseAtAsync(CaseStatus.Scheduled);
        var before = await Client.GetProcedureSummaryAsync(referralId.ToString());
        var request = FullSignIn(referralId);
        request.PulseOximeterOn = false;
        request.BloodLossRiskAssessed = false;
        request.SiteMarkedOrNotApplicable = false;
        request.AirwayRiskAssessed = false;

        var ex = await AssertGateAsync("WHO_SIGN_IN_INCOMPLETE", () => Client.SignInAsync(request));

        Assert.Equal(["site_marked_or_not_applicable", "pulse_oximeter_on", "airway_risk_assessed", "blood_loss_risk_assessed"], Subjects(ex));
        Assert.Equal(before, await Client.GetProcedureSummaryAsync(referralId.ToString()));
        Assert.Equal(0, await OutboxCountAsync(referralId));
    }

    [Fact]
    public async Task SignIn_GeneralAnesthesiaWithoutVisit_PreAnestheticVisitRequired()
    {
        var (referralId, _) = await GeneralAnesthesiaCaseAsync(visitBefore: null);

        var ex = await AssertGateAsync("PRE_ANESTHETIC_VISIT_REQUIRED", () => Client.SignInAsync(FullSignIn(referralId)));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(CaseStatus.Scheduled, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Fact]
    public async Task SignIn_VisitOlderThan24Hours_PreAnestheticVisitRequired()
    {
        var (referralId, _) = await GeneralAnesthesiaCaseAsync(TimeSpan.FromHours(24).Add(TimeSpan.FromMinutes(1)));

        await AssertGateAsync("PRE_ANESTHETIC_VISIT_REQUIRED", () => Client.SignInAsync(FullSignIn(referralId)));
    }

    [Fact]
    public async Task SignIn_VisitWithin24HoursAndFastingRespected_SignsIn()
    {
        var (referralId, _) = await GeneralAnesthesiaCaseAsync(TimeSpan.FromHours(20));
        var request = FullSignIn(referralId);
        request.LastClearLiquidsAt = At(Now.AddHours(-2));
        request.LastLightMealAt = At(Now.AddHours(-6));
        request.LastFattyMealAt = At(Now.AddHours(-8));

        var signedIn = await Client.SignInAsync(request);

        Assert.Equal(CaseStatus.SignedIn, signedIn.Status);
        Assert.Equal(Now.AddHours(-20), signedIn.PreAnestheticVisitAt.ToDateTimeOffset());
        Assert.Equal(Now.AddHours(-2), signedIn.LastClearLiquidsAt.ToDateTimeOffset());
        Assert.Equal(SedationCodes.General, signedIn.SedationMode);
    }

    [Fact]
    public async Task SignIn_FastingTooShort_FastingNotRespectedNamingWhich()
    {
        var (referralId, _) = await GeneralAnesthesiaCaseAsync(TimeSpan.FromHours(2));
        var request = FullSignIn(referralId);
        request.LastClearLiquidsAt = At(Now.AddMinutes(-90));
        request.LastLightMealAt = At(Now.AddHours(-7));
        request.LastFattyMealAt = At(Now.AddHours(-7));

        var ex = await AssertGateAsync("FASTING_NOT_RESPECTED", () => Client.SignInAsync(request));

        Assert.Equal(["last_clear_liquids_at", "last_fatty_meal_at"], Subjects(ex));
        Assert.Equal(CaseStatus.Scheduled, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Fact]
    public async Task SignIn_LocalAnesthesiaWithoutVisitOrFasting_SignsIn()
    {
        var referralId = await CaseAtAsync(CaseStatus.Scheduled);
        var request = FullSignIn(referralId);
        request.LastLightMealAt = At(Now.AddHours(-1));

        var signedIn = await Client.SignInAsync(request);

        Assert.Equal(CaseStatus.SignedIn, signedIn.Status);
    }

    [Fact]
    public async Task SignIn_SeveralRulesRefused_OneViolationPerRuleFirstInErrorInfo()
    {
        var (referralId, _) = await GeneralAnesthesiaCaseAsync(visitBefore: null, consented: ["L2"]);
        var request = FullSignIn(referralId);
        request.AllergiesReviewed = false;

        var ex = await AssertGateAsync("WHO_SIGN_IN_INCOMPLETE", () => Client.SignInAsync(request));

        var types = ex.GetDetail<PreconditionFailure>()!.Violations.Select(v => v.Type).ToArray();
        Assert.Equal(["WHO_SIGN_IN_INCOMPLETE", "CONSENT_LEVELS_MISMATCH", "PRE_ANESTHETIC_VISIT_REQUIRED"], types);
    }

    [Fact]
    public async Task SignIn_ConsentLevelsDiffer_ConsentLevelsMismatch()
    {
        var referralId = Guid.NewGuid();
        await App.ScheduleAsync(referralId, ["T12", "L1"], consented: ["L1"]);

        var ex = await AssertGateAsync("CONSENT_LEVELS_MISMATCH", () => Client.SignInAsync(FullSignIn(referralId)));

        Assert.Equal(["CONSENT_LEVELS_MISMATCH"], Subjects(ex));
    }

    [Fact]
    public async Task SignIn_BookingWithoutConsentLevels_ConsentRequired()
    {
        var referralId = Guid.NewGuid();
        await App.DeliverAsync(new IrSuite.Contracts.Scheduling.ProcedureScheduled(referralId, Guid.NewGuid(), ["L1"], "IR-1", "REC-1", ProcedureRecordApp.Start.AddHours(1), Now)
        {
            SedationMode = SedationCodes.Local,
        });

        await AssertGateAsync("CONSENT_REQUIRED", () => Client.SignInAsync(FullSignIn(referralId)));
    }

    [Fact]
    public async Task SignIn_ConsentEqualsScheduledLevels_SignsIn()
    {
        var referralId = Guid.NewGuid();
        await App.ScheduleAsync(referralId, ["T12", "L1"], consented: ["l1", "T12"]);

        var signedIn = await Client.SignInAsync(FullSignIn(referralId));

        Assert.Equal(["T12", "L1"], signedIn.ConsentedLevels);
    }

    [Fact]
    public async Task TimeOut_ItemsMissing_WhoTimeOutIncompletePerItemAndNothingWritten()
    {
        var referralId = await SignedInLocalAsync();
        var request = TimeOutOf(referralId, "L1");
        request.TeamIntroduced = false;
        request.ImagingDisplayed = false;

        var ex = await AssertGateAsync("WHO_TIME_OUT_INCOMPLETE", () => Client.TimeOutAsync(request));

        Assert.Equal(["team_introduced", "imaging_displayed"], Subjects(ex));
        Assert.Equal(CaseStatus.SignedIn, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
        Assert.Equal(0, await OutboxCountAsync(referralId));
    }

    [Theory]
    [InlineData(61)]
    [InlineData(-1)]
    public async Task TimeOut_AntibioticOutsideWindow_AntibioticWindowNotMet(int minutesBefore)
    {
        var referralId = await SignedInLocalAsync();
        var request = TimeOutOf(referralId, "L1");
        request.AntibioticGivenAt = At(Now.AddMinutes(-minutesBefore));

        await AssertGateAsync("ANTIBIOTIC_WINDOW_NOT_MET", () => Client.TimeOutAsync(request));

        Assert.Equal(0, await OutboxCountAsync(referralId));
    }

    [Fact]
    public async Task TimeOut_AntibioticMissing_AntibioticWindowNotMet()
    {
        var referralId = await SignedInLocalAsync();
        var request = TimeOutOf(referralId, "L1");
        request.AntibioticDrug = "";
        request.AntibioticGivenAt = null;

        await AssertGateAsync("ANTIBIOTIC_WINDOW_NOT_MET", () => Client.TimeOutAsync(request));
    }

    [Fact]
    public async Task TimeOut_AntibioticExactly60MinutesBefore_TimesOutAndRecordsIt()
    {
        var referralId = await SignedInLocalAsync();
        var request = TimeOutOf(referralId, "L1");
        request.AntibioticGivenAt = At(Now.AddMinutes(-60));

        var timedOut = await Client.TimeOutAsync(request);

        var record = Assert.Single(timedOut.TimeOuts);
        Assert.Equal("cefazolin 1 g IV", record.AntibioticDrug);
        Assert.Equal(Now.AddMinutes(-60), record.AntibioticGivenAt.ToDateTimeOffset());
        Assert.Equal("CARM-2", record.EquipmentId);
    }

    [Fact]
    public async Task TimeOut_BetaLactamForBetaLactamAllergy_AntibioticAllergyConflict()
    {
        var referralId = await SignedInLocalAsync([AllergyCodes.BetaLactam]);

        await AssertGateAsync("ANTIBIOTIC_ALLERGY_CONFLICT", () => Client.TimeOutAsync(TimeOutOf(referralId, "L1")));

        Assert.Equal(CaseStatus.SignedIn, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Fact]
    public async Task TimeOut_AlternativeForBetaLactamAllergy_TimesOut()
    {
        var referralId = await SignedInLocalAsync([AllergyCodes.BetaLactam]);
        var request = TimeOutOf(referralId, "L1");
        request.AntibioticDrug = "clindamycin 600 mg IV";

        var timedOut = await Client.TimeOutAsync(request);

        Assert.Equal(CaseStatus.TimedOut, timedOut.Status);
    }

    [Fact]
    public async Task TimeOut_ConfiguredWindow_AppliesSiteProtocol()
    {
        await using var app = await ProcedureRecordApp.StartAsync(new Dictionary<string, string?> { ["SiteProtocol:Antibiotics:WindowMinutes:Value"] = "30" });
        var referralId = Guid.NewGuid();
        await app.ScheduleAsync(referralId);
        await app.Client.SignInAsync(FullSignIn(referralId));
        var request = TimeOutOf(referralId, "L1");
        request.AntibioticGivenAt = At(app.Clock.GetUtcNow().AddMinutes(-45));

        await AssertGateAsync("ANTIBIOTIC_WINDOW_NOT_MET", () => app.Client.TimeOutAsync(request));
    }

    [Fact]
    public async Task RecordLevelTreatment_OtherOperator_OperatorChangedTimeOutRequired()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);

        await AssertGateAsync("OPERATOR_CHANGED_TIME_OUT_REQUIRED", () => Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"), SecondOperator));

        Assert.Empty((await Client.GetProcedureSummaryAsync(referralId.ToString())).Treatments);
    }

    [Fact]
    public async Task RecordLevelTreatment_AfterSecondTimeOutByNewOperator_Treats()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        App.Clock.Advance(TimeSpan.FromMinutes(90));
        var second = TimeOutOf(referralId, "L1");
        second.AntibioticDrug = "";
        second.AntibioticGivenAt = null;
        await Client.TimeOutAsync(second, SecondOperator);

        var treated = await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"), SecondOperator);

        Assert.Equal("rad-008", Assert.Single(treated.Treatments).OperatorId);
        Assert.Equal(["rad-007", "rad-008"], treated.TimeOuts.Select(t => t.OperatorId));
        Assert.Equal("cefazolin 1 g IV", treated.TimeOuts[1].AntibioticDrug);
    }

    [Fact]
    public async Task RecordLevelTreatment_LotExpiredOnProcedureDate_CementLotExpiredAndNothingWritten()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        request.CementExpiry = "2026-11-22";

        await AssertGateAsync("CEMENT_LOT_EXPIRED", () => Client.RecordLevelTreatmentAsync(request));

        Assert.Empty((await Client.GetProcedureSummaryAsync(referralId.ToString())).Treatments);
    }

    [Fact]
    public async Task RecordLevelTreatment_LotExpiringOnProcedureDate_RecordsTraceability()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        request.CementExpiry = "2026-11-23";

        var treated = await Client.RecordLevelTreatmentAsync(request);

        var level = Assert.Single(treated.Treatments);
        Assert.Equal("2026-11-23", level.CementExpiry);
        Assert.Equal("04012345678901", level.UdiDi);
        Assert.Equal("LOT-2026-117", level.CementLot);
    }

    [Theory]
    [InlineData("", "cement_expiry")]
    [InlineData("30/06/2027", "cement_expiry")]
    public async Task RecordLevelTreatment_BadExpiry_InvalidArgument(string expiry, string field)
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        request.CementExpiry = expiry;

        await AssertInvalidAsync(field, () => Client.RecordLevelTreatmentAsync(request));
    }

    [Fact]
    public async Task RecordLevelTreatment_ByNurse_PermissionDeniedAndNothingWritten()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"), TestIdentity.As("nurse-5", Roles.Nurse)));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Empty((await Client.GetProcedureSummaryAsync(referralId.ToString())).Treatments);
    }

    [Fact]
    public async Task RecordLevelTreatment_SymptomaticLeak_OpensEscalationAndPublishesIt()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        request.Leakage = Leakage.Foraminal;
        request.LeakageSymptomatic = true;

        var treated = await Client.RecordLevelTreatmentAsync(request);

        Assert.True(treated.HasOpenEscalation);
        var escalation = Assert.Single(treated.Escalations);
        Assert.Equal(EscalationCodes.SymptomaticCementLeak, escalation.Reason);
        Assert.Equal("L1", escalation.Level);
        var published = await App.Events.WaitForAsync<EscalationRaised>(referralId, e => e.ReferralId);
        Assert.Equal(EscalationCodes.SymptomaticCementLeak, published.Reason);
        Assert.Equal("procedure-record", published.Source);
        Assert.Equal("L1", published.Level);
    }

    [Fact]
    public async Task RecordLevelTreatment_AsymptomaticLeak_NoEscalation()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        request.Leakage = Leakage.Disc;

        var treated = await Client.RecordLevelTreatmentAsync(request);

        Assert.False(treated.HasOpenEscalation);
        Assert.Empty(treated.Escalations);
    }

    [Fact]
    public async Task AbandonLevel_TreatedLevel_LevelAlreadyTreated()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));

        await AssertGateAsync("LEVEL_ALREADY_TREATED", () =>
            Client.AbandonLevelAsync(new AbandonLevelRequest { ReferralId = referralId.ToString(), Level = "L1", Reason = "X" }));
    }

    [Fact]
    public async Task RecordDose_ControlCtWithoutDlp_InvalidArgument()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = DoseOf(referralId);
        request.CtDlpMgyCm = 0;

        await AssertInvalidAsync("ct_dlp_mgy_cm", () => Client.RecordDoseAsync(request));
    }

    [Fact]
    public async Task RecordDose_AboveSkinAndAlertLevels_CreatesTaskAlertsAndPublishesOnce()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = DoseOf(referralId);
        request.ReferenceAirKermaMgy = 5200;
        request.DoseAreaProductGyCm2 = 620;
        request.FluoroscopySeconds = 3700;

        var recorded = await Client.RecordDoseAsync(request);
        await Client.RecordDoseAsync(request);

        Assert.Equal(Now.AddDays(30), recorded.SkinFollowUp.DueBy.ToDateTimeOffset());
        Assert.Equal(["DAP_ABOVE_ALERT_LEVEL", "FLUOROSCOPY_TIME_ABOVE_ALERT_LEVEL", "SKIN_DOSE_FOLLOW_UP"], recorded.DoseAlerts);
        var published = await App.Events.WaitForAsync<SkinDoseFollowUpRequired>(referralId, e => e.ReferralId);
        Assert.Equal(5200, published.ReferenceAirKermaMgy);
        Assert.Equal(Now.AddDays(30), published.DueBy);
        Assert.Equal(2, await OutboxCountAsync(referralId)); // ProcedureStarted and one SkinDoseFollowUpRequired, not two
    }

    [Fact]
    public async Task RecordDose_BelowLevels_NoTaskNoAlerts()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);

        var recorded = await Client.RecordDoseAsync(DoseOf(referralId));

        Assert.Null(recorded.SkinFollowUp);
        Assert.Empty(recorded.DoseAlerts);
        Assert.True(recorded.Dose.ControlCtDone);
    }

    [Fact]
    public async Task CompleteCase_NewNeurologicalDeficit_RaisesEscalation()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedOut);
        var request = new CompleteCaseRequest { ReferralId = referralId.ToString() };
        request.Complications.Add(new Complication { Code = "NEW_NEUROLOGICAL_DEFICIT", CirseGrade = 4 });

        var completed = await Client.CompleteCaseAsync(request);

        Assert.True(completed.HasOpenEscalation);
        var published = await App.Events.WaitForAsync<EscalationRaised>(referralId, e => e.ReferralId);
        Assert.Equal(EscalationCodes.NewNeurologicalDeficit, published.Reason);
        var done = await App.Events.WaitForAsync<ProcedureCompleted>(referralId, e => e.ReferralId);
        Assert.Equal(4, done.MaxCirseGrade);
    }

    [Fact]
    public async Task CompleteCase_Completed_PublishesBookingFieldsAndFlags()
    {
        var referralId = Guid.NewGuid();
        await App.ScheduleAsync(referralId, ["L1"]);
        await Client.SignInAsync(FullSignIn(referralId));
        await Client.TimeOutAsync(TimeOutOf(referralId, "L1"));
        var leak = TreatmentOf(referralId, "L1");
        leak.Leakage = Leakage.Venous;
        leak.LeakageSymptomatic = true;
        await Client.RecordLevelTreatmentAsync(leak);
        var dose = DoseOf(referralId);
        dose.ReferenceAirKermaMgy = 6000;
        await Client.RecordDoseAsync(dose);
        await Client.SignOutAsync(FullSignOut(referralId, "L1"));

        await Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() });

        var done = await App.Events.WaitForAsync<ProcedureCompleted>(referralId, e => e.ReferralId);
        Assert.Equal(AdmissionCodes.Ambulatory, done.Admission);
        Assert.Equal(SedationCodes.Local, done.SedationMode);
        Assert.Equal("OSTEOPOROTIC_FRACTURE", done.Indication);
        Assert.True(done.SymptomaticLeak);
        Assert.True(done.SkinDoseFollowUp);
    }

    [Fact]
    public async Task Case_AnyChange_StoresAndReturnsAppliedProtocolVersion()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);
        var protocol = App.Services.GetRequiredService<SiteProtocol>();

        var summary = await Client.GetProcedureSummaryAsync(referralId.ToString());

        Assert.Equal(protocol.AppliedVersion, summary.ProtocolVersion);
        Assert.StartsWith(protocol.Version + "#", summary.ProtocolVersion, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindCementLotRecipients_TwoCases_ListsEveryLevelOfTheLot()
    {
        var first = await CaseAtAsync(CaseStatus.SignedOut, "T12", "L1");
        var second = await CaseAtAsync(CaseStatus.TimedOut, "L2");
        var other = TreatmentOf(second, "L2");
        other.CementLot = "LOT-OTHER";
        await Client.RecordLevelTreatmentAsync(other);
        var firstPatient = (await Client.GetProcedureSummaryAsync(first.ToString())).PatientId;

        var recipients = await Client.FindCementLotRecipientsAsync("LOT-2026-117");
        var none = await Client.FindCementLotRecipientsAsync("LOT-2026-117", product: "Another-Cement");

        Assert.Equal(2, recipients.Recipients.Count);
        Assert.All(recipients.Recipients, r =>
        {
            Assert.Equal(first.ToString(), r.ReferralId);
            Assert.Equal(firstPatient, r.PatientId);
            Assert.Equal("2026-11-23", r.Date);
            Assert.Equal("PMMA-Vertebro", r.Product);
        });
        Assert.Equal(["L1", "T12"], recipients.Recipients.Select(r => r.Level).Order(StringComparer.Ordinal));
        Assert.Empty(none.Recipients);
        Assert.Equal(second.ToString(), Assert.Single((await Client.FindCementLotRecipientsAsync("LOT-OTHER", "PMMA-Vertebro")).Recipients).ReferralId);
    }

    [Fact]
    public async Task FindCementLotRecipients_NoLot_InvalidArgument()
    {
        await AssertInvalidAsync("lot", () => Client.FindCementLotRecipientsAsync(""));
    }
}
