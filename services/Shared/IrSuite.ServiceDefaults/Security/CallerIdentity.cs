using IrSuite.Grpc;
using IrSuite.Grpc.Server;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// Who is calling, as proven by the bearer token of the call: <see cref="Subject"/> is the token's <c>sub</c> (a staff,
/// system or service identifier, never a name), <see cref="Roles"/> its roles. Set by <see cref="AuthInterceptor"/> before
/// the handler runs; clinical signatures record <see cref="Subject"/>, never an id from the request body.
/// </summary>
public sealed record CallerIdentity(string Subject, IReadOnlySet<string> Roles, string Issuer)
{
    /// <summary>The identity of calls that need none (health, reflection), and of work not started by a call.</summary>
    public static readonly CallerIdentity Anonymous = new("anonymous", new HashSet<string>(), "");

    /// <summary>
    /// The last instant the token that proved this identity is accepted (its <c>exp</c> plus the allowed clock skew); null
    /// for identities no token proved. A long stream (the department board) ends when it passes.
    /// </summary>
    public DateTimeOffset? AcceptedUntil { get; init; }

    /// <summary>True when the caller holds <paramref name="role"/>.</summary>
    public bool IsInRole(string role) => Roles.Contains(role);

    /// <summary>The caller's roles, sorted and comma-separated (for the audit trail).</summary>
    public string RoleList => string.Join(",", Roles.Order(StringComparer.Ordinal));

    /// <summary>The identity of the call being served on this async flow, or null outside a call or before authentication.</summary>
    public static CallerIdentity? Current =>
        ServerCallContext.Current is { } call && call.UserState.TryGetValue(typeof(CallerIdentity), out var value) ? (CallerIdentity)value : null;

    internal void AttachTo(ServerCallContext context) => context.UserState[typeof(CallerIdentity)] = this;
}

/// <summary>Reads the caller from a call.</summary>
public static class CallerIdentityExtensions
{
    /// <summary>The authenticated caller; INTERNAL when the call was not authenticated (a wiring error, never the client's).</summary>
    public static CallerIdentity Caller(this ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.UserState.TryGetValue(typeof(CallerIdentity), out var value)
            ? (CallerIdentity)value
            : throw new RpcException(new Status(StatusCode.Internal, "The call carries no authenticated identity."));
    }

    /// <summary>The caller's subject, required to hold one of <paramref name="roles"/> (for a clinical signature); PERMISSION_DENIED otherwise.</summary>
    public static string Signer(this ServerCallContext context, params string[] roles)
    {
        var caller = context.Caller();
        if (roles.Length > 0 && !roles.Any(caller.IsInRole))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"Only {string.Join(" or ", roles)} may sign this act."));
        }

        return caller.Subject;
    }
}
