using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Google.Protobuf;
using IrSuite.Grpc.Internal;

namespace IrSuite.Grpc.Client;

/// <summary>
/// One attempt of a call over HttpClient: sends the request, reads headers, messages and trailers,
/// and turns every outcome (trailers, trailers-only, HTTP errors, resets, I/O failures, deadline,
/// cancellation) into a gRPC <see cref="Status"/>.
/// </summary>
internal sealed class ClientCall<TRequest, TResponse> : IAsyncStreamReader<TResponse>, IClientStreamWriter<TRequest>, IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);
    private static readonly ProductInfoHeaderValue UserAgent = new("grpc-dotnet-irsuite", "1.0");
    private static readonly TransferCodingWithQualityHeaderValue Trailers = new("trailers");

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationToken _userToken;
    private readonly DateTime _deadline;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private CancellationTokenRegistration _userRegistration;
    private CancellationTokenRegistration _serverRegistration;
    private ITimer? _deadlineTimer;
    private Activity? _activity;
    private HttpResponseMessage? _response;
    private Stream? _responseStream;
    private ICompressionProvider? _responseDecompressor;
    private StreamingRequestContent? _requestContent;
    private Task<HttpResponseMessage>? _sendTask;
    private Task? _responseTask;
    private readonly Lock _sync = new();
    private byte[] _readBuffer = [];
    private TResponse? _current;
    private Status? _status;
    private Metadata? _trailers;
    private Google.Rpc.Status? _details;
    private int _deadlineFired;
    private int _writing;
    private bool _requestCompleted;

    public ClientCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        Options = options;
        _userToken = options.CancellationToken;
        var deadline = options.Deadline
            ?? (channel.Options.DefaultTimeout is { } timeout ? channel.TimeProvider.GetUtcNow().UtcDateTime + timeout : DateTime.MaxValue);
        if (options.PropagateServerCall && Server.ServerCallContext.Current is { } incoming)
        {
            if (incoming.Deadline < deadline)
            {
                deadline = incoming.Deadline;
            }

            if (incoming.CancellationToken.CanBeCanceled)
            {
                _serverRegistration = incoming.CancellationToken.UnsafeRegister(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(), this);
            }
        }

        _deadline = deadline;
    }

    public CallOptions Options { get; }

    public TResponse Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true.");

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public WriteOptions? WriteOptions { get; set; }

    public Status GetStatus() => _status ?? throw new InvalidOperationException("The call has not finished yet.");

    public Metadata GetTrailers() => _trailers ?? throw new InvalidOperationException("The call has not finished yet.");

    /// <summary>Sends a unary or server-streaming request (one message, then half-close).</summary>
    public void StartWithRequest(TRequest request)
    {
        byte[] frame;
        try
        {
            var writer = new ArrayBufferWriter<byte>(request.CalculateSize() + GrpcProtocol.HeaderSize);
            MessageFraming.Write(writer, request, RequestCompressor, _channel.Options.CompressionLevel, _channel.Options.MaxSendMessageSize);
            frame = writer.WrittenSpan.ToArray();
        }
        catch (RpcException ex)
        {
            Finish(ex.Status, new Metadata(), null);
            _headers.TrySetException(ex);
            return;
        }

        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = GrpcContentType;
        Start(content);
    }

    /// <summary>Opens a client-streaming or duplex request; messages go through <see cref="WriteAsync"/>.</summary>
    public void StartStreaming()
    {
        _requestContent = new StreamingRequestContent();
        _requestContent.Headers.ContentType = GrpcContentType;
        Start(_requestContent);
    }

    /// <summary>Reads the single response of a unary or client-streaming call.</summary>
    public async Task<TResponse> ReadUnaryResponseAsync()
    {
        await EnsureResponseAsync().ConfigureAwait(false);
        ThrowIfFinishedWithError();
        TResponse? message;
        try
        {
            message = await ReadMessageAsync(_cts.Token).ConfigureAwait(false);
            if (message is not null && await ReadMessageAsync(_cts.Token).ConfigureAwait(false) is not null)
            {
                throw new RpcException(new Status(StatusCode.Unimplemented, "More than one response message received for a unary call."));
            }
        }
        catch (Exception ex)
        {
            FinishFromException(ex);
            throw CreateException();
        }

        ThrowIfFinishedWithError();
        return message ?? throw FinishWith(new Status(StatusCode.Internal, "Failed to deserialize response message: no message received."));
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        if (_status is { } done)
        {
            return done.StatusCode == StatusCode.OK ? false : throw CreateException();
        }

        await EnsureResponseAsync().ConfigureAwait(false);
        ThrowIfFinishedWithError();
        if (_status is not null)
        {
            return false;
        }

        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(), this)
            : default;
        try
        {
            _current = await ReadMessageAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FinishFromException(ex);
            throw CreateException();
        }

        if (_current is not null)
        {
            return true;
        }

        ThrowIfFinishedWithError();
        return false;
    }

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_requestContent is null)
        {
            throw new InvalidOperationException("This call has no request stream.");
        }

        if (_requestCompleted)
        {
            throw new InvalidOperationException("The request stream has already been completed.");
        }

        if (_status is { } status)
        {
            // The server already ended the call: surface its status, as grpc does for writes after the end.
            throw status.StatusCode == StatusCode.OK
                ? new InvalidOperationException("The call has already finished.")
                : CreateException();
        }

        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A write is already in progress: await each WriteAsync before the next.");
        }

        try
        {
            var compressor = WriteOptions is { } options && (options.Flags & WriteFlags.NoCompress) != 0 ? null : RequestCompressor;
            var writer = new ArrayBufferWriter<byte>(message.CalculateSize() + GrpcProtocol.HeaderSize);
            MessageFraming.Write(writer, message, compressor, _channel.Options.CompressionLevel, _channel.Options.MaxSendMessageSize);
            using var linked = cancellationToken.CanBeCanceled
                ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cts.Token)
                : null;
            var token = linked?.Token ?? _cts.Token;
            var stream = await _requestContent.GetStreamAsync(token).ConfigureAwait(false);
            await stream.WriteAsync(writer.WrittenMemory, token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException and not InvalidOperationException)
        {
            FinishFromException(ex);
            throw CreateException();
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }

    /// <summary>Half-closes the request stream (END_STREAM).</summary>
    public Task CompleteAsync()
    {
        _requestCompleted = true;
        _requestContent?.Complete();
        return Task.CompletedTask;
    }

    /// <summary>Cancels the call: RST_STREAM(CANCEL) to the server, CANCELLED (or DEADLINE_EXCEEDED) locally.</summary>
    public void Cancel()
    {
        if (_status is not null)
        {
            return;
        }

        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        _requestContent?.Abort();
        // Disposing the response is what resets a stream whose headers already arrived.
        _response?.Dispose();
        FinishFromException(new OperationCanceledException(_cts.Token));
    }

    public void Dispose()
    {
        Cancel();
        _deadlineTimer?.Dispose();
        _userRegistration.Dispose();
        _serverRegistration.Dispose();
        _response?.Dispose();
        _activity?.Dispose();
    }

    private ICompressionProvider? RequestCompressor =>
        Options.RequestCompression is { } name && name != GrpcProtocol.IdentityEncoding
            ? _channel.Compression.Find(name) ?? throw new ArgumentException($"Unknown compression '{name}'.")
            : null;

    private void Start(HttpContent content)
    {
        _activity = GrpcTelemetry.ActivitySource.StartActivity(_method.ServiceName + "/" + _method.Name, ActivityKind.Client);
        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag("rpc.system", "grpc");
            _activity.SetTag("rpc.service", _method.ServiceName);
            _activity.SetTag("rpc.method", _method.Name);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, _channel.GetUri(_method))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TE.Add(Trailers);
        headers.UserAgent.Add(UserAgent);
        headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, _channel.Compression.AcceptEncoding);
        if (Options.RequestCompression is { } encoding && encoding != GrpcProtocol.IdentityEncoding)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, encoding);
        }

        if (_deadline != DateTime.MaxValue)
        {
            var remaining = _deadline - _channel.TimeProvider.GetUtcNow().UtcDateTime;
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineFired = 1;
                FinishWith(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
                request.Dispose();
                return;
            }

            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Encode(remaining));
            _deadlineTimer = _channel.TimeProvider.CreateTimer(static s => ((ClientCall<TRequest, TResponse>)s!).OnDeadline(), this, remaining, Timeout.InfiniteTimeSpan);
        }

        if (Options.Headers is { } metadata)
        {
            foreach (var entry in metadata)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key))
                {
                    headers.TryAddWithoutValidation(entry.Key, MetadataCodec.ToHeaderValue(entry));
                }
            }
        }

        if (_channel.Options.CallMetadata is { } addMetadata)
        {
            var added = new Metadata();
            addMetadata(added);
            foreach (var entry in added)
            {
                if (!GrpcProtocol.IsReservedHeader(entry.Key) && Options.Headers?.Get(entry.Key) is null)
                {
                    headers.TryAddWithoutValidation(entry.Key, MetadataCodec.ToHeaderValue(entry));
                }
            }
        }

        // W3C trace context: the current span (ours when sampled, else the caller's) becomes the server's parent.
        if (Activity.Current is { } current)
        {
            DistributedContextPropagator.Current.Inject(current, headers, static (carrier, name, value) =>
            {
                var target = (HttpRequestHeaders)carrier!;
                target.Remove(name);
                target.TryAddWithoutValidation(name, value);
            });
        }

        if (_userToken.CanBeCanceled)
        {
            _userRegistration = _userToken.UnsafeRegister(static s => ((ClientCall<TRequest, TResponse>)s!).Cancel(), this);
        }

        _sendTask = _channel.Invoker.SendAsync(request, _cts.Token);
        _responseTask = ReceiveHeadersAsync();
    }

    private Task EnsureResponseAsync() => _responseTask ?? Task.CompletedTask;

    private async Task ReceiveHeadersAsync()
    {

        HttpResponseMessage response;
        try
        {
            response = await _sendTask!.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FinishFromException(ex);
            return;
        }

        if (_status is not null)
        {
            response.Dispose();
            return;
        }

        _response = response;
        var headers = response.Headers;
        if (TryGetHeader(headers, GrpcProtocol.StatusTrailer, out _))
        {
            // Trailers-only: the status and trailers came in the only HEADERS frame.
            var trailers = ReadMetadata(headers);
            _headers.TrySetResult(new Metadata());
            FinishFromTrailers(headers, trailers);
            return;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            _headers.TrySetResult(new Metadata());
            FinishWith(new Status(MapHttpStatus(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}"));
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(response.Content.Headers.ContentType?.MediaType))
        {
            _headers.TrySetResult(new Metadata());
            FinishWith(new Status(StatusCode.Unknown, $"Bad gRPC response. Invalid content-type value: {response.Content.Headers.ContentType}"));
            return;
        }

        if (TryGetHeader(headers, GrpcProtocol.EncodingHeader, out var encoding) && encoding != GrpcProtocol.IdentityEncoding)
        {
            _responseDecompressor = _channel.Compression.Find(encoding!);
            if (_responseDecompressor is null)
            {
                _headers.TrySetResult(new Metadata());
                FinishWith(new Status(StatusCode.Internal, $"Unsupported response grpc-encoding '{encoding}'."));
                return;
            }
        }

        _headers.TrySetResult(ReadMetadata(headers));
        try
        {
            _responseStream = await response.Content.ReadAsStreamAsync(_cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FinishFromException(ex);
        }
    }

    /// <summary>Reads one message, or null at the end of the stream (then the status is read from the trailers).</summary>
    private async Task<TResponse?> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var stream = _responseStream!;
        var headerBuffer = ArrayPool<byte>.Shared.Rent(GrpcProtocol.HeaderSize);
        try
        {
            var read = await ReadAtLeastAsync(stream, headerBuffer.AsMemory(0, GrpcProtocol.HeaderSize), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                FinishFromTrailers(_response!.TrailingHeaders, ReadMetadata(_response.TrailingHeaders));
                return null;
            }

            if (read < GrpcProtocol.HeaderSize)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Incomplete message header in response."));
            }

            var compressed = headerBuffer[0] switch
            {
                0 => false,
                1 => true,
                _ => throw new RpcException(new Status(StatusCode.Internal, "Invalid compressed flag in response message header.")),
            };
            var length = BinaryPrimitives.ReadUInt32BigEndian(headerBuffer.AsSpan(1, 4));
            MessageFraming.CheckReceiveLimit(length > int.MaxValue ? int.MaxValue : (int)length, _channel.Options.MaxReceiveMessageSize);
            if (_readBuffer.Length < length)
            {
                _readBuffer = new byte[Math.Max(length, 4096)];
            }

            var payload = _readBuffer.AsMemory(0, (int)length);
            if (await ReadAtLeastAsync(stream, payload, cancellationToken).ConfigureAwait(false) < length)
            {
                throw new RpcException(new Status(StatusCode.Internal, "Incomplete message in response."));
            }

            return MessageFraming.Parse(new ReadOnlySequence<byte>(payload), compressed, _responseDecompressor, _method.ResponseParser, _channel.Options.MaxReceiveMessageSize);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(headerBuffer);
        }
    }

    private static async ValueTask<int> ReadAtLeastAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private void OnDeadline()
    {
        Interlocked.Exchange(ref _deadlineFired, 1);
        Cancel();
    }

    private void ThrowIfFinishedWithError()
    {
        if (_status is { StatusCode: not StatusCode.OK })
        {
            throw CreateException();
        }
    }

    private RpcException CreateException() =>
        new(_status ?? new Status(StatusCode.Unknown, "No status."), _trailers ?? new Metadata(), _details);

    private RpcException FinishWith(Status status)
    {
        Finish(status, new Metadata(), null);
        return CreateException();
    }

    private void FinishFromTrailers(HttpHeaders source, Metadata trailers)
    {
        if (!TryGetHeader(source, GrpcProtocol.StatusTrailer, out var statusText)
            || !int.TryParse(statusText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            Finish(new Status(StatusCode.Unknown, "No grpc-status found on response."), trailers, null);
            return;
        }

        TryGetHeader(source, GrpcProtocol.MessageTrailer, out var message);
        Google.Rpc.Status? details = null;
        if (TryGetHeader(source, GrpcProtocol.StatusDetailsTrailer, out var detailsText)
            && MetadataCodec.TryDecodeBase64(detailsText, out var bytes))
        {
            try
            {
                details = Google.Rpc.Status.Parser.ParseFrom(bytes);
            }
            catch (InvalidProtocolBufferException)
            {
                details = null; // grpc-status stays authoritative; unreadable details are ignored.
            }
        }

        Finish(new Status((StatusCode)code, PercentEncoding.Decode(message)), trailers, details);
    }

    private void FinishFromException(Exception exception)
    {
        if (_status is not null)
        {
            return;
        }

        Finish(ResolveStatus(exception), new Metadata(), null);
    }

    private Status ResolveStatus(Exception exception)
    {
        if (Volatile.Read(ref _deadlineFired) == 1)
        {
            // Whatever arrived after our deadline (reset, trailers, I/O error), the call timed out.
            return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        if (exception is RpcException rpc)
        {
            return rpc.Status;
        }

        if (_cts.IsCancellationRequested || exception is OperationCanceledException)
        {
            return new Status(StatusCode.Cancelled, "Call canceled by the client.");
        }

        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException protocol)
            {
                return MapResetCode(protocol.ErrorCode);
            }
        }

        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException or IOException or HttpRequestException)
            {
                var innermost = inner;
                while (innermost.InnerException is not null)
                {
                    innermost = innermost.InnerException;
                }

                return new Status(StatusCode.Unavailable, $"Error connecting to or reading from the server: {inner.GetType().Name} ({innermost.GetType().Name}: {innermost.Message})");
            }
        }

        return new Status(StatusCode.Internal, "Error in the gRPC client: " + exception.GetType().Name);
    }

    private void Finish(Status status, Metadata trailers, Google.Rpc.Status? details)
    {
        lock (_sync)
        {
            if (_status is not null)
            {
                return;
            }

            _trailers = trailers;
            _details = details;
            _status = status;
        }

        _deadlineTimer?.Dispose();
        _headers.TrySetResult(new Metadata());
        if (status.StatusCode != StatusCode.OK && _response is not null && !_requestCompleted)
        {
            // Trailers before our half-close: stop sending (RST_STREAM) rather than leave the stream open.
            _requestContent?.Abort();
        }

        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag("rpc.grpc.status_code", (int)status.StatusCode);
            if (status.StatusCode != StatusCode.OK)
            {
                _activity.SetStatus(ActivityStatusCode.Error);
            }
        }

        _activity?.Dispose();
        if (GrpcTelemetry.ClientDuration.Enabled)
        {
            GrpcTelemetry.ClientDuration.Record(Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds, GrpcTelemetry.Tags(_method, status.StatusCode));
        }
    }

    private static Status MapResetCode(long code) => code switch
    {
        0x7 => new Status(StatusCode.Unavailable, "Stream refused by the server (REFUSED_STREAM)."),
        0x8 => new Status(StatusCode.Cancelled, "Stream canceled by the server (RST_STREAM CANCEL)."),
        0xb => new Status(StatusCode.ResourceExhausted, "Server asked to slow down (ENHANCE_YOUR_CALM)."),
        0xc => new Status(StatusCode.PermissionDenied, "Inadequate security (INADEQUATE_SECURITY)."),
        _ => new Status(StatusCode.Internal, $"Stream reset by the server (HTTP/2 error code {code})."),
    };

    private static StatusCode MapHttpStatus(HttpStatusCode code) => (int)code switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        431 => StatusCode.Internal,
        _ => StatusCode.Unknown,
    };

    private static bool TryGetHeader(HttpHeaders headers, string name, out string? value)
    {
        if (headers.NonValidated.TryGetValues(name, out var values))
        {
            foreach (var v in values)
            {
                value = v;
                return true;
            }
        }

        value = null;
        return false;
    }

    private static Metadata ReadMetadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var header in headers.NonValidated)
        {
            MetadataCodec.AddFromHeader(metadata, header.Key, new Microsoft.Extensions.Primitives.StringValues(header.Value.ToArray()));
        }

        return metadata;
    }
}
