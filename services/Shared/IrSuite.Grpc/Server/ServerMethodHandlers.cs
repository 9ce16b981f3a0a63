using Google.Protobuf;
using Microsoft.AspNetCore.Http;

namespace IrSuite.Grpc.Server;

/// <summary>Serves one method: sets up the call, runs the interceptor chain and the handler, ends the call.</summary>
internal abstract class ServerMethodHandler
{
    private readonly ServerCallHandler _pipeline;

    protected ServerMethodHandler(Method method, ServerRuntime runtime)
    {
        Method = method;
        Runtime = runtime;
        ServerCallHandler pipeline = InvokeTerminalAsync;
        for (var i = runtime.Interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = runtime.Interceptors[i];
            var next = pipeline;
            pipeline = context => interceptor.InterceptAsync(context, next);
        }

        _pipeline = pipeline;
    }

    public Method Method { get; }

    protected ServerRuntime Runtime { get; }

    public async Task HandleAsync(HttpContext http)
    {
        http.Response.ContentType = Internal.GrpcProtocol.ContentType;
        var context = new ServerCallContext(http, Method, Runtime);
        try
        {
            if (context.Initialize() is { } refused)
            {
                Runtime.Log.CallRefused(Method.FullName, refused.StatusCode, refused.Detail);
                context.Status = refused;
                return;
            }

            await _pipeline(context).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // An interceptor threw (the terminal never lets a handler's exception out).
            SetStatusFromException(context, exception);
        }
        finally
        {
            context.Complete();
            context.Dispose();
        }
    }

    protected abstract Task InvokeAsync(ServerCallContext context);

    /// <summary>The one response of a unary or client-streaming call; sent with the trailers, not flushed alone.</summary>
    protected static ValueTask WriteSingleResponseAsync(ServerCallContext context, IMessage? response)
    {
        if (response is null)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "No message returned from method."));
        }

        // A handler that set a non-OK status ends the call without a message.
        return context.Status.StatusCode == StatusCode.OK ? context.WriteMessageAsync(response, flush: false, default) : ValueTask.CompletedTask;
    }

    private async Task InvokeTerminalAsync(ServerCallContext context)
    {
        try
        {
            await InvokeAsync(context).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            SetStatusFromException(context, exception);
        }
    }

    private void SetStatusFromException(ServerCallContext context, Exception exception)
    {
        switch (exception)
        {
            case RpcException rpc:
                context.SetStatus(rpc);
                break;
            case IOException or Microsoft.AspNetCore.Connections.ConnectionAbortedException:
                // Reading or writing the stream failed: the client reset it or the connection dropped (Kestrel may
                // raise this before RequestAborted is signalled). Not a server fault, so not logged as an error.
                context.Status = context.IsDeadlineExceeded
                    ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                    : new Status(StatusCode.Cancelled, "Call canceled by the client.");
                break;
            case OperationCanceledException
                when context.CancellationToken.IsCancellationRequested || context.HttpContext.RequestAborted.IsCancellationRequested:
                // The client reset the stream, the connection dropped or the deadline passed: not a server fault.
                context.Status = context.IsDeadlineExceeded
                    ? new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                    : new Status(StatusCode.Cancelled, "Call canceled by the client.");
                break;
            default:
                if (Runtime.Options.ExceptionStatus?.Invoke(exception) is { } mapped)
                {
                    Runtime.Log.HandlerFailedMapped(Method.FullName, mapped.StatusCode, exception.GetType().Name);
                    context.Status = mapped;
                    break;
                }

                Runtime.Log.HandlerFailed(Method.FullName, exception);
                context.Status = new Status(
                    StatusCode.Unknown,
                    Runtime.Options.EnableDetailedErrors
                        ? "Exception was thrown by handler. " + exception.GetType().Name + ": " + exception.Message
                        : "Exception was thrown by handler.");
                break;
        }
    }
}

internal sealed class UnaryServerMethodHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    ServerRuntime runtime,
    Func<HttpContext, TService> activator,
    Func<TService, TRequest, ServerCallContext, Task<TResponse>> handler)
    : ServerMethodHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override async Task InvokeAsync(ServerCallContext context)
    {
        var request = await context.ReadSingleMessageAsync(method.RequestParser).ConfigureAwait(false);
        context.RequestMessage = request;
        var response = await handler(activator(context.HttpContext), request, context).ConfigureAwait(false);
        context.ResponseMessage = response;
        await WriteSingleResponseAsync(context, response).ConfigureAwait(false);
    }
}

internal sealed class ServerStreamingServerMethodHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    ServerRuntime runtime,
    Func<HttpContext, TService> activator,
    Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
    : ServerMethodHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override async Task InvokeAsync(ServerCallContext context)
    {
        var request = await context.ReadSingleMessageAsync(method.RequestParser).ConfigureAwait(false);
        await handler(activator(context.HttpContext), request, new ServerResponseStream<TResponse>(context), context).ConfigureAwait(false);
    }
}

internal sealed class ClientStreamingServerMethodHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    ServerRuntime runtime,
    Func<HttpContext, TService> activator,
    Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> handler)
    : ServerMethodHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override async Task InvokeAsync(ServerCallContext context)
    {
        context.DisableRequestBodyLimits();
        var requests = new ServerRequestStream<TRequest>(context, method.RequestParser);
        var response = await handler(activator(context.HttpContext), requests, context).ConfigureAwait(false);
        await WriteSingleResponseAsync(context, response).ConfigureAwait(false);
    }
}

internal sealed class DuplexStreamingServerMethodHandler<TService, TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    ServerRuntime runtime,
    Func<HttpContext, TService> activator,
    Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
    : ServerMethodHandler(method, runtime)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    protected override async Task InvokeAsync(ServerCallContext context)
    {
        context.DisableRequestBodyLimits();
        var requests = new ServerRequestStream<TRequest>(context, method.RequestParser);
        await handler(activator(context.HttpContext), requests, new ServerResponseStream<TResponse>(context), context).ConfigureAwait(false);
    }
}

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class ServerRequestStream<T>(ServerCallContext context, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;
    private bool _completed;

    public T Current => _current ?? throw new InvalidOperationException("MoveNext has not returned true.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return false;
        }

        var token = cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken;
        var (hasMessage, message) = await context.ReadStreamMessageAsync(parser, token).ConfigureAwait(false);
        _current = message;
        _completed = !hasMessage;
        return hasMessage;
    }
}

/// <summary>The response stream of a server-streaming or duplex call; one write at a time.</summary>
internal sealed class ServerResponseStream<T>(ServerCallContext context) : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private int _writing;

    public WriteOptions? WriteOptions
    {
        get => context.WriteOptions;
        set => context.WriteOptions = value;
    }

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (Interlocked.Exchange(ref _writing, 1) == 1)
        {
            throw new InvalidOperationException("A write is already in progress: await each WriteAsync before the next.");
        }

        try
        {
            var token = cancellationToken.CanBeCanceled ? cancellationToken : context.CancellationToken;
            await context.WriteMessageAsync(message, flush: true, token).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
        }
    }
}
