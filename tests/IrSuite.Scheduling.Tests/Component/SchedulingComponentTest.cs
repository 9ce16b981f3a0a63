using Google.Protobuf.WellKnownTypes;
using IrSuite.Anesthesia.V1;
using IrSuite.Grpc;
using IrSuite.Scheduling.Tests.Infrastructure;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Tests.Component;

/// <summary>A fresh service (database, bus, clock, fake anaesthesia) per test; fails the test on any Error-level log.</summary>
public abstract class SchedulingComponentTest : IAsyncLifetime
{
    /// <summary>Monday 23 November 2026, 08:00 UTC (09:00 in Paris).</summary>
    protected static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    /// <summary>The usual slot: three calendar days after the anaesthesia consultation.</summary>
    protected static readonly DateTimeOffset Slot = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

    protected static readonly DateTimeOffset ImagingAt = Now.AddDays(-10);

    private readonly List<SchedulingHost> _hosts = [];

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("irsuite-scheduling-").FullName;

    protected ManualTimeProvider Clock { get; } = new(Now);

    protected SchedulingHost Host { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    protected SiteProtocol Protocol => Host.Services.GetRequiredService<SiteProtocol>();

    public virtual async Task InitializeAsync()
    {
        Host = await SchedulingHost.StartAsync(Clock, Path.Combine(Directory, "main"), Settings);
        _hosts.Add(Host);
    }

    public async Task DisposeAsync()
    {
        var errors = _hosts.SelectMany(h => h.Errors.Entries).ToList();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        Assert.Empty(errors);
    }

    protected static SubmitReferralRequest NewReferral(params CommonV1.Medication[] medications)
    {
        var request = new SubmitReferralRequest
        {
            Patient = new PatientIdentity { FamilyName = "Test", GivenName = "Patient", BirthDate = "1948-03-02", MedicalRecordNumber = Guid.NewGuid().ToString("N")[..12] },
            Referrer = new Referrer { Name = "Dr Referrer", Organisation = "Rheumatology" },
            Indication = Indication.OsteoporoticFracture,
            Pregnancy = CommonV1.PregnancyStatus.NotApplicable,
        };
        request.Levels.Add(["L1", "L2"]);
        request.Imaging.Add(new ImagingStudy { Modality = ImagingModality.Mri, PerformedAt = Timestamp.FromDateTimeOffset(ImagingAt), AccessionNumber = "ACC-1" });
        request.Allergies.Add("penicillin");
        request.Medications.Add(medications);
        return request;
    }

    protected static CommonV1.Medication Drug(string name, CommonV1.MedicationKind kind = CommonV1.MedicationKind.Anticoagulant) =>
        new() { Name = name, Kind = kind, Dosage = "as prescribed" };

    /// <summary>A submitted referral accepted at the IR consult with the given expected sedation.</summary>
    protected async Task<Referral> AcceptedReferralAsync(
        SubmitReferralRequest? request = null, CommonV1.SedationMode sedation = CommonV1.SedationMode.General, bool osteoporosisSuspected = false)
    {
        var referral = await Host.SubmitReferralAsync(request ?? NewReferral());
        return await Host.RecordIrConsultAsync(new RecordIrConsultRequest
        {
            ReferralId = referral.ReferralId, Accepted = true, ExpectedSedation = sedation, OsteoporosisSuspected = osteoporosisSuspected,
        });
    }

    /// <summary>Teaches the fake anaesthesia service a plan.</summary>
    protected void SetPlan(
        string referralId, ClearanceDecision decision = ClearanceDecision.Fit, CommonV1.SedationMode sedation = CommonV1.SedationMode.General, DateTimeOffset? assessedAt = null)
    {
        Host.Anesthesia.Plans[referralId] = new AnesthesiaPlan
        {
            ReferralId = referralId,
            Status = decision == ClearanceDecision.Unspecified ? CaseStatus.Assessed : CaseStatus.Cleared,
            Clearance = decision,
            Sedation = sedation,
            AnesthesiologistId = "anaes-1",
            AssessedAt = Timestamp.FromDateTimeOffset(assessedAt ?? Now),
            SignedAt = decision == ClearanceDecision.Unspecified ? null : Timestamp.FromDateTimeOffset(assessedAt ?? Now),
        };
    }

    protected Task<Consent> ConsentAsync(string referralId, params string[] levels) =>
        Host.RecordConsentAsync(ConsentRequest(referralId, levels.Length == 0 ? ["L1", "L2"] : levels));

    protected RecordConsentRequest ConsentRequest(string referralId, IEnumerable<string> levels)
    {
        var request = new RecordConsentRequest
        {
            ReferralId = referralId,
            ProcedureInformationGiven = true,
            AnesthesiaInformationGiven = true,
            RadiationInformationGiven = true,
            SignedAt = Timestamp.FromDateTimeOffset(Clock.GetUtcNow().AddHours(-1)),
        };
        request.ConsentedLevels.Add(levels);
        return request;
    }

    protected Task<LabResults> LabsAsync(string referralId, double inr = 1.1, double platelets = 210, DateTimeOffset? takenAt = null, double? crcl = null)
    {
        var request = new RecordLabsRequest
        {
            ReferralId = referralId, Inr = inr, PlateletsGPerL = platelets, TakenAt = Timestamp.FromDateTimeOffset(takenAt ?? Clock.GetUtcNow().AddHours(-1)),
        };
        if (crcl is { } value)
        {
            request.CreatinineClearanceMlMin = value;
        }

        return Host.RecordLabsAsync(request);
    }

    /// <summary>An accepted referral with every readiness item met for <see cref="Slot"/> (GA, clearance FIT, consent, labs).</summary>
    protected async Task<Referral> ReadyReferralAsync(SubmitReferralRequest? request = null, bool osteoporosisSuspected = false)
    {
        var referral = await AcceptedReferralAsync(request, osteoporosisSuspected: osteoporosisSuspected);
        SetPlan(referral.ReferralId);
        await ConsentAsync(referral.ReferralId);
        await LabsAsync(referral.ReferralId);
        return referral;
    }

    protected static BookAppointmentRequest Procedure(string referralId, DateTimeOffset? start = null, string room = "IR-1", string bed = "", int minutes = 60) => new()
    {
        ReferralId = referralId,
        Kind = AppointmentKind.Procedure,
        Start = Timestamp.FromDateTimeOffset(start ?? Slot),
        DurationMinutes = minutes,
        Room = room,
        RecoveryBed = bed,
    };

    protected static async Task<RpcException> AssertGateAsync(Task call, string rule)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(rule, ex.GetDetail<Google.Rpc.ErrorInfo>()?.Type);
        Assert.Contains(rule, Violations(ex));
        return ex;
    }

    protected static IReadOnlyList<string> Violations(RpcException ex) =>
        ex.GetDetail<Google.Rpc.PreconditionFailure>()?.Violations.Select(v => v.Subject).ToList() ?? [];

    protected static async Task<IReadOnlyList<string>> AssertInvalidAsync(Task call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetDetail<Google.Rpc.BadRequest>();
        Assert.NotNull(badRequest);
        return badRequest.FieldViolations.Select(v => v.Field).ToList();
    }

    /// <summary>Nothing of a booking was written: no appointment, no ProcedureScheduled in the outbox, referral still accepted.</summary>
    protected async Task AssertNothingBookedAsync(string referralId)
    {
        Assert.Equal(0, await Host.OutboxCountAsync("ProcedureScheduled", referralId));
        var pathway = await Host.GetPathwayAsync(referralId);
        Assert.Empty(pathway.Appointments);
        Assert.NotEqual(ReferralStatus.Scheduled, pathway.Referral.Status);
    }
}
