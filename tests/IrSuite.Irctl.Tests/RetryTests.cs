using System.Collections.Concurrent;
using System.Net;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Scheduling.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.Irctl.Tests;

/// <summary>
/// A change answered UNAVAILABLE or ABORTED is sent again with the same request id (decision 0007), a rate-limited call
/// after the delay its RetryInfo asks; other failures are not sent again and end with their exit code.
/// </summary>
public sealed class RetryTests : IAsyncLifetime
{
    private readonly FlakyScheduling _service = new();
    private WebApplication _app = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var port = IrSuite.TestSupport.PeerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenGrpc(new IPEndPoint(IPAddress.Loopback, port)));
        builder.Services.AddSingleton(_service);
        builder.Services.AddGrpcServer().AddService<FlakyScheduling>(SchedulingReflection.Descriptor.Services[0]);
        _app = builder.Build();
        _app.UseGrpcServer();
        await _app.StartAsync();
        _address = $"http://127.0.0.1:{port}";
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Change_UnavailableTwice_ResentWithTheSameRequestId()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);
        var referral = Guid.NewGuid().ToString();
        _service.FailuresLeft[referral] = 2;

        var result = await irctl.RunAsync("--address", _address, "--token", "t", "referral", "consult", referral, "--decline", "--decline-reason", "x");

        Assert.True(result.ExitCode == 0, result.ToString());
        var ids = _service.RequestIds[referral];
        Assert.Equal(3, ids.Count);
        Assert.Single(ids.Distinct());
        Assert.True(Guid.TryParse(ids.First(), out _));
    }

    [Fact]
    public async Task Change_UnavailableEveryTime_GivesUpWithExitCode7()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);
        var referral = Guid.NewGuid().ToString();
        _service.FailuresLeft[referral] = 100;

        var result = await irctl.RunAsync("--address", _address, "--token", "t", "referral", "consult", referral, "--accept");

        Assert.Equal(7, result.ExitCode);
        Assert.Equal(4, _service.RequestIds[referral].Count);
    }

    [Fact]
    public async Task Change_AbortedWhileTheSameIdIsInFlight_ResentWithTheSameRequestId()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);
        var referral = Guid.NewGuid().ToString();
        _service.FailuresLeft[referral] = 1;
        _service.FailWith[referral] = new RpcException(new Status(StatusCode.Aborted, "request id in flight"));

        var result = await irctl.RunAsync("--address", _address, "--token", "t", "referral", "consult", referral, "--accept");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, _service.RequestIds[referral].Count);
        Assert.Single(_service.RequestIds[referral].Distinct());
    }

    [Fact]
    public async Task Change_RateLimitedWithRetryInfo_ResentAfterTheDelayTheServerAsked()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);
        var referral = Guid.NewGuid().ToString();
        _service.FailuresLeft[referral] = 1;
        _service.FailWith[referral] = RpcException.WithDetails(StatusCode.ResourceExhausted, "Rate limit", new Google.Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)) });

        var result = await irctl.RunAsync("--address", _address, "--token", "t", "referral", "consult", referral, "--accept");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, _service.RequestIds[referral].Count);
    }

    [Theory]
    [InlineData(StatusCode.ResourceExhausted, 9)] // a concurrency limit carries no RetryInfo: not resent
    [InlineData(StatusCode.AlreadyExists, 8)]
    public async Task Change_NotRetryable_ExitCodeForScripts_SentOnce(StatusCode code, int exitCode)
    {
        using var irctl = new IrctlRunner(TimeProvider.System);
        var referral = Guid.NewGuid().ToString();
        _service.FailuresLeft[referral] = 100;
        _service.FailWith[referral] = new RpcException(new Status(code, "refused"));

        var result = await irctl.RunAsync("--address", _address, "--token", "t", "-o", "json", "referral", "consult", referral, "--accept");

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Single(_service.RequestIds[referral]);
        Assert.Contains("\"hint\"", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Change_RateLimitedAskingTooLong_GivesUpWithExitCode9()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);
        var referral = Guid.NewGuid().ToString();
        _service.FailuresLeft[referral] = 100;
        _service.FailWith[referral] = RpcException.WithDetails(StatusCode.ResourceExhausted, "Rate limit", new Google.Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) });

        var result = await irctl.RunAsync("--address", _address, "--token", "t", "referral", "consult", referral, "--accept");

        Assert.Equal(9, result.ExitCode);
        Assert.Single(_service.RequestIds[referral]);
    }

    /// <summary>Answers RecordIrConsult with a failure (UNAVAILABLE unless set) a set number of times per referral, recording each request id.</summary>
    public sealed class FlakyScheduling
    {
        public ConcurrentDictionary<string, int> FailuresLeft { get; } = new();

        public ConcurrentDictionary<string, RpcException> FailWith { get; } = new();

        public ConcurrentDictionary<string, ConcurrentQueue<string>> RequestIds { get; } = new();

        public Task<Referral> RecordIrConsult(RecordIrConsultRequest request, ServerCallContext context)
        {
            RequestIds.GetOrAdd(request.ReferralId, _ => new()).Enqueue(request.RequestId);
            if (FailuresLeft.AddOrUpdate(request.ReferralId, 0, (_, left) => left - 1) >= 0)
            {
                throw FailWith.TryGetValue(request.ReferralId, out var failure) ? failure : new RpcException(new Status(StatusCode.Unavailable, "try again"));
            }

            return Task.FromResult(new Referral { ReferralId = request.ReferralId, Status = request.Accepted ? ReferralStatus.Accepted : ReferralStatus.Declined });
        }
    }
}
