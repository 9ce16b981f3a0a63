using IrSuite.Grpc;
using IrSuite.Grpc.Server;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// Proves who calls: every RPC but health and reflection needs <c>authorization: Bearer &lt;JWT&gt;</c> valid for
/// <see cref="TokenValidator"/>; otherwise UNAUTHENTICATED, with a message that says why and never echoes the token.
/// The proven <see cref="CallerIdentity"/> is attached to the call for the interceptors and the handler after it.
/// </summary>
public sealed class AuthenticationInterceptor(TokenValidator validator) : IServerInterceptor
{
    private const string Scheme = "Bearer ";

    public async Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
    {
        if (AccessPolicy.IsPublic(context.Method.ServiceName))
        {
            CallerIdentity.Anonymous.AttachTo(context);
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.RequestHeaders.GetValue("authorization");
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header.Length == Scheme.Length)
        {
            Refuse(context, header is null ? "A bearer token is required (metadata 'authorization: Bearer <token>')." : "The authorization metadata must be 'Bearer <token>'.");
            return;
        }

        var (caller, failure) = await validator.ValidateAsync(header[Scheme.Length..].Trim()).ConfigureAwait(false);
        if (caller is null)
        {
            Refuse(context, failure!);
            return;
        }

        caller.AttachTo(context);
        await next(context).ConfigureAwait(false);
    }

    private static void Refuse(ServerCallContext context, string message) =>
        context.Status = new Status(StatusCode.Unauthenticated, message);
}
