using IrSuite.Grpc;
using IrSuite.Scheduling.V1;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;

namespace IrSuite.Security.Tests.Privacy;

/// <summary>GetReferral returns the patient's identity to the scheduler and radiologist only (decision 0014).</summary>
public sealed class ReferralIdentityTests : IAsyncLifetime
{
    private static readonly Method<GetReferralRequest, Referral> GetReferral =
        Method<GetReferralRequest, Referral>.Create(SchedulingReflection.Descriptor.Services[0], "GetReferral");

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync() => _suite = await InProcessSuite.StartAsync(_time);

    public async Task DisposeAsync() => await _suite.DisposeAsync();

    [Fact]
    public async Task GetReferral_IdentityOnlyForSchedulerAndRadiologist()
    {
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_suite.Channel), _time);
        var prepared = await walker.PrepareAsync(1, new PatientProfile
        {
            Levels = ["L1"],
            Identity = new PatientIdentity { FamilyName = "ZQXPHIFAMILY", GivenName = "ZQXPHIGIVEN", BirthDate = "1931-07-14", MedicalRecordNumber = "MRN-ZQX-1" },
        });
        var request = new GetReferralRequest { ReferralId = prepared.Referral.ReferralId };

        using var scheduler = _suite.ChannelAs("scheduler-1", Roles.Scheduler);
        using var nurse = _suite.ChannelAs("nurse-1", Roles.Nurse);
        var forScheduler = await scheduler.UnaryAsync(GetReferral, request);
        var forNurse = await nurse.UnaryAsync(GetReferral, request);

        Assert.Equal("ZQXPHIFAMILY", forScheduler.Patient.FamilyName);
        Assert.Null(forNurse.Patient);
        Assert.Equal(forScheduler.PatientId, forNurse.PatientId);
    }
}
