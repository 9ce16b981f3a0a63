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

    /// <summary>Settings of the embedded default that any configuration source overrides.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Defaults = new Dictionary<string, string?>
    {
        ["Auth:Development:Enabled"] = "true",
    };

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // The embedded default trusts its development identity (decision 0011) unless configuration says otherwise.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Defaults });
        configure?.Invoke(builder);
        var address = builder.Configuration["Grpc:Address"] ?? $"127.0.0.1:{DefaultPort}";
        // With Grpc:Tls the port speaks TLS only, so the calls to itself must too (Services:Tls:CaFile, decision 0012).
        var scheme = string.IsNullOrEmpty(builder.Configuration["Grpc:Tls:CertificateFile"]) ? "http" : "https";
        // In the embedded suite every peer service is this process: these addresses override any other source
        // (a stray appsettings.json of a per-service host must not send calls to its distributed port).
        builder.Configuration.Sources.Add(new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?>
            {
                [$"Services:{AnesthesiaConsultationModule.ServiceName}:Address"] = $"{scheme}://{address}",
                [$"Services:{ProcedureRecordModule.ServiceName}:Address"] = $"{scheme}://{address}",
                [$"Services:{SchedulingModule.ServiceName}:Address"] = $"{scheme}://{address}",
                [$"Services:{DischargeModule.ServiceName}:Address"] = $"{scheme}://{address}",
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
