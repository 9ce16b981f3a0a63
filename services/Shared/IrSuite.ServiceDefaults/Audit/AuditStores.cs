using IrSuite.ServiceDefaults.Data;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.ServiceDefaults.Audit;

/// <summary>Which database audits which gRPC service (a per-service host has one, the suite host four).</summary>
public sealed class AuditStores(IServiceProvider services, IEnumerable<AuditStoreRegistration> registrations)
{
    private readonly Dictionary<string, AuditStoreRegistration> _byService =
        registrations.ToDictionary(r => r.GrpcService, StringComparer.Ordinal);

    /// <summary>The database auditing <paramref name="grpcService"/>, or null when its calls are not audited.</summary>
    public ServiceDatabase? For(string grpcService) =>
        _byService.TryGetValue(grpcService, out var registration) ? (ServiceDatabase)services.GetRequiredService(registration.DatabaseType) : null;

    /// <summary>Every audit store of this process, by service name.</summary>
    public IReadOnlyList<ServiceDatabase> All =>
        _byService.Values.Select(r => r.DatabaseType).Distinct()
            .Select(t => (ServiceDatabase)services.GetRequiredService(t))
            .OrderBy(d => d.ServiceName, StringComparer.Ordinal)
            .ToList();
}

/// <summary>One gRPC service audited in one database.</summary>
public sealed record AuditStoreRegistration(string GrpcService, Type DatabaseType);

/// <summary>Registration of audit stores.</summary>
public static class AuditServiceCollectionExtensions
{
    /// <summary>Audits the calls of <paramref name="grpcService"/> (full name) in <typeparamref name="TDatabase"/>.</summary>
    public static IServiceCollection AddAuditTrail<TDatabase>(this IServiceCollection services, string grpcService)
        where TDatabase : ServiceDatabase
    {
        services.AddSingleton(new AuditStoreRegistration(grpcService, typeof(TDatabase)));
        return services;
    }
}
