using System.Runtime.CompilerServices;

namespace IrSuite.Grpc.Client;

/// <summary>A unary call in flight: await it (or <see cref="ResponseAsync"/>) for the response.</summary>
public sealed class AsyncUnaryCall<TResponse> : IDisposable
{
    private readonly Func<Status> _status;
    private readonly Func<Metadata> _trailers;
    private readonly Action _dispose;

    internal AsyncUnaryCall(Task<TResponse> response, Task<Metadata> headers, Func<Status> status, Func<Metadata> trailers, Action dispose)
    {
        ResponseAsync = response;
        ResponseHeadersAsync = headers;
        _status = status;
        _trailers = trailers;
        _dispose = dispose;
    }

    public Task<TResponse> ResponseAsync { get; }

    /// <summary>The response headers (empty for a trailers-only response).</summary>
    public Task<Metadata> ResponseHeadersAsync { get; }

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>The final status; available once the call has finished.</summary>
    public Status GetStatus() => _status();

    /// <summary>The trailing metadata; available once the call has finished.</summary>
    public Metadata GetTrailers() => _trailers();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _dispose();
}

/// <summary>A server-streaming call: read <see cref="ResponseStream"/> until it returns false.</summary>
public sealed class AsyncServerStreamingCall<TResponse>(
    IAsyncStreamReader<TResponse> responseStream, Task<Metadata> headers, Func<Status> status, Func<Metadata> trailers, Action dispose) : IDisposable
{
    public IAsyncStreamReader<TResponse> ResponseStream => responseStream;

    public Task<Metadata> ResponseHeadersAsync => headers;

    public Status GetStatus() => status();

    public Metadata GetTrailers() => trailers();

    public void Dispose() => dispose();
}

/// <summary>A client-streaming call: write to <see cref="RequestStream"/>, complete it, await the response.</summary>
public sealed class AsyncClientStreamingCall<TRequest, TResponse>(
    IClientStreamWriter<TRequest> requestStream, Task<TResponse> response, Task<Metadata> headers, Func<Status> status, Func<Metadata> trailers, Action dispose) : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream => requestStream;

    public Task<TResponse> ResponseAsync => response;

    public Task<Metadata> ResponseHeadersAsync => headers;

    public TaskAwaiter<TResponse> GetAwaiter() => response.GetAwaiter();

    public Status GetStatus() => status();

    public Metadata GetTrailers() => trailers();

    public void Dispose() => dispose();
}

/// <summary>A bidirectional call: write to <see cref="RequestStream"/> and read <see cref="ResponseStream"/> independently.</summary>
public sealed class AsyncDuplexStreamingCall<TRequest, TResponse>(
    IClientStreamWriter<TRequest> requestStream, IAsyncStreamReader<TResponse> responseStream, Task<Metadata> headers, Func<Status> status, Func<Metadata> trailers, Action dispose) : IDisposable
{
    public IClientStreamWriter<TRequest> RequestStream => requestStream;

    public IAsyncStreamReader<TResponse> ResponseStream => responseStream;

    public Task<Metadata> ResponseHeadersAsync => headers;

    public Status GetStatus() => status();

    public Metadata GetTrailers() => trailers();

    public void Dispose() => dispose();
}
