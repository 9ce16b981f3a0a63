namespace IrSuite.Grpc.Client;

/// <summary>Per-call options: metadata, deadline, cancellation, request compression.</summary>
public readonly record struct CallOptions
{
    public CallOptions(Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default)
    {
        Headers = headers;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>Custom request metadata.</summary>
    public Metadata? Headers { get; init; }

    /// <summary>When the call must end (UTC); null uses the channel's default timeout, if any.</summary>
    public DateTime? Deadline { get; init; }

    public CancellationToken CancellationToken { get; init; }

    /// <summary>Compress request messages with this algorithm (e.g. <c>gzip</c>); null sends them uncompressed.</summary>
    public string? RequestCompression { get; init; }

    /// <summary>
    /// Inherit the deadline and cancellation of the gRPC call being served on this async flow
    /// (<see cref="Server.ServerCallContext.Current"/>). On by default.
    /// </summary>
    public bool PropagateServerCall
    {
        get => !_suppressPropagation;
        init => _suppressPropagation = !value;
    }

    // Stored inverted so that default(CallOptions) propagates.
    private readonly bool _suppressPropagation;

    /// <summary>A deadline <paramref name="timeout"/> from now, measured with <paramref name="timeProvider"/>.</summary>
    public CallOptions WithTimeout(TimeSpan timeout, TimeProvider? timeProvider = null) =>
        this with { Deadline = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime + timeout };
}
