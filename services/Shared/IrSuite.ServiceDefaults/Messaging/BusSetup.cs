using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

    public bool IsRabbitMq => string.Equals(Transport, "rabbitmq", StringComparison.OrdinalIgnoreCase);
}

public static class BusSetup
{
    /// <summary>
    /// MassTransit with the consumers the caller registers: kebab-case endpoint names, quorum queues on
    /// RabbitMQ, publisher confirms (MassTransit's default), short in-memory retries for transient faults
    /// (then the <c>_error</c> queue), and usage telemetry off (it would post to an outside host).
    /// </summary>
    public static IServiceCollection AddIrSuiteBus(this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> registerConsumers)
    {
        var options = configuration.GetSection("Bus").Get<BusOptions>() ?? new BusOptions();
        services.AddMassTransit(bus =>
        {
            bus.DisableUsageTelemetry();
            // Queue names include the consumer's namespace: two services consuming the same event (scheduling
            // and discharge both consume ProcedureCompleted) must get a queue each, not compete on one.
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(includeNamespace: true));
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
                    });
                    cfg.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.UseMessageRetry(r => r.Exponential(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(200)));
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
        return services;
    }
}
