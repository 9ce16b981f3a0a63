using System.Collections.Concurrent;
using System.Net.Http;
using Google.Protobuf;
using IrSuite.Grpc.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace IrSuite.Grpc.Client;

/// <summary>
/// A client for one target: one <see cref="HttpMessageInvoker"/> (a pool of HTTP/2 connections, reused
/// by every call, opening another connection when a peer's stream limit is reached) plus the Polly
/// retry and circuit-breaker pipeline. Create one per target and share it; it is thread-safe.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);
    private readonly bool _disposeHandler;
    private readonly ResiliencePipeline _idempotentPipeline;
    private readonly ResiliencePipeline _defaultPipeline;
    private readonly GrpcLog _log;

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        Options = options;
        TimeProvider = options.TimeProvider;
        Compression = new CompressionRegistry(options.CompressionProviders);
        _log = new GrpcLog((options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("IrSuite.Grpc.Client"));
        HttpMessageHandler handler;
        if (options.HttpHandler is { } custom)
        {
            handler = custom;
        }
        else
        {
            var sockets = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                // Large messages (the interop suite sends 300 KB) should not stall on the 64 KB default window.
                InitialHttp2StreamWindowSize = 1024 * 1024,
                // We inject traceparent ourselves so the client span is the server span's parent.
                ActivityHeadersPropagator = null,
                // Never ping idle connections: C-core peers answer frequent pings with GOAWAY too_many_pings.
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            };
            options.ConfigureHandler?.Invoke(sockets);
            handler = sockets;
            _disposeHandler = true;
        }

        Invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        _idempotentPipeline = BuildPipeline(options.Retry, retry: options.Retry.MaxRetryAttempts > 0);
        _defaultPipeline = BuildPipeline(options.Retry, retry: false);
        Handler = handler;
    }

    /// <summary>The target, e.g. <c>http://127.0.0.1:5100</c> (h2c) or <c>https://scheduling:8443</c>.</summary>
    public Uri Address { get; }

    public GrpcChannelOptions Options { get; }

    internal HttpMessageInvoker Invoker { get; }

    internal HttpMessageHandler Handler { get; }

    internal CompressionRegistry Compression { get; }

    internal TimeProvider TimeProvider { get; }

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null) =>
        ForAddress(new Uri(address, UriKind.Absolute), options);

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException("The address must be http:// (h2c) or https:// (TLS).", nameof(address));
        }

        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    /// <summary>Starts a unary call. Idempotent methods are retried on UNAVAILABLE with jittered back-off.</summary>
    public AsyncUnaryCall<TResponse> UnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        var pipeline = method.IsIdempotent ? _idempotentPipeline : _defaultPipeline;
        var runner = new UnaryCallRunner<TRequest, TResponse>(this, method, request, options, pipeline);
        return new AsyncUnaryCall<TResponse>(runner.ResponseAsync, runner.ResponseHeadersAsync, runner.GetStatus, runner.GetTrailers, runner.Dispose);
    }

    /// <summary>Calls a unary method and returns its response; throws <see cref="RpcException"/> on a non-OK status.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using var call = UnaryCall(method, request, options);
        return await call.ResponseAsync.ConfigureAwait(false);
    }

    public AsyncServerStreamingCall<TResponse> ServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        var call = new ClientCall<TRequest, TResponse>(this, CheckType(method, MethodType.ServerStreaming), options);
        call.StartWithRequest(request);
        return new AsyncServerStreamingCall<TResponse>(call, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncClientStreamingCall<TRequest, TResponse> ClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = new ClientCall<TRequest, TResponse>(this, CheckType(method, MethodType.ClientStreaming), options);
        call.StartStreaming();
        return new AsyncClientStreamingCall<TRequest, TResponse>(call, call.ReadUnaryResponseAsync(), call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var call = new ClientCall<TRequest, TResponse>(this, CheckType(method, MethodType.DuplexStreaming), options);
        call.StartStreaming();
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call, call, call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public void Dispose()
    {
        Invoker.Dispose();
        if (_disposeHandler)
        {
            Handler.Dispose();
        }
    }

    internal Uri GetUri(Method method) => _uris.GetOrAdd(method.FullName, static (path, address) => new Uri(address, path), Address);

    private static Method<TRequest, TResponse> CheckType<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.Type == expected ? method : throw new ArgumentException($"{method.FullName} is {method.Type}, not {expected}.", nameof(method));
    }

    private ResiliencePipeline BuildPipeline(GrpcRetryOptions options, bool retry)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = TimeProvider };
        if (retry)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode == StatusCode.Unavailable && e is not CircuitOpenException),
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.InitialBackoff,
                MaxDelay = options.MaxBackoff,
                OnRetry = args =>
                {
                    GrpcTelemetry.ClientRetries.Add(1);
                    var method = args.Context.Properties.GetValue(UnaryCallRunnerKeys.Method, "?");
                    _log.ClientRetry(method, StatusCode.Unavailable, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        if (options.EnableCircuitBreaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(e => e.StatusCode == StatusCode.Unavailable),
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakDuration,
            });
        }

        return builder.Build();
    }
}

/// <summary>UNAVAILABLE raised locally because the channel's circuit breaker is open (not retried).</summary>
public sealed class CircuitOpenException(Status status) : RpcException(status);
