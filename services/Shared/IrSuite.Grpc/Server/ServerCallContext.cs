using System.Buffers;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using IrSuite.Grpc.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace IrSuite.Grpc.Server;

/// <summary>
/// The server side of one call: request metadata, deadline and cancellation, response headers,
/// trailers and status. Handlers receive it as their last parameter.
/// </summary>
public sealed class ServerCallContext : IDisposable
{
    private static readonly AsyncLocal<ServerCallContext?> CurrentCall = new();

    private readonly HttpContext _http;
    private readonly ServerRuntime _runtime;
    private Metadata? _requestHeaders;
    private Metadata? _responseTrailers;
    private Dictionary<object, object>? _userState;
    private CancellationTokenSource? _deadlineCts;
    private ITimer? _deadlineTimer;
    private ICompressionProvider? _requestDecompressor;
    private ICompressionProvider? _responseCompressor;
    private bool _responseStarted;
    private int _deadlineExceeded;
    private int _completed;

    internal ServerCallContext(HttpContext http, Method method, ServerRuntime runtime)
    {
        _http = http;
        _runtime = runtime;
        Method = method;
        CancellationToken = http.RequestAborted;
    }

    /// <summary>The call being served on this async flow, for propagating its deadline and cancellation.</summary>
    public static ServerCallContext? Current => CurrentCall.Value;

    /// <summary>The method being called.</summary>
    public Method Method { get; }

    /// <summary>The underlying HTTP/2 request.</summary>
    public HttpContext HttpContext => _http;

    /// <summary>The :authority the client called.</summary>
    public string Host => _http.Request.Host.Value ?? string.Empty;

