using System.IO.Compression;
using System.Net.Http;
using IrSuite.Grpc.Internal;

namespace IrSuite.Grpc.Client;

/// <summary>Settings of a channel (one HTTP/2 connection pool to one target).</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted (default 4 MiB).</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest request message sent (default unlimited).</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>Deadline applied to calls that set none (default: none).</summary>
    public TimeSpan? DefaultTimeout { get; set; }

    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    public IList<ICompressionProvider> CompressionProviders { get; } =
        [new GzipCompressionProvider(), new DeflateCompressionProvider()];

    /// <summary>Retry and circuit-breaker settings; retries apply only to idempotent unary methods.</summary>
    public GrpcRetryOptions Retry { get; set; } = new();

    /// <summary>Adjusts the HTTP handler (TLS validation, client certificates, keep-alive).</summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; set; }

    /// <summary>Use this handler instead of creating one (the channel does not dispose it).</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Adds metadata to every call after the call's own headers, typically <c>authorization: Bearer ...</c> from a
    /// token source that caches and renews its token. An entry whose key the call's headers already carry is not added,
    /// so one call can still present another identity.
    /// </summary>
    public Action<Metadata>? CallMetadata { get; set; }

    /// <summary>Where client logs go; none by default.</summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; set; }
}

/// <summary>The Polly retry and circuit-breaker policy of a channel.</summary>
public sealed class GrpcRetryOptions
{
    /// <summary>Retries after the first attempt, for idempotent methods failing with UNAVAILABLE (0 disables).</summary>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>Median first back-off; later ones grow exponentially, with jitter.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Open the breaker when at least this share of calls failed with UNAVAILABLE...</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>...out of at least this many calls...</summary>
    public int BreakerMinimumThroughput { get; set; } = 20;

    /// <summary>...within this window.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker fails calls at once with UNAVAILABLE.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Set to false to send every call straight through (no breaker).</summary>
    public bool EnableCircuitBreaker { get; set; } = true;
}
