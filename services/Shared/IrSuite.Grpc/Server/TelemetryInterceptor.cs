using System.Diagnostics;
using IrSuite.Grpc.Internal;

namespace IrSuite.Grpc.Server;

/// <summary>
/// The built-in outermost interceptor: tags the request's Activity (grpc.method, grpc.status_code and the
/// OpenTelemetry rpc.* attributes), records the call-duration histogram and logs start and end.
/// </summary>
internal sealed class TelemetryInterceptor(GrpcLog log) : IServerInterceptor
{
    public async Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
    {
        var start = Stopwatch.GetTimestamp();
        var method = context.Method;
        var activity = Activity.Current;
        if (activity is { IsAllDataRequested: true })
        {
            activity.DisplayName = method.ServiceName + "/" + method.Name;
            activity.SetTag("grpc.method", method.FullName);
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.service", method.ServiceName);
            activity.SetTag("rpc.method", method.Name);
        }

        log.CallStarted(method.FullName);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var code = context.IsDeadlineExceeded ? StatusCode.DeadlineExceeded : context.Status.StatusCode;
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag("grpc.status_code", (int)code);
                activity.SetTag("rpc.grpc.status_code", (int)code);
                if (code != StatusCode.OK)
                {
                    activity.SetStatus(ActivityStatusCode.Error);
                }
            }

            if (GrpcTelemetry.ServerDuration.Enabled)
            {
                GrpcTelemetry.ServerDuration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, GrpcTelemetry.Tags(method, code));
            }

            if (log.Logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            {
                log.CallEnded(method.FullName, code, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
    }
}
