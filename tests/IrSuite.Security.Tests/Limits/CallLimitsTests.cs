using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Server;
using IrSuite.Protocol.V1;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Security.Tests.Limits;

/// <summary>
/// Per-caller limits, the unary call ceiling and the metadata cap over real gRPC (decision 0014). The rate limit runs on
/// the suite's manual clock and the ceiling on a manual clock of its own, so nothing here waits in real time; calls are
/// held in progress by a gate interceptor placed innermost (after the limits) and released by the test.
/// </summary>
public sealed class CallLimitsTests : IAsyncLifetime
{
    private static readonly Method<GetSiteProtocolRequest, SiteProtocolInfo> GetProtocol =
        Method<GetSiteProtocolRequest, SiteProtocolInfo>.Create(ProtocolReflection.Descriptor.Services[0], "GetSiteProtocol");

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly ManualTimeProvider _deadlines = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly Gate _gate = new();
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync() =>
        _suite = await InProcessSuite.StartAsync(_clock, builder =>
        {
            builder.Configuration["Limits:PerCallerRequestsPerSecond"] = "1";
            builder.Configuration["Limits:PerCallerBurst"] = "3";
            builder.Configuration["Limits:PerCallerConcurrency"] = "2";
            builder.Configuration["Limits:MaxCallDuration"] = "00:00:30";
            builder.Services.AddSingleton(_gate);
            builder.Services.AddSingleton<GateInterceptor>();
            builder.Services.PostConfigure<GrpcServerOptions>(o =>
            {
                o.Interceptors.Add(typeof(GateInterceptor));
                o.TimeProvider = _deadlines;
            });
        });

    public async Task DisposeAsync()
    {
        _gate.ReleaseAll();
        await _suite.DisposeAsync();
    }

    [Fact]
    public async Task RateLimit_BurstThenResourceExhaustedWithRetryInfo_OtherCallersUnaffected_RefillsWithTheClock()
    {
        using var nurse = _suite.ChannelAs("nurse-rate", Roles.Nurse);
        using var other = _suite.ChannelAs("nurse-other", Roles.Nurse);
        for (var i = 0; i < 3; i++)
        {
            await nurse.UnaryAsync(GetProtocol, new GetSiteProtocolRequest());
        }

        var refused = await Assert.ThrowsAsync<RpcException>(() => nurse.UnaryAsync(GetProtocol, new GetSiteProtocolRequest()));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Rate limit", refused.Status.Detail, StringComparison.Ordinal);
        var retry = refused.GetDetail<RetryInfo>();
        Assert.NotNull(retry);
        Assert.Equal(TimeSpan.FromSeconds(1), retry.RetryDelay.ToTimeSpan());
        await other.UnaryAsync(GetProtocol, new GetSiteProtocolRequest());

        _clock.Advance(TimeSpan.FromSeconds(1));
        await nurse.UnaryAsync(GetProtocol, new GetSiteProtocolRequest());
    }

    [Fact]
    public async Task ConcurrencyLimit_ThirdCallInProgress_ResourceExhausted_FreedWhenOneEnds()
    {
        using var caller = _suite.ChannelAs("rad-busy", Roles.Radiologist);
        var held = Enumerable.Range(0, 2).Select(_ => caller.UnaryAsync(GetProtocol, new GetSiteProtocolRequest(), Hold())).ToList();
        await _gate.WaitForHeldAsync(2);

        var refused = await Assert.ThrowsAsync<RpcException>(() => caller.UnaryAsync(GetProtocol, new GetSiteProtocolRequest()));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Concurrency limit", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("Limits:PerCallerConcurrency", refused.GetDetail<QuotaFailure>()!.Violations[0].Description);

        _gate.ReleaseAll();
        await Task.WhenAll(held);
        _clock.Advance(TimeSpan.FromSeconds(5)); // the three calls above spent the burst of 3
        await caller.UnaryAsync(GetProtocol, new GetSiteProtocolRequest());
    }

    [Fact]
    public async Task CallWithoutDeadline_CutAtTheServersCeiling_DeadlineExceeded()
    {
        using var caller = _suite.ChannelAs("ops-slow", Roles.Ops);
        var call = caller.UnaryAsync(GetProtocol, new GetSiteProtocolRequest(), Hold());
        await _gate.WaitForHeldAsync(1);
        await _deadlines.WaitForPendingTimersAsync(1);

        _deadlines.Advance(TimeSpan.FromSeconds(31));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task MetadataBeyondTheCap_Refused_ServerKeepsServing()
    {
        using var caller = _suite.ChannelAs("ops-big", Roles.Ops);
        var headers = new Metadata().Add("x-padding", new string('a', 20 * 1024));

        var ex = await Assert.ThrowsAsync<RpcException>(() => caller.UnaryAsync(GetProtocol, new GetSiteProtocolRequest(), new CallOptions(headers)));

        // Refused before any gRPC code runs: by the client, once it has the server's SETTINGS_MAX_HEADER_LIST_SIZE
        // (16 KiB), or else by Kestrel, which resets the stream. Either way the gRPC client reports INTERNAL. Only this
        // call fails; the connection and the server carry on.
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        _clock.Advance(TimeSpan.FromSeconds(5));
        Assert.NotEmpty((await caller.UnaryAsync(GetProtocol, new GetSiteProtocolRequest())).AppliedVersion);
    }

    private static CallOptions Hold() => new(new Metadata().Add(GateInterceptor.Header, "1"));

    /// <summary>Holds calls carrying <see cref="Header"/> until the test releases them.</summary>
    public sealed class GateInterceptor(Gate gate) : IServerInterceptor
    {
        public const string Header = "x-test-hold";

        public async Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
        {
            if (context.RequestHeaders.GetValue(Header) is not null)
            {
                await gate.HoldAsync(context.CancellationToken);
            }

            await next(context);
        }
    }

    public sealed class Gate
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _count;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task HoldAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
        }

        public async Task WaitForHeldAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (Volatile.Read(ref _count) < count)
            {
                await Volatile.Read(ref _changed).Task.WaitAsync(TimeSpan.FromMilliseconds(200), timeout.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                timeout.Token.ThrowIfCancellationRequested();
            }
        }

        public void ReleaseAll() => _release.TrySetResult();
    }
}
