using Google.Protobuf;
using Google.Rpc;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Tests.Infrastructure;
using IrSuite.Testing.V1;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Grpc.Tests;

/// <summary>Our client against our server over real HTTP/2: the four call shapes and their failure paths.</summary>
public sealed class CallTests : IAsyncLifetime
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Probe = ProbeReflection.Descriptor.Services[0];
    internal static readonly Method<ProbeRequest, ProbeReply> Echo = Method<ProbeRequest, ProbeReply>.Create(Probe, "Echo");
    internal static readonly Method<ProbeRequest, ProbeReply> Submit = Method<ProbeRequest, ProbeReply>.Create(Probe, "Submit");
    internal static readonly Method<ProbeRequest, ProbeReply> Countdown = Method<ProbeRequest, ProbeReply>.Create(Probe, "Countdown");
    internal static readonly Method<ProbeRequest, ProbeReply> Collect = Method<ProbeRequest, ProbeReply>.Create(Probe, "Collect");
    internal static readonly Method<ProbeRequest, ProbeReply> Chat = Method<ProbeRequest, ProbeReply>.Create(Probe, "Chat");
    internal static readonly Method<ProbeRequest, ProbeReply> Relay = Method<ProbeRequest, ProbeReply>.Create(Probe, "Relay");

    private TestServer _server = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _channel = _server.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public void Method_FromDescriptor_KnowsShapeAndIdempotency()
    {
        Assert.Equal("/irsuite.testing.v1.ProbeService/Echo", Echo.FullName);
        Assert.True(Echo.IsIdempotent);
        Assert.False(Submit.IsIdempotent);
        Assert.Equal(MethodType.ServerStreaming, Countdown.Type);
        Assert.Equal(MethodType.ClientStreaming, Collect.Type);
        Assert.Equal(MethodType.DuplexStreaming, Chat.Type);
        Assert.Throws<ArgumentException>(() => Method<global::Grpc.Testing.Empty, ProbeReply>.Create(Probe.FindMethodByName("Echo")));
    }

    [Fact]
    public async Task Unary_HeadersTrailersAndBinaryMetadata_RoundTrip()
    {
        var headers = new Metadata().Add("x-request-id", "r-1").Add("x-blob-bin", [0, 255, 7]);
        using var call = _channel.UnaryCall(Echo, new ProbeRequest { Text = "ping", Blob = ByteString.CopyFrom(1, 2) }, new CallOptions(headers));
        var reply = await call;
        Assert.Equal("ping", reply.Text);
        Assert.Equal(new byte[] { 1, 2 }, reply.Blob.ToByteArray());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("r-1", call.GetTrailers().GetValue("x-request-id"));
        Assert.Equal(new byte[] { 0, 255, 7 }, call.GetTrailers().GetValueBytes("x-blob-bin"));
    }

    [Fact]
    public async Task ServerStreaming_ReadsEveryMessageInOrder()
    {
        using var call = _channel.ServerStreamingCall(Countdown, new ProbeRequest { Count = 5 });
        var counts = await call.ResponseStream.ReadAllAsync().Select(r => r.Count).ToListAsync();
        Assert.Equal([5, 4, 3, 2, 1], counts);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task ClientStreaming_HalfCloseThenResponse()
    {
        using var call = _channel.ClientStreamingCall(Collect);
        foreach (var text in new[] { "x", "y", "z" })
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Text = text });
        }

        await call.RequestStream.CompleteAsync();
        var reply = await call;
        Assert.Equal(3, reply.Count);
        Assert.Equal("xyz", reply.Text);
    }

    [Fact]
    public async Task Duplex_InterleavedRequestsAndResponses()
    {
        using var call = _channel.DuplexStreamingCall(Chat);
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new ProbeRequest { Count = i });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal(i, call.ResponseStream.Current.Count);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_ServerEndsWithError_SurfacesStatusToReaderAndWriter()
    {
        using var call = _channel.DuplexStreamingCall(Chat);
        await call.RequestStream.WriteAsync(new ProbeRequest { FailCode = (int)StatusCode.Aborted, Text = "version conflict" });
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal("version conflict", ex.Status.Detail);
        await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new ProbeRequest()));
    }

    [Fact]
    public async Task Deadline_SleepingHandler_DeadlineExceededAndHandlerCancelled()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(Echo, new ProbeRequest { DelayMs = 30_000 }, new CallOptions().WithTimeout(TimeSpan.FromMilliseconds(200))));
        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(await _server.State.HandlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Deadline_ServerEnforcesGrpcTimeout_EvenIfTheClientWaits()
    {
        // A raw client that does not cancel: the server's own timer must end the call.
        using var client = _server.CreateRawClient();
        var response = await RawGrpc.SendAsync(client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest { DelayMs = 30_000 }), headers: h => h.TryAddWithoutValidation("grpc-timeout", "150m"));
        Assert.Equal(StatusCode.DeadlineExceeded, response.GrpcStatus);
        Assert.True(await _server.State.HandlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("1H", 3_600_000)]
    [InlineData("2M", 120_000)]
    [InlineData("30S", 30_000)]
    [InlineData("45000m", 45_000)]
    [InlineData("50000000u", 50_000)]
    [InlineData("55000000n", 55)]
    public async Task Deadline_EveryTimeoutUnit_BecomesTheHandlersDeadline(string header, long expectedMs)
    {
        using var client = _server.CreateRawClient();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var response = await RawGrpc.SendAsync(client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest()), headers: h => h.TryAddWithoutValidation("grpc-timeout", header));
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var deadline = ProbeReply.Parser.ParseFrom(response.Body.AsSpan(5)).DeadlineUnixMs;
        Assert.InRange(deadline, before + expectedMs - 5, after + expectedMs + 5);
    }

    [Fact]
    public async Task Cancellation_ClientCancelsStream_HandlerObservesIt()
    {
        using var cts = new CancellationTokenSource();
        var call = _channel.ServerStreamingCall(Countdown, new ProbeRequest { Count = -1, DelayMs = 20 }, new CallOptions(cancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext());
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        Assert.True(await _server.State.HandlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        call.Dispose();
    }

    [Fact]
    public async Task Cancellation_DisposingACallWithHeaders_ResetsTheStream()
    {
        var call = _channel.ServerStreamingCall(Countdown, new ProbeRequest { Count = -1, DelayMs = 20 });
        Assert.True(await call.ResponseStream.MoveNext());
        call.Dispose();
        Assert.True(await _server.State.HandlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task RichError_BadRequestDetails_RoundTrip()
    {
        await using var server = await TestServer.StartAsync(configureServices: s => s.AddSingleton<ValidatingProbe>(),
            configureGrpc: g => g.AddService<ValidatingProbe>(global::Grpc.Testing.TestReflection.Descriptor.Services[1]));
        using var channel = server.CreateChannel();
        var method = Method<global::Grpc.Testing.Empty, global::Grpc.Testing.Empty>.Create(global::Grpc.Testing.TestReflection.Descriptor.Services[1], "UnimplementedCall");
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(method, new global::Grpc.Testing.Empty()));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("Request is invalid.", ex.Status.Detail);
        var badRequest = ex.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal("levels[0]", Assert.Single(badRequest!.FieldViolations).Field);
        Assert.Equal("REQUEST_INVALID", ex.GetDetail<ErrorInfo>()!.Type);
    }

    [Fact]
    public async Task Compression_GzipRequestAndResponse()
    {
        await using var server = await TestServer.StartAsync(configureGrpc: g => g.Services.Configure<IrSuite.Grpc.Server.GrpcServerOptions>(o => o.ResponseCompressionAlgorithm = "gzip"));
        using var channel = server.CreateChannel();
        using var raw = server.CreateRawClient();
        var big = new ProbeRequest { Blob = ByteString.CopyFrom(new byte[100_000]) };
        var reply = await channel.UnaryAsync(Echo, big, new CallOptions { RequestCompression = "gzip" });
        Assert.Equal(100_000, reply.Blob.Length);
        var response = await RawGrpc.SendAsync(raw, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(big), headers: h => h.TryAddWithoutValidation("grpc-accept-encoding", "gzip"));
        Assert.Equal("gzip", response.Headers["grpc-encoding"]);
        Assert.Equal(1, response.Body[0]);
        Assert.True(response.Body.Length < 10_000);
    }

    [Fact]
    public async Task MessageLimits_ClientRefusesResponsesOverItsLimit()
    {
        using var channel = _server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Echo, new ProbeRequest { Blob = ByteString.CopyFrom(new byte[2000]) }));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task MessageLimits_ServerRefusesRequestsOver4MiB()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(Echo, new ProbeRequest { Blob = ByteString.CopyFrom(new byte[4 * 1024 * 1024 + 1]) }));
        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Connection_IsReusedAcrossCalls()
    {
        for (var i = 0; i < 20; i++)
        {
            await _channel.UnaryAsync(Echo, new ProbeRequest());
        }

        Assert.Single(_server.State.ConnectionIds.Distinct());
    }

    [Fact]
    public async Task Unavailable_NoServer_IsUnavailable()
    {
        var port = FreePort();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions { Retry = { MaxRetryAttempts = 0 } });
        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Submit, new ProbeRequest()));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task Retry_IdempotentMethod_RetriesUnavailableThenSucceeds()
    {
        _server.State.FailuresBeforeSuccess = 2;
        using var channel = _server.CreateChannel(new GrpcChannelOptions { Retry = { InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(5) } });
        var reply = await channel.UnaryAsync(Echo, new ProbeRequest { Text = "third time" });
        Assert.Equal("third time", reply.Text);
        Assert.Equal(3, _server.State.Calls);
    }

    [Fact]
    public async Task Retry_NonIdempotentMethod_IsNeverRetried()
    {
        _server.State.FailuresBeforeSuccess = 1;
        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(Submit, new ProbeRequest()));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(1, _server.State.Calls);
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterRepeatedUnavailable_AndFailsFast()
    {
        _server.State.FailuresBeforeSuccess = int.MaxValue;
        using var channel = _server.CreateChannel(new GrpcChannelOptions
        {
            Retry = { MaxRetryAttempts = 0, BreakerMinimumThroughput = 5, BreakerFailureRatio = 0.5, BreakDuration = TimeSpan.FromMinutes(1) },
        });
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Submit, new ProbeRequest()));
        }

        var callsBefore = _server.State.Calls;
        var ex = await Assert.ThrowsAsync<CircuitOpenException>(() => channel.UnaryAsync(Submit, new ProbeRequest()));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(callsBefore, _server.State.Calls);
    }

    [Fact]
    public async Task Propagation_DeadlineFlowsFromIncomingToOutgoingCall()
    {
        await using var inner = await TestServer.StartAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var reply = await _channel.UnaryAsync(Relay, new ProbeRequest { Text = inner.Address.ToString() }, new CallOptions().WithTimeout(TimeSpan.FromSeconds(20)));
        Assert.InRange(reply.DeadlineUnixMs, before + 15_000, before + 20_100);
    }

    [Fact]
    public async Task Propagation_CancellingTheOuterCallCancelsTheInnerOne()
    {
        await using var inner = await TestServer.StartAsync();
        using var cts = new CancellationTokenSource();
        var relay = _channel.UnaryAsync(Relay, new ProbeRequest { Text = inner.Address.ToString(), DelayMs = 60_000 }, new CallOptions(cancellationToken: cts.Token));
        await inner.State.HandlerStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => relay);
        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        Assert.True(await inner.State.HandlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers every call with INVALID_ARGUMENT carrying BadRequest and ErrorInfo details.</summary>
    public sealed class ValidatingProbe
    {
        public Task<global::Grpc.Testing.Empty> UnimplementedCall(global::Grpc.Testing.Empty request, IrSuite.Grpc.Server.ServerCallContext context)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = "levels[0]", Description = "Unknown vertebral level 'L9'." });
            throw RpcException.WithDetails(StatusCode.InvalidArgument, "Request is invalid.", badRequest, new ErrorInfo { Type = "REQUEST_INVALID", Domain = "irsuite" });
        }
    }
}
