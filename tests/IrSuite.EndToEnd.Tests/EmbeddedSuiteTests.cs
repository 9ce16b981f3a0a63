using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Health.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DischargeV1 = IrSuite.Discharge.V1;

namespace IrSuite.EndToEnd.Tests;

/// <summary>The embedded default (one process, SQLite, in-memory bus) over real gRPC, with an injected clock.</summary>
public sealed class EmbeddedSuiteTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private InProcessSuite _suite = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _suite = await InProcessSuite.StartAsync(_time);
        _channel = _suite.Channel;
    }

    public async Task DisposeAsync() => await _suite.DisposeAsync();

    [Fact]
    public async Task Pathway_ReferralToDischargeAndFollowUp_OverGrpcWithInjectedClock()
    {
        var discharge = DischargeReflection();
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_channel), _time)
        {
            AdvanceClock = AdvanceAsync,
            WaitForObservationMinimum = async referralId =>
            {
                // Before the 2 h: refused, with the rule named.
                _time.Advance(TimeSpan.FromMinutes(119));
                var refused = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(discharge.Discharge, new DischargeV1.DischargePatientRequest
                {
                    ReferralId = referralId, Destination = DischargeV1.Destination.Home, EscortPresent = true,
                }));
                Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
                Assert.Equal("OBSERVATION_MINIMUM_NOT_ELAPSED", refused.GetDetail<ErrorInfo>()?.Type);

                // The 2 h mark: the durable timer fires (the sweeper runs on the injected clock).
                _time.Advance(TimeSpan.FromMinutes(1));
                await Eventually.ThatAsync(async () =>
                    (await _channel.UnaryAsync(discharge.Status, new DischargeV1.GetObservationStatusRequest { ReferralId = referralId })).MinimumElapsed);
            },
        };

        var result = await walker.WalkAsync(1, ["T12", "L1"]);

        Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
        Assert.Equal(["L1", "T12"], result.Discharge.Procedure.Levels.Order(StringComparer.Ordinal));
        Assert.Equal(TimeSpan.FromHours(2), result.Discharge.Observation.ToTimeSpan());
        Assert.Equal(AppointmentKind.FollowUp, result.FollowUp.Kind);
        var events = result.Pathway.Timeline.Select(e => e.Event).ToList();
        foreach (var expected in PathwayWalker.PathwayEvents)
        {
            Assert.Contains(expected, events);
        }

        Assert.True(events.IndexOf("ProcedureCompleted") < events.IndexOf("PatientDischarged"));
    }

    [Fact]
    public async Task Suite_ServesHealthAndReflectionForAllFourServices()
    {
        var check = Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Check");
        foreach (var service in new[] { "", "ir.scheduling.v1.SchedulingService", "ir.anesthesia.v1.AnesthesiaConsultationService", "ir.procedure.v1.ProcedureRecordService", "ir.discharge.v1.DischargeService" })
        {
            var health = await _channel.UnaryAsync(check, new HealthCheckRequest { Service = service });
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }

    [Fact]
    public async Task Gates_RefusedPathsNameTheRuleAndWriteNothing()
    {
        var scheduling = SchedulingReflection.Descriptor.Services[0];
        var submit = Method<SubmitReferralRequest, Referral>.Create(scheduling, "SubmitReferral");
        var list = Method<ListReferralsRequest, ListReferralsResponse>.Create(scheduling, "ListReferrals");
        var book = Method<BookAppointmentRequest, Appointment>.Create(scheduling, "BookAppointment");
        var consult = Method<RecordIrConsultRequest, Referral>.Create(scheduling, "RecordIrConsult");

        // Unknown level: INVALID_ARGUMENT naming the field; nothing written.
        var bad = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(submit, NewReferral("L1", "L9")));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        Assert.Equal("levels[1]", Assert.Single(bad.GetDetail<BadRequest>()!.FieldViolations).Field);
        Assert.Empty((await _channel.UnaryAsync(list, new ListReferralsRequest())).Referrals);

        // Unknown referral: NOT_FOUND.
        var missing = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(consult, new RecordIrConsultRequest
        {
            ReferralId = Guid.NewGuid().ToString(), Accepted = true, ExpectedSedation = Common.V1.SedationMode.Local,
        }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        // No procedure slot without a signed clearance.
        var referral = await _channel.UnaryAsync(submit, NewReferral("L2"));
        await _channel.UnaryAsync(consult, new RecordIrConsultRequest { ReferralId = referral.ReferralId, Accepted = true, ExpectedSedation = Common.V1.SedationMode.ConsciousSedation });
        var noClearance = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(book, new BookAppointmentRequest
        {
            ReferralId = referral.ReferralId, Kind = AppointmentKind.Procedure, Start = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(3)),
            DurationMinutes = 60, Room = "IR-1", RecoveryBed = "REC-1",
        }));
        Assert.Equal(StatusCode.FailedPrecondition, noClearance.StatusCode);
        Assert.Equal("CLEARANCE_REQUIRED", noClearance.GetDetail<ErrorInfo>()!.Type);
    }

    [Fact]
    public async Task Gates_NoCementBeforeTimeOutNorAtAnUnconfirmedLevel()
    {
        var procedure = ProcedureReflection.Descriptor.Services[0];
        var record = Method<RecordLevelTreatmentRequest, ProcedureCase>.Create(procedure, "RecordLevelTreatment");
        var signIn = Method<SignInRequest, ProcedureCase>.Create(procedure, "SignIn");
        var timeOut = Method<TimeOutRequest, ProcedureCase>.Create(procedure, "TimeOut");
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_channel), _time) { AdvanceClock = AdvanceAsync };
        var prepared = await walker.PrepareAsync(7, new PatientProfile { Levels = ["L3"], Sedation = Common.V1.SedationMode.Local });
        var start = walker.DefaultSlot(7);
        await walker.BookProcedureAsync(prepared, start);
        await AdvanceAsync(start.AddHours(-1) - _time.GetUtcNow());
        var referralId = prepared.Referral.ReferralId;

        RecordLevelTreatmentRequest Cement(string level, double volume) => new()
        {
            ReferralId = referralId, Level = level, Approach = Approach.Unipedicular, TrocarGauge = 11, CementVolumeMl = volume,
            CementProduct = "PMMA", CementLot = "LOT-1", CementExpiry = "2030-12-31", Leakage = Leakage.None,
        };

        var early = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(record, Cement("L3", 3)));
        Assert.Equal("TIME_OUT_REQUIRED", early.GetDetail<ErrorInfo>()!.Type);

        await _channel.UnaryAsync(signIn, new SignInRequest
        {
            ReferralId = referralId, IdentityAndConsentConfirmed = true, AllergiesReviewed = true, AnesthesiaCheckDone = true, SiteMarkedOrNotApplicable = true,
            PulseOximeterOn = true, AirwayRiskAssessed = true, BloodLossRiskAssessed = true,
        });
        await _channel.UnaryAsync(timeOut, new TimeOutRequest
        {
            ReferralId = referralId, ConfirmedLevels = { "L3" }, TeamIntroduced = true, PatientSiteProcedureConfirmed = true,
            CriticalEventsReviewed = true, ImagingDisplayed = true, AntibioticDrug = "cefazolin 1 g IV",
            AntibioticGivenAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddMinutes(-15)),
        });

        var wrongLevel = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(record, Cement("L4", 3)));
        Assert.Equal(StatusCode.FailedPrecondition, wrongLevel.StatusCode);
        Assert.Equal("LEVEL_NOT_CONFIRMED", wrongLevel.GetDetail<ErrorInfo>()!.Type);

        var negative = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(record, Cement("L3", -2)));
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.Contains(negative.GetDetail<BadRequest>()!.FieldViolations, v => v.Field == "cement_volume_ml");

        var treated = await _channel.UnaryAsync(record, Cement("L3", 3));
        Assert.Equal("L3", Assert.Single(treated.Treatments).Level);
    }

    private Task AdvanceAsync(TimeSpan by)
    {
        _time.Advance(by);
        return Task.CompletedTask;
    }

    private SubmitReferralRequest NewReferral(params string[] levels) => new()
    {
        Patient = new PatientIdentity { FamilyName = "Gate", GivenName = "Test", BirthDate = "1950-01-01", MedicalRecordNumber = "MRN-" + Guid.NewGuid().ToString("N")[..8] },
        Referrer = new Referrer { Name = "Dr R" },
        Indication = Indication.OsteoporoticFracture,
        Levels = { levels },
        Pregnancy = Common.V1.PregnancyStatus.NotApplicable,
    };

    private static (Method<DischargeV1.DischargePatientRequest, DischargeV1.DischargeSummary> Discharge, Method<DischargeV1.GetObservationStatusRequest, DischargeV1.ObservationStatus> Status) DischargeReflection()
    {
        var service = DischargeV1.DischargeReflection.Descriptor.Services[0];
        return (Method<DischargeV1.DischargePatientRequest, DischargeV1.DischargeSummary>.Create(service, "DischargePatient"),
            Method<DischargeV1.GetObservationStatusRequest, DischargeV1.ObservationStatus>.Create(service, "GetObservationStatus"));
    }
}
