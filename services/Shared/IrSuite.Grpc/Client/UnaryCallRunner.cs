using Google.Protobuf;
using Polly;
using Polly.CircuitBreaker;

namespace IrSuite.Grpc.Client;

internal static class UnaryCallRunnerKeys
{
    public static readonly ResiliencePropertyKey<string> Method = new("grpc.method");
}

/// <summary>Runs a unary call through the channel's pipeline; each attempt is a fresh HTTP/2 stream.</summary>
internal sealed class UnaryCallRunner<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly TRequest _request;
    private readonly CallOptions _options;
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientCall<TRequest, TResponse>? _attempt;
    private Status? _localStatus;

    public UnaryCallRunner(GrpcChannel channel, Method<TRequest, TResponse> method, TRequest request, CallOptions options, ResiliencePipeline pipeline)
    {
        _channel = channel;
        _method = method.Type == MethodType.Unary ? method : throw new ArgumentException($"{method.FullName} is not unary.", nameof(method));
        _request = request;
        _options = options;
        ResponseAsync = RunAsync(pipeline);
    }

    public Task<TResponse> ResponseAsync { get; }

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public Status GetStatus() => _localStatus ?? _attempt?.GetStatus() ?? throw new InvalidOperationException("The call has not finished yet.");

    public Metadata GetTrailers() => _localStatus is not null ? new Metadata() : _attempt?.GetTrailers() ?? throw new InvalidOperationException("The call has not finished yet.");

    public void Dispose() => _attempt?.Dispose();

    private async Task<TResponse> RunAsync(ResiliencePipeline pipeline)
    {
        var context = ResilienceContextPool.Shared.Get(_options.CancellationToken);
        context.Properties.Set(UnaryCallRunnerKeys.Method, _method.FullName);
        try
        {
            return await pipeline.ExecuteAsync(static async (_, state) => await state.AttemptAsync().ConfigureAwait(false), context, this).ConfigureAwait(false);
        }
        catch (BrokenCircuitException)
        {
            _localStatus = new Status(StatusCode.Unavailable, $"Circuit breaker open for {_channel.Address}: recent calls failed with UNAVAILABLE.");
            _headers.TrySetResult(new Metadata());
            throw new CircuitOpenException(_localStatus.Value);
        }
        catch (OperationCanceledException) when (_attempt is null || _options.CancellationToken.IsCancellationRequested)
        {
            _localStatus = new Status(StatusCode.Cancelled, "Call canceled by the client.");
            _headers.TrySetResult(new Metadata());
            throw new RpcException(_localStatus.Value);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<TResponse> AttemptAsync()
    {
        _attempt?.Dispose();
        var attempt = new ClientCall<TRequest, TResponse>(_channel, _method, _options);
        _attempt = attempt;
        attempt.StartWithRequest(_request);
        try
        {
            var response = await attempt.ReadUnaryResponseAsync().ConfigureAwait(false);
            _headers.TrySetResult(await attempt.ResponseHeadersAsync.ConfigureAwait(false));
            return response;
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Unavailable || !_method.IsIdempotent)
        {
            _headers.TrySetResult(await attempt.ResponseHeadersAsync.ConfigureAwait(false));
            throw;
        }
    }
}
