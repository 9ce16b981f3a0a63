using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>Where events travel: RabbitMQ (distributed mode) or MassTransit's in-memory transport (embedded).</summary>
public sealed class BusOptions
{
    /// <summary><c>inmemory</c> (default) or <c>rabbitmq</c>.</summary>
    public string Transport { get; set; } = "inmemory";

    /// <summary>RabbitMQ host name.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public ushort Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    /// <summary>From configuration or secrets (environment: Bus__Username / Bus__Password), never from code.</summary>
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Prefix of every endpoint (queue) name; empty in the services, unique per run in real-broker tests.</summary>
    public string EndpointPrefix { get; set; } = "";

    public bool IsRabbitMq => string.Equals(Transport, "rabbitmq", StringComparison.OrdinalIgnoreCase);
}

public static class BusSetup
{
    /// <summary>
    /// MassTransit with the consumers the caller registers (each with its <see cref="IrSuiteConsumerDefinition{TConsumer}"/>:
    /// short retries of transient faults, then the <c>_error</c> queue): kebab-case endpoint names, quorum queues on
    /// RabbitMQ, publisher confirms, usage telemetry off (it would post to an outside host), and the outbox flush that
    /// runs at shutdown between the web server and the bus (decision 0008).
    /// </summary>
    public static IServiceCollection AddIrSuiteBus(this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> registerConsumers)
    {
        var options = configuration.GetSection("Bus").Get<BusOptions>() ?? new BusOptions();
        services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            // Queue names include the consumer's namespace: two services consuming the same event (scheduling
            // and discharge both consume ProcedureCompleted) must get a queue each, not compete on one.
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(options.EndpointPrefix, includeNamespace: true));
            registerConsumers(bus);
            if (options.IsRabbitMq)
            {
                bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    {
                        rabbit.SetQuorumQueue();
                    }
                });
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(options.Host, options.Port, options.VirtualHost, host =>
                    {
                        if (options.Username.Length > 0)
                        {
                            host.Username(options.Username);
                            host.Password(options.Password);
                        }

                        // MassTransit's default, stated because the outbox marks a row sent only after the broker confirmed it.
                        host.PublisherConfirmation = true;
                    });
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.ConfigureEndpoints(context);
                });
            }
        });
        services.Configure<MassTransitHostOptions>(o =>
        {
            // Publishing before the topology exists would drop events: start the bus before serving.
            o.WaitUntilStarted = true;
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });
        // After AddMassTransit (so it stops before the bus) and before the web server, which the host adds last.
        services.AddHostedService<OutboxShutdownFlush>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            "broker", sp => new BrokerHealthCheck(sp.GetRequiredService<IBusControl>()), HealthStatus.Unhealthy, ["ready"]));
        return services;
    }
}
