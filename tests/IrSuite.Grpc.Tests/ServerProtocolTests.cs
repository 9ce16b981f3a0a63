using System.Net;
using System.Text;
using Google.Protobuf;
using IrSuite.Grpc.Tests.Infrastructure;
using IrSuite.Testing.V1;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Grpc.Tests;

/// <summary>The server's wire behaviour, checked with hand-crafted HTTP/2 requests.</summary>
public sealed class ServerProtocolTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _client = _server.CreateRawClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Unary_WellFormed_ReturnsHeadersMessageAndTrailers()
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest { Text = "hi" }));
        Assert.Equal(200, response.HttpStatus);
        Assert.Equal("application/grpc", response.ContentType);
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
        Assert.False(response.IsTrailersOnly);
        Assert.Equal("hi", ProbeReply.Parser.ParseFrom(response.Body.AsSpan(5)).Text);
    }

    [Fact]
    public async Task Unary_MessageSplitAcrossManyDataFrames_IsReassembled()
    {
        var frame = RawGrpc.Frame(new ProbeRequest { Text = new string('x', 300) });
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", frame, content: new TrickleContent(frame, chunk: 7));
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
        Assert.Equal(300, ProbeReply.Parser.ParseFrom(response.Body.AsSpan(5)).Text.Length);
    }

    [Fact]
    public async Task ClientStream_SeveralMessagesInOneDataFrame_AreAllRead()
    {
        var body = new[] { "a", "b", "c" }.SelectMany(t => RawGrpc.Frame(new ProbeRequest { Text = t })).ToArray();
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Collect", body);
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
        var reply = ProbeReply.Parser.ParseFrom(response.Body.AsSpan(5));
        Assert.Equal(3, reply.Count);
        Assert.Equal("abc", reply.Text);
    }

    public static TheoryData<string, byte[], StatusCode> MalformedBodies => new()
    {
        { "length prefix longer than the body", RawGrpc.Frame([0x0a, 0x01, 0x41], declaredLength: 50), StatusCode.Internal },
        { "truncated header", [0, 0, 0], StatusCode.Internal },
        { "compressed flag without grpc-encoding", RawGrpc.Frame(new ProbeRequest { Text = "x" }, flag: 1), StatusCode.Internal },
        { "invalid compressed flag", RawGrpc.Frame(new ProbeRequest { Text = "x" }, flag: 2), StatusCode.Internal },
        { "garbage protobuf", RawGrpc.Frame([0xff, 0xff, 0xff, 0xff, 0xff]), StatusCode.Internal },
        { "declared length over 4 MiB", RawGrpc.Frame([1, 2, 3], declaredLength: 5 * 1024 * 1024), StatusCode.ResourceExhausted },
        { "no message at all", [], StatusCode.Unimplemented },
        { "two messages for a unary call", [.. RawGrpc.Frame(new ProbeRequest()), .. RawGrpc.Frame(new ProbeRequest())], StatusCode.Unimplemented },
        { "a message and trailing bytes", [.. RawGrpc.Frame(new ProbeRequest()), 0, 0], StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Unary_MalformedBody_GetsTheSpecStatus(string scenario, byte[] body, StatusCode expected)
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", body);
        Assert.True(expected == response.GrpcStatus, $"{scenario}: got {response.GrpcStatus} {response.GrpcMessage}");
        Assert.Equal(200, response.HttpStatus);
        Assert.Empty(response.Body);
        Assert.Equal(0, _server.State.Calls);
    }

    [Fact]
    public async Task ClientStream_TruncatedLastMessage_IsInternal()
    {
        var body = RawGrpc.Frame(new ProbeRequest { Text = "a" }).Concat(RawGrpc.Frame([0x0a, 0x05], declaredLength: 9)).ToArray();
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Collect", body);
        Assert.Equal(StatusCode.Internal, response.GrpcStatus);
    }

    [Fact]
    public async Task Compression_UnknownEncoding_IsUnimplementedAndAdvertisesSupported()
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest()), headers: h => h.TryAddWithoutValidation("grpc-encoding", "snappy"));
        Assert.Equal(StatusCode.Unimplemented, response.GrpcStatus);
        Assert.Contains("gzip", response.Headers["grpc-accept-encoding"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compression_CompressionBomb_IsResourceExhausted()
    {
        var zeros = new ProbeRequest { Blob = ByteString.CopyFrom(new byte[5 * 1024 * 1024]) }.ToByteArray();
        using var compressed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(zeros);
        }

        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(compressed.ToArray(), flag: 1), headers: h => h.TryAddWithoutValidation("grpc-encoding", "gzip"));
        Assert.True(compressed.Length < 64 * 1024);
        Assert.Equal(StatusCode.ResourceExhausted, response.GrpcStatus);
    }

    [Theory]
    [InlineData("/irsuite.testing.v1.ProbeService/NoSuchMethod", "Method is unimplemented.")]
    [InlineData("/no.such.Service/Echo", "Service is unimplemented.")]
    public async Task UnknownServiceOrMethod_IsTrailersOnlyUnimplemented(string path, string message)
    {
        var response = await RawGrpc.SendAsync(_client, path, RawGrpc.Frame(new ProbeRequest()));
        Assert.True(response.IsTrailersOnly);
        Assert.Equal(StatusCode.Unimplemented, response.GrpcStatus);
        Assert.Equal(message, response.GrpcMessage);
        Assert.Equal("application/grpc", response.ContentType);
    }

    [Fact]
    public async Task NonGrpcContentType_OnGrpcPath_IsHttp415()
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", Encoding.UTF8.GetBytes("{}"), contentType: "application/json");
        Assert.Equal((int)HttpStatusCode.UnsupportedMediaType, response.HttpStatus);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task NonPostMethod_OnGrpcPath_IsHttp405AndTheHandlerNeverRuns(string method)
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest { Text = "throw" }), method: new HttpMethod(method));
        Assert.Equal((int)HttpStatusCode.MethodNotAllowed, response.HttpStatus);
    }

    [Fact]
    public async Task NonGrpcRequest_ToOtherPath_FallsThroughToTheNextMiddleware()
    {
        var response = await RawGrpc.SendAsync(_client, "/healthz", [], contentType: "text/plain");
        Assert.Equal(404, response.HttpStatus);
    }

    [Fact]
    public async Task StatusMessage_IsPercentEncodedOnTheWire()
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest { FailCode = 9, Text = "bad \u263A 100%" }));
        Assert.Equal(StatusCode.FailedPrecondition, response.GrpcStatus);
        Assert.Equal("bad %E2%98%BA 100%25", response.GrpcMessage);
        Assert.True(response.IsTrailersOnly);
    }

    [Fact]
    public async Task HandlerException_IsUnknownWithoutItsMessage()
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest { Text = "throw" }));
        Assert.Equal(StatusCode.Unknown, response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", response.GrpcMessage);
        Assert.DoesNotContain("Jane", string.Join(";", response.Headers.Values.Concat(response.Trailers.Values)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandlerException_MappedByTheHost_GetsTheMappedStatusAndOthersStayUnknown()
    {
        await using var server = await TestServer.StartAsync(configureServices: s => s.Configure<IrSuite.Grpc.Server.GrpcServerOptions>(o =>
            o.ExceptionStatus = ex => ex is InvalidOperationException ? new Status(StatusCode.Unavailable, "Store restarting; retry.") : null));
        using var channel = server.CreateChannel();

        var mapped = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CallTests.Submit, new ProbeRequest { Text = "throw" }));

        Assert.Equal(StatusCode.Unavailable, mapped.StatusCode);
        Assert.Equal("Store restarting; retry.", mapped.Status.Detail);
        Assert.DoesNotContain("Jane", mapped.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BinaryMetadata_PaddedAndUnpaddedRequestValues_AreDecoded()
    {
        var response = await RawGrpc.SendAsync(_client, RawGrpc.ProbePath + "Echo", RawGrpc.Frame(new ProbeRequest()), headers: h =>
        {
            h.TryAddWithoutValidation("x-padded-bin", "AQI=");
            h.TryAddWithoutValidation("x-unpadded-bin", "AQI");
            h.TryAddWithoutValidation("x-text", "hello");
        });
        Assert.Equal(StatusCode.OK, response.GrpcStatus);
        var seen = _server.State.LastRequestHeaders!;
        Assert.Equal(new byte[] { 1, 2 }, seen.GetValueBytes("x-padded-bin"));
        Assert.Equal(new byte[] { 1, 2 }, seen.GetValueBytes("x-unpadded-bin"));
        Assert.Equal("hello", seen.GetValue("x-text"));
        // Echoed back in trailers; binary values go out as unpadded base64.
        Assert.Equal("AQI", response.Trailers["x-padded-bin"]);
    }

    /// <summary>Sends a body a few bytes at a time, flushing each chunk into its own DATA frame.</summary>
    private sealed class TrickleContent(byte[] bytes, int chunk) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(chunk, bytes.Length - offset)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
