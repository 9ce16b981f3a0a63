using Google.Protobuf;
using Grpc.Testing;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;

namespace IrSuite.Interop;

/// <summary>
/// The interop client test cases (grpc doc/interop-test-descriptions.md) on our client. Each case throws
/// <see cref="InteropAssertionException"/> (or the call's <see cref="RpcException"/>) when the peer
/// does not behave as the description requires.
/// </summary>
public sealed class InteropClient(GrpcChannel channel)
{
    public static readonly IReadOnlyList<string> AllCases =
    [
        "empty_unary", "large_unary", "client_compressed_unary", "server_compressed_unary", "client_streaming",
        "client_compressed_streaming", "server_streaming", "server_compressed_streaming", "ping_pong", "empty_stream",
        "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server", "custom_metadata",
        "status_code_and_message", "special_status_message", "unimplemented_method", "unimplemented_service",
    ];

    private static readonly Google.Protobuf.Reflection.ServiceDescriptor TestService = TestReflection.Descriptor.Services[0];
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor UnimplementedService = TestReflection.Descriptor.Services[1];
    private static readonly Method<Empty, Empty> EmptyCall = Method<Empty, Empty>.Create(TestService, "EmptyCall");
    private static readonly Method<SimpleRequest, SimpleResponse> UnaryCall = Method<SimpleRequest, SimpleResponse>.Create(TestService, "UnaryCall");
    private static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> StreamingOutputCall =
        Method<StreamingOutputCallRequest, StreamingOutputCallResponse>.Create(TestService, "StreamingOutputCall");
    private static readonly Method<StreamingInputCallRequest, StreamingInputCallResponse> StreamingInputCall =
        Method<StreamingInputCallRequest, StreamingInputCallResponse>.Create(TestService, "StreamingInputCall");
    private static readonly Method<StreamingOutputCallRequest, StreamingOutputCallResponse> FullDuplexCall =
        Method<StreamingOutputCallRequest, StreamingOutputCallResponse>.Create(TestService, "FullDuplexCall");
    private static readonly Method<Empty, Empty> UnimplementedCall = Method<Empty, Empty>.Create(TestService, "UnimplementedCall");
    private static readonly Method<Empty, Empty> UnimplementedServiceCall = Method<Empty, Empty>.Create(UnimplementedService, "UnimplementedCall");

    private static readonly int[] RequestSizes = [27182, 8, 1828, 45904];
    private static readonly int[] ResponseSizes = [31415, 9, 2653, 58979];

    public Task RunAsync(string testCase) => testCase switch
    {
        "empty_unary" => EmptyUnaryAsync(),
        "large_unary" => LargeUnaryAsync(),
        "client_compressed_unary" => ClientCompressedUnaryAsync(),
        "server_compressed_unary" => ServerCompressedUnaryAsync(),
        "client_streaming" => ClientStreamingAsync(),
        "client_compressed_streaming" => ClientCompressedStreamingAsync(),
        "server_streaming" => ServerStreamingAsync(),
        "server_compressed_streaming" => ServerCompressedStreamingAsync(),
        "ping_pong" => PingPongAsync(),
        "empty_stream" => EmptyStreamAsync(),
        "cancel_after_begin" => CancelAfterBeginAsync(),
        "cancel_after_first_response" => CancelAfterFirstResponseAsync(),
        "timeout_on_sleeping_server" => TimeoutOnSleepingServerAsync(),
        "custom_metadata" => CustomMetadataAsync(),
        "status_code_and_message" => StatusCodeAndMessageAsync(),
        "special_status_message" => SpecialStatusMessageAsync(),
        "unimplemented_method" => ExpectStatusAsync(() => channel.UnaryAsync(UnimplementedCall, new Empty(), Options()), StatusCode.Unimplemented),
        "unimplemented_service" => ExpectStatusAsync(() => channel.UnaryAsync(UnimplementedServiceCall, new Empty(), Options()), StatusCode.Unimplemented),
        _ => throw new ArgumentException($"Unknown test case '{testCase}'.", nameof(testCase)),
    };