    /// <summary>The client address, e.g. <c>ipv4:127.0.0.1:51234</c>.</summary>
    public string Peer
    {
        get
        {
            var connection = _http.Connection;
            return connection.RemoteIpAddress switch
            {
                null => "unknown",
                { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ip =>
                    "ipv6:[" + ip + "]:" + connection.RemotePort.ToString(CultureInfo.InvariantCulture),
                var ip => "ipv4:" + ip + ":" + connection.RemotePort.ToString(CultureInfo.InvariantCulture),
            };
        }
    }

    /// <summary>When the call must end (UTC); <see cref="DateTime.MaxValue"/> without grpc-timeout.</summary>
    public DateTime Deadline { get; private set; } = DateTime.MaxValue;

    /// <summary>Fires when the client cancels, the connection drops or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>Custom request metadata (transport headers removed).</summary>
    public Metadata RequestHeaders => _requestHeaders ??= ReadRequestHeaders();

    /// <summary>Trailing metadata sent with the status.</summary>
    public Metadata ResponseTrailers => _responseTrailers ??= new Metadata();

    /// <summary>The status the call ends with when the handler returns normally.</summary>
    public Status Status { get; set; } = Status.DefaultSuccess;

    /// <summary>Rich error details sent in grpc-status-details-bin with a non-OK <see cref="Status"/>.</summary>
    public Google.Rpc.Status? StatusDetails { get; set; }

    /// <summary>Options for response messages written next (e.g. <see cref="WriteOptions.NoCompress"/>).</summary>
    public WriteOptions? WriteOptions { get; set; }

    /// <summary>
    /// Compress response messages with this algorithm (e.g. <c>gzip</c>) when the client accepts it.
    /// Set it before the first message is written.
    /// </summary>
    public string? ResponseCompression { get; set; }

    /// <summary>Whether the request message read last arrived compressed.</summary>
    public bool IsRequestMessageCompressed { get; private set; }

    /// <summary>State shared by interceptors and the handler for this call.</summary>
    public IDictionary<object, object> UserState => _userState ??= [];

    /// <summary>A unary call's request once read (null before, and for streaming calls): for interceptors after the handler.</summary>
    public Google.Protobuf.IMessage? RequestMessage { get; internal set; }

    /// <summary>The response a unary handler returned (null otherwise): for interceptors after the handler, e.g. the audit.</summary>
    public Google.Protobuf.IMessage? ResponseMessage { get; internal set; }

    internal bool IsDeadlineExceeded => Volatile.Read(ref _deadlineExceeded) == 1;

    internal bool ResponseStarted => _responseStarted;

    /// <summary>Sends the response headers now, with custom metadata. Allowed once, before any message.</summary>
    public async Task WriteResponseHeadersAsync(Metadata headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (_responseStarted)
        {
            throw new InvalidOperationException("Response headers have already been sent.");
        }

        var responseHeaders = _http.Response.Headers;
        foreach (var entry in headers)
        {
            if (!GrpcProtocol.IsReservedHeader(entry.Key))
            {
                responseHeaders.Append(entry.Key, MetadataCodec.ToHeaderValue(entry));
            }
        }

        StartResponse();
        await _http.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        // CurrentCall needs no reset: the value was set inside the call's own async flow, which ends here.
        _deadlineTimer?.Dispose();
        _deadlineCts?.Dispose();
    }

    /// <summary>Reads call headers; returns a status to end the call with at once, or null to go on.</summary>
    internal Status? Initialize()
    {
        var request = _http.Request;
        var headers = request.Headers;
        var encoding = headers[GrpcProtocol.EncodingHeader].ToString();
        if (encoding.Length > 0 && encoding != GrpcProtocol.IdentityEncoding)
        {
            _requestDecompressor = _runtime.Compression.Find(encoding);
            if (_requestDecompressor is null)
            {
                _http.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = _runtime.Compression.AcceptEncoding;
                return new Status(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: {_runtime.Compression.AcceptEncoding}");
            }
        }

        var timeout = headers[GrpcProtocol.TimeoutHeader];
        // The ceiling bounds unary calls only: a streaming call (health Watch, reflection, a live feed) is meant to last.
        var ceiling = Method.Type == MethodType.Unary ? _runtime.Options.MaxCallDuration : null;
        if (timeout.Count == 1 && GrpcTimeout.TryParse(timeout[0], out var span))
        {
            StartDeadline(ceiling is { } max && span > max ? max : span);
        }
        else if (ceiling is { } max)
        {
            StartDeadline(max);
        }

        if (_runtime.PropagateContext)
        {
            CurrentCall.Value = this;
        }

        return null;
    }

    /// <summary>Reads the one request message of a unary or server-streaming call.</summary>
    internal ValueTask<T> ReadSingleMessageAsync<T>(MessageParser<T> parser)
        where T : IMessage<T>
    {
        // Fast path: a small request usually arrives with END_STREAM before the handler runs.
        var reader = _http.Request.BodyReader;
        if (reader.TryRead(out var result))
        {
            if (result.IsCompleted)
            {
                return ValueTask.FromResult(ParseSingleMessage(reader, result.Buffer, parser));
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        return ReadSingleMessageSlowAsync(reader, parser);
    }

    private async ValueTask<T> ReadSingleMessageSlowAsync<T>(System.IO.Pipelines.PipeReader reader, MessageParser<T> parser)
        where T : IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(CancellationToken).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                return ParseSingleMessage(reader, result.Buffer, parser);
            }

            var buffer = result.Buffer;
            if (MessageFraming.TryReadHeader(buffer, out _, out var length))
            {
                // Refuse an oversized message before buffering it.
                MessageFraming.CheckReceiveLimit(length, _runtime.Options.MaxReceiveMessageSize);
            }

            // Wait for END_STREAM: a unary request is exactly one message.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private T ParseSingleMessage<T>(System.IO.Pipelines.PipeReader reader, ReadOnlySequence<byte> buffer, MessageParser<T> parser)
        where T : IMessage<T>
    {
        try
        {
            if (buffer.Length == 0)
            {
                throw new RpcException(new Status(StatusCode.Unimplemented, "No request message received for a unary call."));
            }

            var hasHeader = MessageFraming.TryReadHeader(buffer, out var compressed, out var length);
            if (hasHeader)
            {
                MessageFraming.CheckReceiveLimit(length, _runtime.Options.MaxReceiveMessageSize);
            }

            var frameLength = (long)GrpcProtocol.HeaderSize + length;
            if (!hasHeader || buffer.Length < frameLength)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
            }

            if (buffer.Length > frameLength)
            {
                var rest = buffer.Slice(frameLength);
                var second = MessageFraming.TryReadHeader(rest, out _, out var secondLength)
                    && rest.Length == GrpcProtocol.HeaderSize + (long)secondLength;
                throw second
                    ? new RpcException(new Status(StatusCode.Unimplemented, "More than one request message received for a unary call."))
                    : new RpcException(new Status(StatusCode.Internal, "Additional data after the message received."));
            }

            IsRequestMessageCompressed = compressed;
            return MessageFraming.Parse(buffer.Slice(GrpcProtocol.HeaderSize, length), compressed, _requestDecompressor, parser, _runtime.Options.MaxReceiveMessageSize);
        }
        finally
        {
            reader.AdvanceTo(buffer.End);
        }
    }

    /// <summary>Reads the next message of a request stream; false once the client half-closed.</summary>
    internal async Task<(bool HasMessage, T? Message)> ReadStreamMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        var reader = _http.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (MessageFraming.TryReadHeader(buffer, out var compressed, out var length))
            {
                MessageFraming.CheckReceiveLimit(length, _runtime.Options.MaxReceiveMessageSize);
                if (buffer.Length >= GrpcProtocol.HeaderSize + (long)length)
                {
                    var payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
                    try
                    {
                        IsRequestMessageCompressed = compressed;
                        return (true, MessageFraming.Parse(payload, compressed, _requestDecompressor, parser, _runtime.Options.MaxReceiveMessageSize));
                    }
                    finally
                    {
                        reader.AdvanceTo(payload.End);
                    }
                }
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return buffer.Length == 0
                    ? (false, null)
                    : throw new RpcException(new Status(StatusCode.Internal, "Incomplete message."));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Writes a response message; streaming calls flush it at once, unary calls at the end.</summary>
    internal ValueTask WriteMessageAsync(IMessage message, bool flush, CancellationToken cancellationToken)
    {
        if (IsDeadlineExceeded || CancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(CancellationToken);
        }

        if (!_responseStarted)
        {
            StartResponse();
        }

        var compressor = _responseCompressor;
        var options = WriteOptions;
        if (compressor is not null && options is not null && (options.Flags & WriteFlags.NoCompress) != 0)
        {
            compressor = null;
        }

        var writer = _http.Response.BodyWriter;
        MessageFraming.Write(writer, message, compressor, _runtime.Options.ResponseCompressionLevel, _runtime.Options.MaxSendMessageSize);
        if (!flush)
        {
            return ValueTask.CompletedTask;
        }

        var pending = writer.FlushAsync(cancellationToken);
        return pending.IsCompletedSuccessfully ? CheckFlush(pending.Result) : AwaitFlush(pending);
    }

    /// <summary>Ends the call on the wire: status and trailers, as trailers or trailers-only.</summary>
    internal void Complete()
    {
        if (Interlocked.Exchange(ref _completed, 1) == 1)
        {
            return;
        }

        _deadlineTimer?.Dispose();
        if (_http.RequestAborted.IsCancellationRequested)
        {
            return; // The client reset the stream; nothing can reach it.
        }

        var status = IsDeadlineExceeded ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded") : Status;
        var details = status.StatusCode == StatusCode.OK || IsDeadlineExceeded ? null : StatusDetails;

        // Before any header was sent, status and trailers go in the one HEADERS frame (trailers-only).
        var target = _responseStarted ? _http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers : null;
        target ??= _http.Response.Headers;
        target[GrpcProtocol.StatusTrailer] = StatusCodeStrings.Get(status.StatusCode);
        if (status.Detail.Length > 0)
        {
            target[GrpcProtocol.MessageTrailer] = PercentEncoding.Encode(status.Detail);
        }

        if (details is not null)
        {
            var bytes = details.ToByteArray();
            if (bytes.Length <= GrpcProtocol.MaxStatusDetailsBytes)
            {
                target[GrpcProtocol.StatusDetailsTrailer] = Convert.ToBase64String(bytes).TrimEnd('=');
            }
        }

        if (_responseTrailers is { Count: > 0 })
        {
            foreach (var entry in _responseTrailers)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    target.Append(entry.Key, MetadataCodec.ToHeaderValue(entry));
                }
            }
        }
    }

    /// <summary>Records the status an exception asks for.</summary>
    internal void SetStatus(RpcException exception)
    {
        Status = exception.Status;
        StatusDetails = exception.Details;
        if (exception.Trailers.Count > 0)
        {
            foreach (var entry in exception.Trailers)
            {
                ResponseTrailers.Add(entry);
            }
        }
    }

    /// <summary>Client streams may idle or run long: lift Kestrel's per-request body rate and size limits.</summary>
    internal void DisableRequestBodyLimits()
    {
        if (_http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = null;
        }

        if (_http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
    }

    private static ValueTask CheckFlush(System.IO.Pipelines.FlushResult result) =>
        result.IsCanceled || result.IsCompleted
            ? throw new OperationCanceledException("The client is no longer reading the response.")
            : ValueTask.CompletedTask;

    private static async ValueTask AwaitFlush(ValueTask<System.IO.Pipelines.FlushResult> pending) =>
        await CheckFlush(await pending.ConfigureAwait(false)).ConfigureAwait(false);

    private void StartResponse()
    {
        _responseStarted = true;
        var algorithm = ResponseCompression ?? _runtime.Options.ResponseCompressionAlgorithm;
        if (algorithm is not null && algorithm != GrpcProtocol.IdentityEncoding
            && CompressionRegistry.Accepts(_http.Request.Headers[GrpcProtocol.AcceptEncodingHeader].ToString(), algorithm))
        {
            _responseCompressor = _runtime.Compression.Find(algorithm);
            if (_responseCompressor is not null)
            {
                _http.Response.Headers[GrpcProtocol.EncodingHeader] = algorithm;
            }
        }
    }

    private void StartDeadline(TimeSpan timeout)
    {
        var time = _runtime.Options.TimeProvider;
        Deadline = timeout >= TimeSpan.FromDays(3650) ? DateTime.MaxValue : time.GetUtcNow().UtcDateTime + timeout;
        _deadlineCts = CancellationTokenSource.CreateLinkedTokenSource(_http.RequestAborted);
        CancellationToken = _deadlineCts.Token;
        _deadlineTimer = time.CreateTimer(static state => ((ServerCallContext)state!).OnDeadlineTimer(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    private void OnDeadlineTimer()
    {
        if (Volatile.Read(ref _completed) == 1)
        {
            return;
        }

        if (Interlocked.Exchange(ref _deadlineExceeded, 1) == 0)
        {
            _runtime.Log.DeadlineExceeded(Method.FullName);
            try
            {
                _deadlineCts?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            // A handler that ignores its token must still not hold the stream: reset it after a grace period.
            _deadlineTimer?.Change(_runtime.Options.DeadlineGracePeriod, Timeout.InfiniteTimeSpan);
            return;
        }

        _http.Features.Get<IHttpResetFeature>()?.Reset(Http2ErrorCodes.Cancel);
    }

    private Metadata ReadRequestHeaders()
    {
        var metadata = new Metadata();
        foreach (var header in _http.Request.Headers)
        {
            MetadataCodec.AddFromHeader(metadata, header.Key, header.Value);
        }

        return metadata;
    }
}

/// <summary>HTTP/2 RST_STREAM error codes (RFC 9113 section 7).</summary>
internal static class Http2ErrorCodes
{
    public const int NoError = 0x0;
    public const int ProtocolError = 0x1;
    public const int InternalError = 0x2;
    public const int FlowControlError = 0x3;
    public const int SettingsTimeout = 0x4;
    public const int StreamClosed = 0x5;
    public const int FrameSizeError = 0x6;
    public const int RefusedStream = 0x7;
    public const int Cancel = 0x8;
    public const int CompressionError = 0x9;
    public const int ConnectError = 0xa;
    public const int EnhanceYourCalm = 0xb;
    public const int InadequateSecurity = 0xc;
    public const int Http11Required = 0xd;
}

/// <summary>Cached decimal strings of the status codes, so trailers allocate nothing.</summary>
internal static class StatusCodeStrings
{
    private static readonly string[] Values = Enumerable.Range(0, 17).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    public static string Get(StatusCode code) =>
        (uint)code < (uint)Values.Length ? Values[(int)code] : ((int)code).ToString(CultureInfo.InvariantCulture);
}
