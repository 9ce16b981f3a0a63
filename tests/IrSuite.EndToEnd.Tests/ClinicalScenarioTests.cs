using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Anesthesia.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;
using IrSuite.Protocol.V1;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using CommonV1 = IrSuite.Common.V1;
using DischargeV1 = IrSuite.Discharge.V1;

namespace IrSuite.EndToEnd.Tests;

/// <summary>
/// One full scenario per indication of issue 4, through the embedded suite over real gRPC with the default site
/// protocol and an injected clock that starts on Monday 7 December 2026, 09:00 UTC (10:00 in Paris).
/// </summary>
public sealed class ClinicalScenarioTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(Monday);
    private InProcessSuite _suite = null!;
    private GrpcChannel _channel = null!;
    private PathwayWalker _walker = null!;

    public async Task InitializeAsync()
    {
        _suite = await InProcessSuite.StartAsync(_time);
        _channel = _suite.Channel;
        _walker = new PathwayWalker(PathwayEndpoints.AllOn(_channel), _time)
        {
            AdvanceClock = by =>
            {
                _time.Advance(by);
                return Task.CompletedTask;
            },
        };
    }

    public async Task DisposeAsync() => await _suite.DisposeAsync();

    [Fact]
    public async Task OsteoporoticFracture_OneLevelUnderLocalAnaesthesia_NeedsNoClearance_RefersToFractureLiaison()
    {
        var profile = new PatientProfile { Levels = ["L1"], Sedation = CommonV1.SedationMode.Local, OsteoporosisSuspected = true };
        var prepared = await _walker.PrepareAsync(1, profile);
        var id = prepared.Referral.ReferralId;
        var start = _walker.DefaultSlot(1);

        var readiness = await Scheduling<GetReadinessRequest, Readiness>("GetReadiness", new GetReadinessRequest { ReferralId = id, ProposedStart = Timestamp.FromDateTimeOffset(start) });
        Assert.True(readiness.Ready);
        Assert.Contains(readiness.Items, i => i.Item == "ANESTHESIA_CLEARANCE" && i.State == ReadinessState.NotApplicable);

        await _walker.BookProcedureAsync(prepared, start);
        var completed = await _walker.PerformProcedureAsync(prepared, start);
        Assert.Equal(["L1"], completed.Treatments.Select(t => t.Level));
        Assert.Null(completed.PreAnestheticVisitAt);

        await _walker.RecordGoodObservationAsync(id);
        await PassObservationMinimumAsync(id);
        await _walker.DischargeAsync(id, DischargeV1.Destination.Home);
        var result = await _walker.FinishAsync(prepared);

        // The 1-month follow-up with a control X-ray, and the fracture-liaison referral within 12 weeks of the fracture (MRI 3 days before referral).
        Assert.True(result.FollowUp.WithXray);
        Assert.InRange(result.FollowUp.Start.ToDateTimeOffset(), start.AddDays(29), start.AddDays(31));
        Assert.NotNull(result.Pathway.FractureLiaison);
        Assert.Equal(Monday.AddDays(-3).AddDays(12 * 7), result.Pathway.FractureLiaison.DueBy.ToDateTimeOffset());
        Assert.Contains(result.Pathway.Timeline, e => e.Event == "FollowUpBooked");

        // Every record carries the protocol version it was checked against.
        var protocol = await Call<GetSiteProtocolRequest, SiteProtocolInfo>(ProtocolReflection.Descriptor.Services[0], "GetSiteProtocol", new GetSiteProtocolRequest());
        Assert.Equal(protocol.AppliedVersion, result.Pathway.Referral.ProtocolVersion);
        Assert.Equal(protocol.AppliedVersion, completed.ProtocolVersion);
        Assert.Equal(protocol.AppliedVersion, result.Discharge.ProtocolVersion);

        // The recall query finds this patient by cement lot.
        var recipients = await Procedure<FindCementLotRecipientsRequest, FindCementLotRecipientsResponse>("FindCementLotRecipients", new FindCementLotRecipientsRequest { Lot = "LOT-2026-117" });
        Assert.Contains(recipients.Recipients, r => r.ReferralId == id && r.Level == "L1" && r.PatientId == prepared.Referral.PatientId);
    }

    [Fact]
    public async Task Metastasis_ThreeLevelsUnderGeneralAnaesthesia_FastingVisitAndLeadTimeGates_DischargedNextDay()
    {
        var profile = new PatientProfile
        {
            Levels = ["T10", "T11", "T12"], Indication = Indication.Tumour, Sedation = CommonV1.SedationMode.General,
            Admission = CommonV1.AdmissionType.Hospitalised, Asa = AsaClass.Iii,
        };
        var prepared = await _walker.PrepareAsync(2, profile);
        var id = prepared.Referral.ReferralId;

        // Decision support suggested GA for three levels; the plan follows it without a deviation reason.
        Assert.NotNull(prepared.Plan);
        Assert.Equal(CommonV1.SedationMode.General, prepared.Plan.SuggestedSedation.Mode);
        Assert.Equal(CommonV1.SedationMode.General, prepared.Plan.Sedation);

        // A slot the next day is too close to the consultation (CSP D6124-91: 2 days); nothing is booked.
        var tooSoon = await Assert.ThrowsAsync<RpcException>(() => _walker.BookProcedureAsync(prepared, Monday.AddDays(1)));
        Assert.Equal(StatusCode.FailedPrecondition, tooSoon.StatusCode);
        AssertRule(tooSoon, "ANESTHESIA_CONSULT_TOO_LATE");
        Assert.DoesNotContain((await Pathway(id)).Appointments, a => a.Kind == AppointmentKind.Procedure);

        var start = _walker.DefaultSlot(2);
        var booked = await _walker.BookProcedureAsync(prepared, start);
        Assert.Equal(CommonV1.AdmissionType.Hospitalised, booked.Admission);

        // Fasting cut-offs from the slot (ASA 2017: 2 / 6 / 8 h).
        var plan = await Eventually.ValueAsync(() => Anesthesia<GetPlanRequest, AnesthesiaPlan>("GetPlan", new GetPlanRequest { ReferralId = id }), p => p.SlotStart is not null);
        Assert.True(plan.Fasting.Applies);
        Assert.Equal(start.AddHours(-2), plan.Fasting.ClearLiquidsUntil.ToDateTimeOffset());
        Assert.Equal(start.AddHours(-6), plan.Fasting.LightMealUntil.ToDateTimeOffset());
        Assert.Equal(start.AddHours(-8), plan.Fasting.FattyMealUntil.ToDateTimeOffset());

        // Without the pre-anaesthetic visit (CSP D6124-92) the WHO sign-in is refused.
        _time.Advance(start.AddHours(-1) - _time.GetUtcNow());
        var noVisit = await Assert.ThrowsAsync<RpcException>(() => Procedure<SignInRequest, ProcedureCase>("SignIn", FullSignIn(id)));
        AssertRule(noVisit, "PRE_ANESTHETIC_VISIT_REQUIRED");

        var completed = await _walker.PerformProcedureAsync(prepared, start);
        Assert.Equal(["T10", "T11", "T12"], completed.Treatments.Select(t => t.Level));
        Assert.Equal("GENERAL", completed.SedationMode);
        await _walker.RecordGoodObservationAsync(id);
        await PassObservationMinimumAsync(id);

        // Hospitalised: not home the same day.
        var sameDay = await Assert.ThrowsAsync<RpcException>(() => _walker.DischargeAsync(id, DischargeV1.Destination.Home));
        AssertRule(sameDay, "NEXT_DAY_DISCHARGE_RULE");

        _time.Advance(TimeSpan.FromDays(1));
        await _walker.RecordGoodObservationAsync(id);
        var summary = await _walker.DischargeAsync(id, DischargeV1.Destination.Home);
        Assert.Equal("HOSPITALISED", summary.Admission);

        var report = await Procedure<GetProcedureReportRequest, ProcedureReport>("GetProcedureReport", new GetProcedureReportRequest { ReferralId = id });
        Assert.Equal("text/html; charset=utf-8", report.ContentType);
        foreach (var expected in new[] { "T10", "T11", "T12", "LOT-2026-117", "CARM-2", "Gy" })
        {
            Assert.Contains(expected, report.Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Apixaban_WithLowCreatinineClearance_HoldsThreeDays_EarlierSlotRefused()
    {
        var profile = new PatientProfile
        {
            Levels = ["L2"],
            Medications = [new CommonV1.Medication { Name = "apixaban", Kind = CommonV1.MedicationKind.Anticoagulant, Dosage = "5 mg x2/day" }],
            CreatinineClearance = 25,
        };
        var prepared = await _walker.PrepareAsync(3, profile);
        var id = prepared.Referral.ReferralId;

        // SIR 2019 table: apixaban 2 days, 3 days when CrCl < 30; last dose now.
        var drug = Assert.Single(prepared.Anticoagulation!.Drugs);
        Assert.Equal(3, drug.HoldDays);
        Assert.Equal(Monday.AddDays(3), prepared.Anticoagulation.EarliestProcedureAt.ToDateTimeOffset());

        // Thursday 07:00 UTC is before the earliest date (Thursday 09:00): refused, nothing booked.
        var early = _walker.DefaultSlot(1);
        Assert.True(early < Monday.AddDays(3));
        var refused = await Assert.ThrowsAsync<RpcException>(() => _walker.BookProcedureAsync(prepared, early));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        AssertRule(refused, "ANTICOAGULANT_HOLD_TOO_SHORT");
        Assert.Empty((await Pathway(id)).Appointments);

        var start = Monday.AddDays(4).AddHours(-2);
        await _walker.BookProcedureAsync(prepared, start);
        await _walker.PerformProcedureAsync(prepared, start);
        await _walker.RecordGoodObservationAsync(id);
        await PassObservationMinimumAsync(id);
        await _walker.DischargeAsync(id, DischargeV1.Destination.Home);
        var result = await _walker.FinishAsync(prepared);
        Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
    }

    [Fact]
    public async Task SymptomaticVenousLeak_Escalates_AndANewDeficitBlocksGoingHomeUntilReviewed()
    {
        var profile = new PatientProfile { Levels = ["L1", "L2"], SymptomaticVenousLeakLevel = "L2" };
        var prepared = await _walker.PrepareAsync(4, profile);
        var id = prepared.Referral.ReferralId;
        var start = _walker.DefaultSlot(4);
        await _walker.BookProcedureAsync(prepared, start);

        var completed = await _walker.PerformProcedureAsync(prepared, start);

        var escalation = Assert.Single(completed.Escalations);
        Assert.Equal(("SYMPTOMATIC_CEMENT_LEAK", "L2"), (escalation.Reason, escalation.Level));
        Assert.Equal(2, Assert.Single(completed.Complications).CirseGrade);
        // The escalation crossed the bus into scheduling's timeline, and the observation watches the legs closely.
        await Eventually.ValueAsync(() => Pathway(id), p => p.Timeline.Any(e => e.Event == "EscalationRaised"));
        var watched = await Discharge<DischargeV1.GetObservationStatusRequest, DischargeV1.ObservationStatus>("GetObservationStatus", new DischargeV1.GetObservationStatusRequest { ReferralId = id });
        Assert.True(watched.CloseNeuroWatch);

        // A new deficit in recovery raises a second escalation and blocks going home until reviewed.
        var deficit = await _walker.RecordGoodObservationAsync(id, legsNeuroNormal: false);
        Assert.True(deficit.EscalationOpen);
        await Eventually.ValueAsync(() => Pathway(id), p => p.Timeline.Count(e => e.Event == "EscalationRaised") == 2);
        await PassObservationMinimumAsync(id);
        var blocked = await Assert.ThrowsAsync<RpcException>(() => _walker.DischargeAsync(id, DischargeV1.Destination.Home));
        Assert.Equal(StatusCode.FailedPrecondition, blocked.StatusCode);
        AssertRule(blocked, "ESCALATION_OPEN");

        await Discharge<DischargeV1.ResolveEscalationRequest, DischargeV1.ObservationStatus>("ResolveEscalation", new DischargeV1.ResolveEscalationRequest
        {
            ReferralId = id, Outcome = DischargeV1.EscalationOutcome.ImagingNormal,
        });
        await _walker.RecordGoodObservationAsync(id);
        var summary = await _walker.DischargeAsync(id, DischargeV1.Destination.Home);
        Assert.Equal(DischargeV1.EscalationOutcome.ImagingNormal, summary.Escalation.Outcome);
    }

    [Fact]
    public async Task DayCase_UnderSedation_DischargedHomeAtExactlyTwoHours_WithVersionedInstructions()
    {
        var profile = new PatientProfile { Levels = ["T12"] };
        var prepared = await _walker.PrepareAsync(5, profile);
        var id = prepared.Referral.ReferralId;
        var start = _walker.DefaultSlot(5);
        await _walker.BookProcedureAsync(prepared, start);
        await _walker.PerformProcedureAsync(prepared, start);
        await _walker.RecordGoodObservationAsync(id);

        _time.Advance(TimeSpan.FromMinutes(119));
        var early = await Assert.ThrowsAsync<RpcException>(() => _walker.DischargeAsync(id, DischargeV1.Destination.Home));
        AssertRule(early, "OBSERVATION_MINIMUM_NOT_ELAPSED");
        await PassObservationMinimumAsync(id);
        await _walker.RecordGoodObservationAsync(id);
        var summary = await _walker.DischargeAsync(id, DischargeV1.Destination.Home);

        Assert.Equal(TimeSpan.FromHours(2), summary.Observation.ToTimeSpan());
        Assert.Equal(10, summary.PadssScore);
        Assert.Equal(["no-driving", "rest", "no-heavy-lifting", "call-for-fever", "report-skin"], summary.CodedInstructions.Select(i => i.Code));
        Assert.Equal(summary.DischargedAt.ToDateTimeOffset().AddHours(24), summary.PostDischargeCallDueAt.ToDateTimeOffset());
        var document = await Discharge<DischargeV1.GetDischargeSummaryDocumentRequest, DischargeV1.DischargeSummaryDocument>("GetDischargeSummaryDocument", new DischargeV1.GetDischargeSummaryDocumentRequest { ReferralId = id });
        Assert.Contains("No driving for 24 hours.", document.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("Demo5", document.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InPatient_DischargedNextDay_NotBeforeEightInTheMorningSiteTime()
    {
        var profile = new PatientProfile { Levels = ["L3", "L4"], Admission = CommonV1.AdmissionType.Hospitalised };
        var prepared = await _walker.PrepareAsync(6, profile);
        var id = prepared.Referral.ReferralId;
        var start = _walker.DefaultSlot(6);
        await _walker.BookProcedureAsync(prepared, start);
        await _walker.PerformProcedureAsync(prepared, start);
        await _walker.RecordGoodObservationAsync(id);
        await PassObservationMinimumAsync(id);

        // Recovery to the ward the same day is allowed; home waits for the next day, 08:00 in Paris (07:00 UTC in winter).
        var nextMorning = new DateTimeOffset(start.UtcDateTime.Date.AddDays(1).AddHours(7), TimeSpan.Zero);
        _time.Advance(nextMorning.AddMinutes(-1) - _time.GetUtcNow());
        await _walker.RecordGoodObservationAsync(id);
        var tooEarly = await Assert.ThrowsAsync<RpcException>(() => _walker.DischargeAsync(id, DischargeV1.Destination.Home));
        AssertRule(tooEarly, "NEXT_DAY_DISCHARGE_RULE");

        _time.Advance(TimeSpan.FromMinutes(1));
        var summary = await _walker.DischargeAsync(id, DischargeV1.Destination.Home);
        Assert.Equal(nextMorning, summary.DischargedAt.ToDateTimeOffset());
        var result = await _walker.FinishAsync(prepared);
        Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
    }

    /// <summary>Moves the clock past the 2 h minimum and waits for the durable timer to fire.</summary>
    private async Task PassObservationMinimumAsync(string id)
    {
        var status = await Discharge<DischargeV1.GetObservationStatusRequest, DischargeV1.ObservationStatus>("GetObservationStatus", new DischargeV1.GetObservationStatusRequest { ReferralId = id });
        var left = status.MinimumUntil.ToDateTimeOffset() - _time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            _time.Advance(left);
        }

        await Eventually.ValueAsync(
            () => Discharge<DischargeV1.GetObservationStatusRequest, DischargeV1.ObservationStatus>("GetObservationStatus", new DischargeV1.GetObservationStatusRequest { ReferralId = id }),
            s => s.MinimumElapsed);
    }

    /// <summary>FAILED_PRECONDITION naming the rule (alone or among the other unmet ones).</summary>
    private static void AssertRule(RpcException error, string rule)
    {
        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        var rules = (error.GetDetail<PreconditionFailure>()?.Violations.Select(v => v.Subject) ?? []).Append(error.GetDetail<ErrorInfo>()?.Type);
        Assert.Contains(rule, rules);
    }

    private static SignInRequest FullSignIn(string id) => new()
    {
        ReferralId = id, IdentityAndConsentConfirmed = true, AllergiesReviewed = true, AnesthesiaCheckDone = true, SiteMarkedOrNotApplicable = true,
        PulseOximeterOn = true, AirwayRiskAssessed = true, BloodLossRiskAssessed = true,
    };

    private Task<Pathway> Pathway(string id) => Scheduling<GetPathwayRequest, Pathway>("GetPathway", new GetPathwayRequest { ReferralId = id });

    private Task<TResponse> Scheduling<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Call<TRequest, TResponse>(SchedulingReflection.Descriptor.Services[0], method, request);

    private Task<TResponse> Anesthesia<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Call<TRequest, TResponse>(AnesthesiaReflection.Descriptor.Services[0], method, request);

    private Task<TResponse> Procedure<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Call<TRequest, TResponse>(ProcedureReflection.Descriptor.Services[0], method, request);

    private Task<TResponse> Discharge<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> => Call<TRequest, TResponse>(DischargeV1.DischargeReflection.Descriptor.Services[0], method, request);

    private Task<TResponse> Call<TRequest, TResponse>(Google.Protobuf.Reflection.ServiceDescriptor service, string method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        _channel.UnaryAsync(Method<TRequest, TResponse>.Create(service, method), request, new CallOptions().WithTimeout(TimeSpan.FromSeconds(15)));
}
