using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace IrSuite.Fuzz.Tests;

/// <summary>How a raw request ends on the client side.</summary>
public enum RawResetMode
{
    /// <summary>Send everything and read the answer.</summary>
    None,

    /// <summary>Send the headers and part of the body, then reset the stream (RST_STREAM CANCEL).</summary>
    MidBody,

    /// <summary>Send the whole request, then reset the stream before the answer is read.</summary>
    AfterBody,
}

/// <summary>One hand-made HTTP/2 request: any path, headers, content-type and body bytes.</summary>
public sealed class RawRequest(string path, byte[] body)
{
    public string Path { get; } = path;

    public byte[] Body { get; } = body;

    public HttpMethod Method { get; init; } = HttpMethod.Post;

    /// <summary>Null: no content-type header at all.</summary>
    public string? ContentType { get; init; } = "application/grpc";

    /// <summary>Null: no te header.</summary>
    public string? Te { get; init; } = "trailers";

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public RawResetMode Reset { get; init; }

    /// <summary>How long the client waits for the whole answer before calling the call hung.</summary>
    public TimeSpan HangAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A well-framed unary request: 5-byte prefix (uncompressed) and the payload.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> payload, byte flag = 0, uint? declaredLength = null)
    {
        var framed = new byte[5 + payload.Length];
        framed[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(framed.AsSpan(5));
        return framed;
    }
}

public enum RawOutcomeKind
{
    /// <summary>The server answered (HTTP status, headers, maybe trailers).</summary>
    Answered,

    /// <summary>The client reset the stream on purpose.</summary>
    ResetByClient,

    /// <summary>No complete answer within <see cref="RawRequest.HangAfter"/>.</summary>
    Hung,

    /// <summary>The server reset the stream or the connection failed (HttpRequestException / IOException).</summary>
    TransportError,
}

public sealed record RawOutcome(RawOutcomeKind Kind, int HttpStatus, string? GrpcStatus, string? GrpcMessage, string? StatusDetails, string? Error)
{
    /// <summary>The response body (framed messages) of an answered call.</summary>
    public byte[] Body { get; init; } = [];

    /// <summary>The grpc-status as a code 0-16, or null when missing or not a valid code.</summary>
    public IrSuite.Grpc.StatusCode? Code =>
        int.TryParse(GrpcStatus, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) && code is >= 0 and <= 16
            ? (IrSuite.Grpc.StatusCode)code
            : null;

    /// <summary>The google.rpc.Status of grpc-status-details-bin, when present and decodable.</summary>
    public Google.Rpc.Status? Details
    {
        get
        {
            if (StatusDetails is null)
            {
                return null;
            }

            var base64 = StatusDetails.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            return Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(base64));
        }
    }

    public T? Detail<T>()
        where T : class, Google.Protobuf.IMessage<T>, new()
    {
        var any = Details?.Details.FirstOrDefault(d => d.Is(new T().Descriptor));
        return any?.Unpack<T>();
    }
}

/// <summary>
/// HttpClient over h2c with prior knowledge and several connections (many concurrent streams), sending raw
/// requests so the fuzzer controls every byte of the gRPC framing and every header.
/// </summary>
/// <remarks>Every request carries <paramref name="authorization"/> (a bearer token) unless its own headers set one.</remarks>
public sealed class RawGrpcClient(Uri address, string? authorization = null) : IDisposable
{
    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        // Non-ASCII header values go on the wire as raw Latin-1 bytes instead of being refused by the client.
        RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.Latin1,
    });

    public async Task<RawOutcome> SendAsync(RawRequest request)
    {
        using var hang = new CancellationTokenSource(request.HangAfter);
        using var reset = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(hang.Token, reset.Token);
        var bodySent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var message = new HttpRequestMessage(request.Method, new Uri(address.GetLeftPart(UriPartial.Authority) + request.Path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new RawContent(request.Body, request.Reset == RawResetMode.MidBody, bodySent),
        };
        if (request.ContentType is not null)
        {
            message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }

        if (request.Te is not null)
        {
            message.Headers.TryAddWithoutValidation("te", request.Te);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        if (authorization is not null && !request.Headers.Any(h => string.Equals(h.Key, "authorization", StringComparison.OrdinalIgnoreCase)))
        {
            message.Headers.TryAddWithoutValidation("authorization", authorization);
        }

        if (request.Reset != RawResetMode.None)
        {
            _ = bodySent.Task.ContinueWith(_ => reset.Cancel(), TaskScheduler.Default);
        }

        try
        {
            using var response = await _invoker.SendAsync(message, linked.Token);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token);
            if (reset.IsCancellationRequested)
            {
                return new RawOutcome(RawOutcomeKind.ResetByClient, (int)response.StatusCode, null, null, null, null);
            }

            var grpcStatus = Header(response.TrailingHeaders, "grpc-status") ?? Header(response.Headers, "grpc-status");
            var grpcMessage = Header(response.TrailingHeaders, "grpc-message") ?? Header(response.Headers, "grpc-message");
            var details = Header(response.TrailingHeaders, "grpc-status-details-bin") ?? Header(response.Headers, "grpc-status-details-bin");
            return new RawOutcome(RawOutcomeKind.Answered, (int)response.StatusCode, grpcStatus, grpcMessage, details, null) { Body = body };
        }
        catch (OperationCanceledException) when (reset.IsCancellationRequested)
        {
            return new RawOutcome(RawOutcomeKind.ResetByClient, 0, null, null, null, null);
        }
        catch (OperationCanceledException) when (hang.IsCancellationRequested)
        {
            return new RawOutcome(RawOutcomeKind.Hung, 0, null, null, null, "no answer in time");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            if (reset.IsCancellationRequested)
            {
                return new RawOutcome(RawOutcomeKind.ResetByClient, 0, null, null, null, null);
            }

            return new RawOutcome(RawOutcomeKind.TransportError, 0, null, null, null, exception.GetType().Name + ": " + exception.Message + " " + exception.InnerException?.Message);
        }
    }

    public void Dispose() => _invoker.Dispose();

    private static string? Header(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>The body; with <c>midBody</c> it sends half of it, flushes, then waits to be cancelled (which resets the stream).</summary>
    private sealed class RawContent(byte[] body, bool midBody, TaskCompletionSource sent) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            if (!midBody)
            {
                await stream.WriteAsync(body, cancellationToken);
                sent.TrySetResult();
                return;
            }

            await stream.WriteAsync(body.AsMemory(0, body.Length / 2), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            sent.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
