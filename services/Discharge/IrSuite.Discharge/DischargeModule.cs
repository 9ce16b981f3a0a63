using IrSuite.Discharge.Data;
using IrSuite.Discharge.Grpc;
using IrSuite.Discharge.Messaging;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IrSuite.Discharge;

/// <summary>All the wiring of the discharge service, and every event it consumes.</summary>
public static class DischargeModule
{
    public const string ServiceName = "discharge";
    public const int DefaultPort = 5104;

    public static Type Database => typeof(DischargeDatabase);

    /// <summary>Options, the site protocol, database, repository, the procedure-record client, the gRPC service and the observation timer.</summary>
    public static GrpcServerBuilder AddDischarge(this GrpcServerBuilder grpc, IConfiguration configuration)
    {
        var services = grpc.Services;
        services.AddOptions<DischargeOptions>()
            .Bind(configuration.GetSection(DischargeOptions.Section))
            .Validate(o => o.SweepInterval > TimeSpan.Zero, "Discharge:SweepInterval must be positive.")
            .ValidateOnStart();

        // The clinical thresholds (observation minimum and schedule, scores, instructions) are the site protocol's.
        services.AddSiteProtocol(configuration);
        services.AddServiceDatabase(configuration, ServiceName, o => new DischargeDatabase(o));
        // Every call of the service is audited in its own database (decision 0013).
        services.AddAuditTrail<DischargeDatabase>(DischargeReflection.Descriptor.Services[0].FullName);
        services.AddSingleton<DischargeRepository>();
        services.AddSingleton<ProcedureRecordClient>();

        // The end of the minimum observation is a durable timer: it fires once, even across restarts and replicas.
        services.AddSingleton<IDueTimerHandler<DischargeDatabase>, ObservationMinimumTimerHandler>();
        services.AddSingleton(sp => new DueTimeSweeper<DischargeDatabase>(
            sp.GetRequiredService<DischargeDatabase>(),
            sp,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<DueTimeSweeper<DischargeDatabase>>>())
        {
            Interval = sp.GetRequiredService<IOptions<DischargeOptions>>().Value.SweepInterval,
        });
        services.AddHostedService(sp => sp.GetRequiredService<DueTimeSweeper<DischargeDatabase>>());

        return grpc.AddService<DischargeGrpcService>(DischargeReflection.Descriptor.Services[0]);
    }

    /// <summary>Every consumer of the discharge service.</summary>
    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<ProcedureCompletedConsumer, ProcedureCompletedConsumerDefinition>();
    }
}
