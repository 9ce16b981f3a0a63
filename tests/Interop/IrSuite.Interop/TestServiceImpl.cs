using Google.Protobuf;
using Grpc.Testing;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;

namespace IrSuite.Interop;

/// <summary>
/// grpc.testing.TestService as the interop test description asks for a server: payloads of requested
/// sizes, compression on request, echoed status and metadata, delays. UnimplementedCall is deliberately
/// absent so the runtime answers UNIMPLEMENTED.
/// </summary>
public sealed class TestServiceImpl(TimeProvider time)
{
    private const string EchoInitialKey = "x-grpc-test-echo-initial";
    private const string EchoTrailingKey = "x-grpc-test-echo-trailing-bin";

    public Task<Empty> EmptyCall(Empty request, ServerCallContext context) => Task.FromResult(new Empty());

    public async Task<SimpleResponse> UnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        ThrowIfStatusRequested(request.ResponseStatus);
        if (request.ExpectCompressed?.Value == true && !context.IsRequestMessageCompressed)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Expected a compressed request message."));
        }

        if (request.ResponseCompressed?.Value == true)
        {
            context.ResponseCompression = "gzip";
        }

        return new SimpleResponse { Payload = CreatePayload(request.ResponseSize) };
    }

    public async Task<SimpleResponse> CacheableUnaryCall(SimpleRequest request, ServerCallContext context)
    {
        await context.WriteResponseHeadersAsync(new Metadata().Add("cache-control", "max-age=60"));
        var nanos = (time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100;
        return new SimpleResponse
        {
            Payload = new Payload { Body = ByteString.CopyFromUtf8(nanos.ToString(System.Globalization.CultureInfo.InvariantCulture)) },
        };
    }

    public async Task StreamingOutputCall(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        await EchoMetadataAsync(context);
        ThrowIfStatusRequested(request.ResponseStatus);
        context.ResponseCompression = "gzip";
        await WriteResponsesAsync(request, responses, context);
    }

    public async Task<StreamingInputCallResponse> StreamingInputCall(IAsyncStreamReader<StreamingInputCallRequest> requests, ServerCallContext context)
    {
        var total = 0;
        while (await requests.MoveNext(context.CancellationToken))
        {
            var request = requests.Current;
            if (request.ExpectCompressed?.Value == true && !context.IsRequestMessageCompressed)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "Expected a compressed request message."));
            }

            total += request.Payload?.Body.Length ?? 0;
        }

        return new StreamingInputCallResponse { AggregatedPayloadSize = total };
    }

    public async Task FullDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        // Compression must be chosen before headers go out; each message then opts in or out.
        context.ResponseCompression = "gzip";
        await EchoMetadataAsync(context);
        while (await requests.MoveNext(context.CancellationToken))
        {
            ThrowIfStatusRequested(requests.Current.ResponseStatus);
            await WriteResponsesAsync(requests.Current, responses, context);
        }
    }

    public async Task HalfDuplexCall(IAsyncStreamReader<StreamingOutputCallRequest> requests, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        context.ResponseCompression = "gzip";
        await EchoMetadataAsync(context);
        var buffered = new List<StreamingOutputCallRequest>();
        while (await requests.MoveNext(context.CancellationToken))
        {
            buffered.Add(requests.Current);
        }

        foreach (var request in buffered)
        {
            ThrowIfStatusRequested(request.ResponseStatus);
            await WriteResponsesAsync(request, responses, context);
        }
    }

    private async Task WriteResponsesAsync(StreamingOutputCallRequest request, IServerStreamWriter<StreamingOutputCallResponse> responses, ServerCallContext context)
    {
        foreach (var parameters in request.ResponseParameters)
        {
            if (parameters.IntervalUs > 0)
            {
                await Task.Delay(TimeSpan.FromMicroseconds(parameters.IntervalUs), time, context.CancellationToken);
            }

            responses.WriteOptions = parameters.Compressed?.Value == true ? WriteOptions.Default : WriteOptions.NoCompress;
            await responses.WriteAsync(new StreamingOutputCallResponse { Payload = CreatePayload(parameters.Size) }, context.CancellationToken);
        }
    }

    private static async Task EchoMetadataAsync(ServerCallContext context)
    {
        if (context.RequestHeaders.GetValue(EchoInitialKey) is { } initial)
        {
            await context.WriteResponseHeadersAsync(new Metadata().Add(EchoInitialKey, initial));
        }

        if (context.RequestHeaders.GetValueBytes(EchoTrailingKey) is { } trailing)
        {
            context.ResponseTrailers.Add(EchoTrailingKey, trailing);
        }
    }

    private static void ThrowIfStatusRequested(EchoStatus? status)
    {
        if (status is { Code: not 0 })
        {
            throw new RpcException(new Status((StatusCode)status.Code, status.Message));
        }
    }

    private static Payload CreatePayload(int size) =>
        new() { Type = PayloadType.Compressable, Body = ByteString.CopyFrom(new byte[Math.Max(size, 0)]) };
}
