using IrSuite.AnesthesiaConsultation;
using IrSuite.Discharge;
using IrSuite.Grpc;
using IrSuite.ProcedureRecord;
using IrSuite.Scheduling;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using Microsoft.Extensions.Configuration.Memory;

namespace IrSuite.SuiteHost;

/// <summary>
/// Composes the four services in one process (the embedded default): one gRPC port for all of them plus
/// health and reflection, a SQLite file per service, MassTransit's in-memory transport, and every
/// service-to-service call addressed to this same process over loopback gRPC.
/// </summary>
public static class SuiteHost
{
    public const int DefaultPort = 5100;

    public static readonly Type[] Databases =
    [
        SchedulingModule.Database, AnesthesiaConsultationModule.Database, ProcedureRecordModule.Database, DischargeModule.Database,
    ];

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        var address = builder.Configuration["Grpc:Address"] ?? $"127.0.0.1:{DefaultPort}";
        // In the embedded suite every peer service is this process: these addresses override any other source
        // (a stray appsettings.json of a per-service host must not send calls to its distributed port).
        builder.Configuration.Sources.Add(new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                [$"Services:{AnesthesiaConsultationModule.ServiceName}:Address"] = $"http://{address}",
                [$"Services:{ProcedureRecordModule.ServiceName}:Address"] = $"http://{address}",
                [$"Services:{SchedulingModule.ServiceName}:Address"] = $"http://{address}",
                [$"Services:{DischargeModule.ServiceName}:Address"] = $"http://{address}",
            },
        });
        var configuration = builder.Configuration;
        builder.AddIrSuiteHost(DefaultPort, "irsuite")
            .AddScheduling(configuration)
            .AddAnesthesiaConsultation(configuration)
            .AddProcedureRecord(configuration)
            .AddDischarge(configuration);
        builder.Services.AddIrSuiteBus(configuration, bus =>
        {
            SchedulingModule.AddConsumers(bus);
            AnesthesiaConsultationModule.AddConsumers(bus);
            ProcedureRecordModule.AddConsumers(bus);
            DischargeModule.AddConsumers(bus);
        });
        var app = builder.Build();
        app.UseGrpcServer();
        return app;
    }
}
