using System.Net;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Observability;
using IrSuite.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace IrSuite.ServiceDefaults.Hosting;

/// <summary>The wiring every IrSuite host shares, so each Program.cs stays a few lines.</summary>
public static class IrSuiteHosting
{
    /// <summary>grpc.health.v1 name of the liveness probe: SERVING while the process runs (checks tagged "live").</summary>
    public const string LivenessService = "liveness";

    /// <summary>
    /// grpc.health.v1 name of the readiness probe: NOT_SERVING while a database or the broker is unreachable (checks
    /// tagged "ready": each database, and MassTransit's bus check). "" and every served service report the same.
    /// </summary>
    public const string ReadinessService = "readiness";

    /// <summary>
    /// gRPC on <c>Grpc:Address</c> (host:port, default 127.0.0.1:<paramref name="defaultPort"/>; TLS from <c>Grpc:Tls</c>, h2c
    /// allowed on loopback only), HTTP/1.1 health
    /// probes on <c>Health:HttpAddress</c> (default: the gRPC port + 100), traces, metrics and console logs (decision
    /// 0009; <paramref name="serviceName"/> is the telemetry's service.name unless OTEL_SERVICE_NAME says otherwise;
    /// <paramref name="defaultLogFormat"/> applies when <c>Logging:Format</c> is not configured), the
    /// clock, channels to peer services, the site protocol (and its read-only gRPC service), and health and reflection.
    /// Returns the gRPC builder for the services to add to.
    /// </summary>
    public static GrpcServerBuilder AddIrSuiteHost(
        this WebApplicationBuilder builder, int defaultPort, string serviceName = "irsuite", string defaultLogFormat = ObservabilitySetup.SimpleFormat)
    {
        var address = builder.Configuration["Grpc:Address"] ?? $"127.0.0.1:{defaultPort}";
        var endpoint = IPEndPoint.Parse(address);
        var health = HealthHttpEndpoint.Resolve(builder.Configuration, endpoint);
        var tls = ServerTlsOptions.FromConfiguration(builder.Configuration);
        Tls.EnsureAllowed(endpoint, tls);
        // Metadata (all request headers, a ~1 KiB bearer token included) is capped at Grpc:MaxMetadataSize (16 KiB);
        // beyond it Kestrel refuses the request itself, before any gRPC handler runs (decision 0014).
        var maxMetadata = builder.Configuration.GetValue("Grpc:MaxMetadataSize", 16 * 1024);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = maxMetadata;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = maxMetadata;
            // TLS (and mutual TLS) from Grpc:Tls (decision 0012); h2c only on loopback. Client certificates are checked
            // against the injected clock, so tests can move past a certificate's expiry.
            kestrel.ListenGrpc(endpoint, tls.Enabled
                ? Tls.ServerHttps(tls, () => kestrel.ApplicationServices.GetRequiredService<TimeProvider>())
                : null);
            health.Listen(kestrel);
        });
        builder.Services.AddSingleton(health);
        builder.Services.AddSingleton<IStartupFilter, HealthHttpEndpoint.StartupFilter>();
        builder.AddIrSuiteObservability(serviceName, defaultLogFormat);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ServiceChannels>();
        builder.Services.TryAddSingleton<Migrator>();
        builder.Services.TryAddSingleton<OutboxWriter>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddSiteProtocol(builder.Configuration);
        builder.Services.AddIdempotentCommands(builder.Configuration);
        builder.Services.TryAddSingleton<SiteProtocolGrpcService>();
        builder.Services.TryAddSingleton<AuditStores>();
        builder.Services.TryAddSingleton<AuditGrpcService>();
        builder.Services.AddIrSuiteSecurity(builder.Configuration, serviceName);
        builder.Services.AddOptions<CallLimitsOptions>().Bind(builder.Configuration.GetSection(CallLimitsOptions.Section));
        DapperSetup.Configure();
        // A database fault the retry pipeline could not ride out (a server restarting) is transient for the client too:
        // UNAVAILABLE tells it to retry (with the same request_id for a command), where UNKNOWN would not.
        var configuration = builder.Configuration;
        var grpc = builder.Services.AddGrpcServer(o =>
            {
                o.ExceptionStatus = ex => TransientFaults.IsTransientDatabase(ex)
                    ? new Status(StatusCode.Unavailable, "The service's database is unavailable; retry.")
                    : null;
                // Limits (decision 0014): message sizes beyond them answer RESOURCE_EXHAUSTED; every call is cut at
                // Limits:MaxCallDuration (default 30 s) whatever deadline the client sent.
                o.MaxReceiveMessageSize = configuration.GetValue("Grpc:MaxReceiveMessageSize", 4 * 1024 * 1024);
                o.MaxSendMessageSize = configuration.GetValue("Grpc:MaxSendMessageSize", int.MaxValue);
                var ceiling = configuration.GetValue("Limits:MaxCallDuration", TimeSpan.FromSeconds(30));
                o.MaxCallDuration = ceiling > TimeSpan.Zero ? ceiling : null;
            })
            // Authentication first (UNAUTHENTICATED), the role matrix after it (PERMISSION_DENIED), decision 0011; then the
            // per-caller limits (RESOURCE_EXHAUSTED), decision 0014.
            .AddInterceptor<AuthenticationInterceptor>()
            .AddInterceptor<AuditInterceptor>()
            .AddInterceptor<AuthorizationInterceptor>()
            .AddInterceptor<CallLimitsInterceptor>()
            .AddHealth(o =>
            {
                o.Services[LivenessService] = r => r.Tags.Contains("live");
                o.Services[ReadinessService] = r => r.Tags.Contains("ready");
            })
            .AddService<SiteProtocolGrpcService>(IrSuite.Protocol.V1.ProtocolReflection.Descriptor.Services[0])
            .AddService<AuditGrpcService>(IrSuite.Audit.V1.AuditReflection.Descriptor.Services[0]);

        // Server reflection shows the API schema only (no data) and needs no token; a production site may switch it off.
        if (builder.Configuration.GetValue("Grpc:Reflection:Enabled", defaultValue: true))
        {
            grpc.AddReflection();
        }

        return grpc;
    }

    /// <summary>
    /// A service's database from <c>Databases:&lt;service&gt;</c> (SQLite file <c>data/&lt;service&gt;.db</c> by default),
    /// its outbox relay, and a readiness check (reachable, migrations applied).
    /// </summary>
    public static IServiceCollection AddServiceDatabase<TDatabase>(
        this IServiceCollection services, IConfiguration configuration, string service, Func<DatabaseOptions, TDatabase> create)
        where TDatabase : ServiceDatabase
    {
        var options = configuration.GetSection($"Databases:{service}").Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (options.ConnectionString.Length == 0 && !options.IsPostgres)
        {
            options.ConnectionString = Path.Combine(configuration["Data:Directory"] ?? "data", service + ".db");
        }

        services.AddSingleton(_ => create(options));
        services.AddSingleton<OutboxRelay<TDatabase>>();
        services.AddSingleton<IOutboxRelay>(sp => sp.GetRequiredService<OutboxRelay<TDatabase>>());
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay<TDatabase>>());
        services.Configure<RetentionOptions>(configuration.GetSection(RetentionOptions.Section));
        services.AddHostedService<RetentionSweeper<TDatabase>>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"database-{service}", sp => new DatabaseHealthCheck(sp.GetRequiredService<TDatabase>()), HealthStatus.Unhealthy, ["ready"]));
        return services;
    }

    /// <summary>Applies the migrations of the given databases (embedded start-up, or the distributed <c>migrate</c> command).</summary>
    public static async Task MigrateAsync(this IHost host, params Type[] databaseTypes)
    {
        var migrator = host.Services.GetRequiredService<Migrator>();
        foreach (var type in databaseTypes)
        {
            await migrator.MigrateAsync((ServiceDatabase)host.Services.GetRequiredService(type));
        }
    }

    /// <summary>
    /// Runs a host. <c>migrate</c> as the first argument applies the migrations and exits (the distributed
    /// deployment's migration job); otherwise SQLite databases are migrated at start-up (embedded default),
    /// PostgreSQL ones only with <c>Migrations:OnStartup=true</c>, and the host serves until stopped.
    /// </summary>
    public static async Task<int> RunIrSuiteAsync(this WebApplication app, string[] args, params Type[] databaseTypes)
    {
        if (args.Length > 0 && args[0] == "migrate")
        {
            await app.MigrateAsync(databaseTypes);
            return 0;
        }

        var onStartup = app.Configuration.GetValue<bool?>("Migrations:OnStartup")
            ?? databaseTypes.All(t => ((ServiceDatabase)app.Services.GetRequiredService(t)).Dialect == SqlDialect.Sqlite);
        if (onStartup)
        {
            await app.MigrateAsync(databaseTypes);
        }

        await app.RunAsync();
        return 0;
    }

    private sealed class DatabaseHealthCheck(ServiceDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                return await Migrator.IsUpToDateAsync(database, cancellationToken)
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy("Migrations not applied.");
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("Database unreachable.");
            }
        }
    }
}
