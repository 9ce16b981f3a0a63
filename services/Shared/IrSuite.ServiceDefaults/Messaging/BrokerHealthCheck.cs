using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// Readiness of the bus: ready only while MassTransit reports it healthy. MassTransit's own check reports a bus that
/// lost the broker and is reconnecting its endpoints as Degraded, which a health probe counts as serving; a service
/// that cannot consume or publish must not take traffic, so anything short of healthy is unhealthy here.
/// </summary>
public sealed class BrokerHealthCheck(IBusControl bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var health = bus.CheckHealth();
        return Task.FromResult(health.Status == BusHealthStatus.Healthy
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("Broker unreachable or endpoints not ready."));
    }
}
