using IrSuite.Grpc;
using IrSuite.Scheduling.V1;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.TestSupport;

namespace IrSuite.Security.Tests.Limits;

/// <summary>Grpc:MaxReceiveMessageSize over real gRPC: a request beyond it is refused with RESOURCE_EXHAUSTED (decision 0014).</summary>
public sealed class MessageSizeLimitTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync() =>
        _suite = await InProcessSuite.StartAsync(_time, b => b.Configuration["Grpc:MaxReceiveMessageSize"] = "2048");

    public async Task DisposeAsync() => await _suite.DisposeAsync();

    [Fact]
    public async Task RequestBeyondMaxReceiveMessageSize_ResourceExhausted()
    {
        var submit = Method<SubmitReferralRequest, Referral>.Create(SchedulingReflection.Descriptor.Services[0], "SubmitReferral");
        var request = new SubmitReferralRequest { Patient = new PatientIdentity { FamilyName = new string('Z', 4096) } };

        var refused = await Assert.ThrowsAsync<RpcException>(() => _suite.Channel.UnaryAsync(submit, request));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.DoesNotContain("ZZZZ", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestWithinMaxReceiveMessageSize_ReachesValidation()
    {
        var submit = Method<SubmitReferralRequest, Referral>.Create(SchedulingReflection.Descriptor.Services[0], "SubmitReferral");

        var refused = await Assert.ThrowsAsync<RpcException>(() => _suite.Channel.UnaryAsync(submit, new SubmitReferralRequest()));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
    }
}
