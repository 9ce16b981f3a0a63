namespace IrSuite.Grpc.Server;

/// <summary>Continues a call: the next interceptor, or the service method itself.</summary>
public delegate Task ServerCallHandler(ServerCallContext context);

/// <summary>
/// Wraps every call. Code after <c>await next(context)</c> sees the final <see cref="ServerCallContext.Status"/>
/// (a handler's exception has already been turned into a status by then).
/// </summary>
public interface IServerInterceptor
{
    Task InterceptAsync(ServerCallContext context, ServerCallHandler next);
}
