using System.IO.Compression;
using IrSuite.Grpc.Internal;

namespace IrSuite.Grpc.Server;

/// <summary>Server-wide settings of the gRPC runtime.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted, compressed or decompressed (default 4 MiB).</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxReceiveMessageSize;

    /// <summary>Largest response message sent (default unlimited).</summary>
    public int MaxSendMessageSize { get; set; } = int.MaxValue;

    /// <summary>Compress every response with this algorithm when the client accepts it (default: none).</summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>Supported request and response encodings; gzip and deflate by default.</summary>
    public IList<ICompressionProvider> CompressionProviders { get; } =
        [new GzipCompressionProvider(), new DeflateCompressionProvider()];

    /// <summary>
    /// Send a handler exception's message to clients. Off by default and in production:
    /// messages may carry details that must stay in the server's logs.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// After the deadline, how long a handler that ignores its cancellation token may run before
    /// the stream is reset with RST_STREAM(CANCEL).
    /// </summary>
    public TimeSpan DeadlineGracePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Maps a handler exception that is not an <see cref="RpcException"/> to the status the client gets; null (or no
    /// mapper) means UNKNOWN, logged as a handler failure. Hosts use it for faults the client should retry, such as a
    /// database that is restarting (UNAVAILABLE).
    /// </summary>
    public Func<Exception, Status?>? ExceptionStatus { get; set; }

    /// <summary>Interceptor types, resolved once from DI as singletons, outermost first.</summary>
    public IList<Type> Interceptors { get; } = [];

    /// <summary>
    /// Server-side ceiling on a call's duration: a call without a deadline, or with a longer one, gets this one, so
    /// a client cannot hold a handler (and its database connection) for ever (DEADLINE_EXCEEDED). Unary calls only:
    /// streaming calls are meant to last. Null: no ceiling.
    /// </summary>
    public TimeSpan? MaxCallDuration { get; set; }

    /// <summary>The clock deadlines are measured with.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
