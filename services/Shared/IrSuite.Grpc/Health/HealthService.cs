using System.Collections.Concurrent;
using Grpc.Health.V1;
using IrSuite.Grpc.Server;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IrSuite.Grpc.Health;

/// <summary>
/// <c>grpc.health.v1.Health</c> backed by ASP.NET Core health checks: Check (NOT_FOUND for an unknown
/// name), List, and Watch (current status at once, then each change; SERVICE_UNKNOWN keeps the stream
/// open). Every service turns NOT_SERVING when the host starts stopping, so balancers drain it first.
/// </summary>
public sealed class HealthService : IDisposable
{
    private readonly HealthCheckService _checks;
    private readonly GrpcHealthOptions _options;
    private readonly Dictionary<string, Func<HealthCheckRegistration, bool>?> _services;
    private readonly ConcurrentDictionary<string, (ServingStatus Status, DateTimeOffset At)> _cache = new(StringComparer.Ordinal);
    private volatile bool _stopping;
    private CancellationTokenSource _changed = new();

    public HealthService(HealthCheckService checks, IOptions<GrpcHealthOptions> options, GrpcServiceRegistry registry, IHostApplicationLifetime? lifetime = null)
    {
        _checks = checks;
        _options = options.Value;
        _services = new Dictionary<string, Func<HealthCheckRegistration, bool>?>(StringComparer.Ordinal) { [string.Empty] = null };
        foreach (var registration in registry.Registrations)
        {
            _services[registration.Descriptor.FullName] = null;
        }

        foreach (var (name, predicate) in _options.Services)
        {
            _services[name] = predicate;
        }

        lifetime?.ApplicationStopping.Register(() => SetStopping());
    }

    /// <summary>Marks every service NOT_SERVING (graceful shutdown) and wakes watchers.</summary>
    public void SetStopping()
    {
        _stopping = true;
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }

    public void Dispose() => _changed.Dispose();

    public async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!_services.ContainsKey(request.Service))
        {
            throw new RpcException(new Status(StatusCode.NotFound, "Unknown service."));
        }

        return new HealthCheckResponse { Status = await GetStatusAsync(request.Service, cached: true, context.CancellationToken) };
    }

    public async Task<HealthListResponse> List(HealthListRequest request, ServerCallContext context)
    {
        var response = new HealthListResponse();
        foreach (var name in _services.Keys)
        {
            response.Statuses[name] = new HealthCheckResponse { Status = await GetStatusAsync(name, cached: true, context.CancellationToken) };
        }

        return response;
    }

    public async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        ServingStatus? sent = null;
        var token = context.CancellationToken;
        while (!token.IsCancellationRequested)
        {
            var changed = _changed.Token;
            var status = _services.ContainsKey(request.Service)
                ? await GetStatusAsync(request.Service, cached: false, token)
                : ServingStatus.ServiceUnknown;
            if (status != sent)
            {
                await responses.WriteAsync(new HealthCheckResponse { Status = status }, token);
                sent = status;
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(token, changed);
            try
            {
                await Task.Delay(_options.WatchInterval, _options.TimeProvider, wake.Token);
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // A status change woke us early: loop and send it.
            }
        }
    }

    private async Task<ServingStatus> GetStatusAsync(string service, bool cached, CancellationToken cancellationToken)
    {
        if (_stopping)
        {
            return ServingStatus.NotServing;
        }

        var now = _options.TimeProvider.GetUtcNow();
        if (cached && _cache.TryGetValue(service, out var entry) && now - entry.At < _options.CacheDuration)
        {
            return entry.Status;
        }

        var predicate = _services[service];
        var report = await _checks.CheckHealthAsync(predicate, cancellationToken);
        var status = report.Status == HealthStatus.Unhealthy ? ServingStatus.NotServing : ServingStatus.Serving;
        _cache[service] = (status, now);
        return status;
    }
}
