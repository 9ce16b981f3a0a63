using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IrSuite.Grpc.Health;

/// <summary>How grpc.health.v1 names map onto ASP.NET Core health checks.</summary>
public sealed class GrpcHealthOptions
{
    /// <summary>
    /// Service name to the checks that decide its status. "" (the whole server) and every served gRPC
    /// service get all checks unless mapped here; a null predicate also means all checks.
    /// </summary>
    public IDictionary<string, Func<HealthCheckRegistration, bool>?> Services { get; } =
        new Dictionary<string, Func<HealthCheckRegistration, bool>?>(StringComparer.Ordinal);

    /// <summary>How long a computed status is reused by Check (probes may call it often).</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often Watch re-evaluates the checks.</summary>
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(5);

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
