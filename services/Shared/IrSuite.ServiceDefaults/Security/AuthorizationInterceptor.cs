using IrSuite.Grpc;
using IrSuite.Grpc.Server;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// Applies the role matrix (<see cref="AccessPolicy"/>): PERMISSION_DENIED unless the caller holds a role the RPC allows.
/// Runs after authentication (and after the audit interceptor, so refused attempts are audited too).
/// </summary>
public sealed class AuthorizationInterceptor : IServerInterceptor
{
    public Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
    {
        if (AccessPolicy.IsPublic(context.Method.ServiceName))
        {
            return next(context);
        }

        var caller = context.Caller();
        var key = AccessPolicy.KeyOf(context.Method);
        if (!AccessPolicy.Allows(key, caller.Roles))
        {
            var allowed = AccessPolicy.Rules.TryGetValue(key, out var roles) ? string.Join(", ", roles.Order(StringComparer.Ordinal)) : "nobody";
            context.Status = new Status(StatusCode.PermissionDenied, $"{context.Method.Name} is allowed to: {allowed}.");
            return Task.CompletedTask;
        }

        return next(context);
    }
}