    private static CallOptions Options(Metadata? headers = null) => new CallOptions(headers).WithTimeout(TimeSpan.FromSeconds(30));

    private async Task EmptyUnaryAsync()
    {
        var response = await channel.UnaryAsync(EmptyCall, new Empty(), Options());
        Check(response is not null, "no response");
    }

    private async Task LargeUnaryAsync()
    {
        var response = await channel.UnaryAsync(UnaryCall, LargeRequest(), Options());
        CheckPayload(response.Payload, 314159);
    }

    private async Task ClientCompressedUnaryAsync()
    {
        // 1. The probe: an uncompressed message that claims to expect compression must be refused.
        var probe = LargeRequest();
        probe.ExpectCompressed = new BoolValue { Value = true };
        await ExpectStatusAsync(() => channel.UnaryAsync(UnaryCall, probe, Options()), StatusCode.InvalidArgument);

        // 2. Compressed and expected compressed.
        var compressed = LargeRequest();
        compressed.ExpectCompressed = new BoolValue { Value = true };
        var first = await channel.UnaryAsync(UnaryCall, compressed, Options() with { RequestCompression = "gzip" });
        CheckPayload(first.Payload, 314159);

        // 3. Uncompressed and expected uncompressed.
        var plain = LargeRequest();
        plain.ExpectCompressed = new BoolValue { Value = false };
        var second = await channel.UnaryAsync(UnaryCall, plain, Options());
        CheckPayload(second.Payload, 314159);
    }

    private async Task ServerCompressedUnaryAsync()
    {
        foreach (var compressed in new[] { true, false })
        {
            var request = new SimpleRequest { ResponseSize = 314159, ResponseCompressed = new BoolValue { Value = compressed }, Payload = Zeros(271828) };
            var response = await channel.UnaryAsync(UnaryCall, request, Options());
            CheckPayload(response.Payload, 314159);
        }
    }

    private async Task ClientStreamingAsync()
    {
        using var call = channel.ClientStreamingCall(StreamingInputCall, Options());
        foreach (var size in RequestSizes)
        {
            await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(size) });
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Check(response.AggregatedPayloadSize == 74922, $"aggregated size {response.AggregatedPayloadSize}, expected 74922");
    }

    private async Task ClientCompressedStreamingAsync()
    {
        // 1. The probe: one uncompressed message expecting compression must be refused.
        using (var probe = channel.ClientStreamingCall(StreamingInputCall, Options()))
        {
            await IgnoreRpcFailureAsync(() => probe.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(27182), ExpectCompressed = new BoolValue { Value = true } }));
            await IgnoreRpcFailureAsync(() => probe.RequestStream.CompleteAsync());
            await ExpectStatusAsync(() => probe.ResponseAsync, StatusCode.InvalidArgument);
        }

        // 2. One compressed message, then one sent uncompressed on the same compressed call.
        using var call = channel.ClientStreamingCall(StreamingInputCall, Options() with { RequestCompression = "gzip" });
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(27182), ExpectCompressed = new BoolValue { Value = true } });
        call.RequestStream.WriteOptions = WriteOptions.NoCompress;
        await call.RequestStream.WriteAsync(new StreamingInputCallRequest { Payload = Zeros(45904), ExpectCompressed = new BoolValue { Value = false } });
        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Check(response.AggregatedPayloadSize == 73086, $"aggregated size {response.AggregatedPayloadSize}, expected 73086");
    }

    private async Task ServerStreamingAsync()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.AddRange(ResponseSizes.Select(s => new ResponseParameters { Size = s }));
        using var call = channel.ServerStreamingCall(StreamingOutputCall, request, Options());
        var sizes = new List<int>();
        while (await call.ResponseStream.MoveNext())
        {
            sizes.Add(call.ResponseStream.Current.Payload.Body.Length);
        }

        Check(sizes.SequenceEqual(ResponseSizes), $"sizes [{string.Join(",", sizes)}]");
        Check(call.GetStatus().StatusCode == StatusCode.OK, "status not OK");
    }

    private async Task ServerCompressedStreamingAsync()
    {
        var request = new StreamingOutputCallRequest();
        request.ResponseParameters.Add(new ResponseParameters { Size = 31415, Compressed = new BoolValue { Value = true } });
        request.ResponseParameters.Add(new ResponseParameters { Size = 92653, Compressed = new BoolValue { Value = false } });
        using var call = channel.ServerStreamingCall(StreamingOutputCall, request, Options());
        var sizes = new List<int>();
        while (await call.ResponseStream.MoveNext())
        {
            sizes.Add(call.ResponseStream.Current.Payload.Body.Length);
        }

        Check(sizes.SequenceEqual([31415, 92653]), $"sizes [{string.Join(",", sizes)}]");
    }

    private async Task PingPongAsync()
    {
        using var call = channel.DuplexStreamingCall(FullDuplexCall, Options());
        for (var i = 0; i < RequestSizes.Length; i++)
        {
            var request = new StreamingOutputCallRequest { Payload = Zeros(RequestSizes[i]) };
            request.ResponseParameters.Add(new ResponseParameters { Size = ResponseSizes[i] });
            await call.RequestStream.WriteAsync(request);
            Check(await call.ResponseStream.MoveNext(), $"no response {i}");
            CheckPayload(call.ResponseStream.Current.Payload, ResponseSizes[i]);
        }

        await call.RequestStream.CompleteAsync();
        Check(!await call.ResponseStream.MoveNext(), "extra response");
        Check(call.GetStatus().StatusCode == StatusCode.OK, "status not OK");
    }

    private async Task EmptyStreamAsync()
    {
        using var call = channel.DuplexStreamingCall(FullDuplexCall, Options());
        await call.RequestStream.CompleteAsync();
        Check(!await call.ResponseStream.MoveNext(), "unexpected response");
        Check(call.GetStatus().StatusCode == StatusCode.OK, "status not OK");
    }

    private async Task CancelAfterBeginAsync()
    {
        using var cts = new CancellationTokenSource();
        using var call = channel.ClientStreamingCall(StreamingInputCall, Options() with { CancellationToken = cts.Token });
        await cts.CancelAsync();
        await ExpectStatusAsync(() => call.ResponseAsync, StatusCode.Cancelled);
    }

    private async Task CancelAfterFirstResponseAsync()
    {
        using var cts = new CancellationTokenSource();
        using var call = channel.DuplexStreamingCall(FullDuplexCall, Options() with { CancellationToken = cts.Token });
        var request = new StreamingOutputCallRequest { Payload = Zeros(27182) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 31415 });
        await call.RequestStream.WriteAsync(request);
        Check(await call.ResponseStream.MoveNext(), "no first response");
        CheckPayload(call.ResponseStream.Current.Payload, 31415);
        await cts.CancelAsync();
        await ExpectStatusAsync(() => call.ResponseStream.MoveNext(), StatusCode.Cancelled);
    }

    private async Task TimeoutOnSleepingServerAsync()
    {
        using var call = channel.DuplexStreamingCall(FullDuplexCall, new CallOptions().WithTimeout(TimeSpan.FromMilliseconds(1)));
        // The write itself may already fail with DEADLINE_EXCEEDED; that is the expected outcome too.
        await IgnoreRpcFailureAsync(() => call.RequestStream.WriteAsync(new StreamingOutputCallRequest { Payload = Zeros(27182) }));
        await ExpectStatusAsync(() => call.ResponseStream.MoveNext(), StatusCode.DeadlineExceeded);
    }

    private async Task CustomMetadataAsync()
    {
        const string initialKey = "x-grpc-test-echo-initial";
        const string trailingKey = "x-grpc-test-echo-trailing-bin";
        var trailingValue = new byte[] { 0xab, 0xab, 0xab };
        Metadata Headers() => new Metadata().Add(initialKey, "test_initial_metadata_value").Add(trailingKey, trailingValue);

        using (var unary = channel.UnaryCall(UnaryCall, LargeRequest(), Options(Headers())))
        {
            CheckPayload((await unary.ResponseAsync).Payload, 314159);
            CheckMetadata(await unary.ResponseHeadersAsync, unary.GetTrailers(), initialKey, trailingKey, trailingValue);
        }

        using var duplex = channel.DuplexStreamingCall(FullDuplexCall, Options(Headers()));
        var request = new StreamingOutputCallRequest { Payload = Zeros(271828) };
        request.ResponseParameters.Add(new ResponseParameters { Size = 314159 });
        await duplex.RequestStream.WriteAsync(request);
        await duplex.RequestStream.CompleteAsync();
        Check(await duplex.ResponseStream.MoveNext(), "no duplex response");
        CheckPayload(duplex.ResponseStream.Current.Payload, 314159);
        Check(!await duplex.ResponseStream.MoveNext(), "extra duplex response");
        CheckMetadata(await duplex.ResponseHeadersAsync, duplex.GetTrailers(), initialKey, trailingKey, trailingValue);
    }

    private Task StatusCodeAndMessageAsync() => EchoStatusAsync("test status message");

    private Task SpecialStatusMessageAsync() => EchoStatusAsync("\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n");

    private async Task EchoStatusAsync(string message)
    {
        var status = new EchoStatus { Code = 2, Message = message };
        var unary = await ExpectStatusAsync(() => channel.UnaryAsync(UnaryCall, new SimpleRequest { ResponseStatus = status }, Options()), StatusCode.Unknown);
        Check(unary.Status.Detail == message, $"unary message '{unary.Status.Detail}'");

        using var duplex = channel.DuplexStreamingCall(FullDuplexCall, Options());
        await duplex.RequestStream.WriteAsync(new StreamingOutputCallRequest { ResponseStatus = status });
        await IgnoreRpcFailureAsync(() => duplex.RequestStream.CompleteAsync());
        var streamed = await ExpectStatusAsync(() => duplex.ResponseStream.MoveNext(), StatusCode.Unknown);
        Check(streamed.Status.Detail == message, $"duplex message '{streamed.Status.Detail}'");
    }

    private static SimpleRequest LargeRequest() => new() { ResponseSize = 314159, Payload = Zeros(271828) };

    private static Payload Zeros(int size) => new() { Body = ByteString.CopyFrom(new byte[size]) };

    private static void CheckPayload(Payload? payload, int size)
    {
        Check(payload is not null, "no payload");
        Check(payload!.Body.Length == size, $"payload of {payload.Body.Length} bytes, expected {size}");
        Check(payload.Body.Span.IndexOfAnyExcept((byte)0) < 0, "payload is not all zeros");
    }

    private static void CheckMetadata(Metadata headers, Metadata trailers, string initialKey, string trailingKey, byte[] trailingValue)
    {
        Check(headers.GetValue(initialKey) == "test_initial_metadata_value", $"initial metadata missing or wrong: {string.Join("; ", headers)}");
        Check(trailers.GetValueBytes(trailingKey)?.SequenceEqual(trailingValue) == true, $"trailing metadata missing or wrong: {string.Join("; ", trailers)}");
    }

    private static async Task<RpcException> ExpectStatusAsync(Func<Task> call, StatusCode expected)
    {
        try
        {
            await call();
        }
        catch (RpcException ex) when (ex.StatusCode == expected)
        {
            return ex;
        }
        catch (RpcException ex)
        {
            throw new InteropAssertionException($"expected {expected}, got {ex.Status}");
        }

        throw new InteropAssertionException($"expected {expected}, but the call succeeded");
    }

    private static async Task IgnoreRpcFailureAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (RpcException)
        {
            // The status is asserted on the response side.
        }
    }

    private static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InteropAssertionException(failure);
        }
    }
}

/// <summary>A peer did not behave as an interop test case requires.</summary>
public sealed class InteropAssertionException(string message) : Exception(message);
