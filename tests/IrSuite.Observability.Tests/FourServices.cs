using IrSuite.AnesthesiaConsultation;
using IrSuite.Discharge;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.ProcedureRecord;
using IrSuite.Scheduling;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.TestSupport;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;

namespace IrSuite.Observability.Tests;

/// <summary>
/// The four services as four web applications in this process (so one ActivityListener sees every span), each with its
/// own configuration, port, PostgreSQL database and RabbitMQ endpoints (prefixed for this run): distributed mode in
/// all but the process boundary. Needs deploy/run-tests.sh's IRSUITE_TEST_POSTGRES and IRSUITE_TEST_RABBITMQ_*.
/// </summary>
public sealed class FourServices : IAsyncDisposable
{
    public static readonly string[] Names = [SchedulingModule.ServiceName, AnesthesiaConsultationModule.ServiceName, ProcedureRecordModule.ServiceName, DischargeModule.ServiceName];

    private readonly List<WebApplication> _apps = [];
    private readonly Dictionary<string, int> _ports = [];
    private readonly List<string> _databases = [];
    private string _postgres = "";
    private string _prefix = "";

    public GrpcChannel Channel(string service) => TestIdentity.Channel($"http://127.0.0.1:{_ports[service]}");

    /// <summary>The database name of each service (Npgsql spans carry it as db.namespace).</summary>
    public Dictionary<string, string> Databases { get; } = [];

    public static async Task<FourServices> StartAsync()
    {
        var suite = new FourServices();
        try
        {
            await suite.StartCoreAsync();
            return suite;
        }
        catch
        {
            await suite.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync()
    {
        _postgres = TestPostgres.Server;
        var run = Guid.NewGuid().ToString("N")[..10];
        _prefix = $"obs-{run}-";
        foreach (var service in Names)
        {
            var database = await TestPostgres.CreateDatabaseAsync($"irsuite_obs_{service.Replace('-', '_')}");
            _databases.Add(database);
            Databases[service] = database;
        }

        foreach (var service in Names)
        {
            _ports[service] = PeerProcess.FreePort();
        }

        foreach (var service in Names)
        {
            var app = Build(service, Settings(service, run));
            _apps.Add(app);
            await app.MigrateAsync(Database(service));
            await app.StartAsync();
        }
    }

    private static Type Database(string service) => service switch
    {
        SchedulingModule.ServiceName => SchedulingModule.Database,
        AnesthesiaConsultationModule.ServiceName => AnesthesiaConsultationModule.Database,
        ProcedureRecordModule.ServiceName => ProcedureRecordModule.Database,
        _ => DischargeModule.Database,
    };

    private static WebApplication Build(string service, Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(TestIdentity.HostSettings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var configuration = builder.Configuration;
        Action<IBusRegistrationConfigurator> consumers;
        switch (service)
        {
            case SchedulingModule.ServiceName:
                builder.AddIrSuiteHost(SchedulingModule.DefaultPort, service).AddScheduling(configuration);
                consumers = SchedulingModule.AddConsumers;
                break;
            case AnesthesiaConsultationModule.ServiceName:
                builder.AddIrSuiteHost(AnesthesiaConsultationModule.DefaultPort, service).AddAnesthesiaConsultation(configuration);
                consumers = AnesthesiaConsultationModule.AddConsumers;
                break;
            case ProcedureRecordModule.ServiceName:
                builder.AddIrSuiteHost(ProcedureRecordModule.DefaultPort, service).AddProcedureRecord(configuration);
                consumers = ProcedureRecordModule.AddConsumers;
                break;
            default:
                builder.AddIrSuiteHost(DischargeModule.DefaultPort, service).AddDischarge(configuration);
                consumers = DischargeModule.AddConsumers;
                break;
        }

        builder.Services.AddIrSuiteBus(configuration, consumers);
        var app = builder.Build();
        app.UseGrpcServer();
        return app;
    }

    private Dictionary<string, string?> Settings(string service, string run)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Grpc:Address"] = $"127.0.0.1:{_ports[service]}",
            ["Health:HttpAddress"] = "127.0.0.1:0",
            ["Board:HttpAddress"] = "127.0.0.1:0",
            [$"Databases:{service}:Provider"] = "postgres",
            [$"Databases:{service}:ConnectionString"] = _postgres + $";Database={Databases[service]}",
            [$"Databases:{service}:Schema"] = service.Replace('-', '_'),
            ["Bus:Transport"] = "rabbitmq",
            ["Bus:Username"] = Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_USER") ?? "irsuite",
            ["Bus:Password"] = Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_PASSWORD") ?? "",
            ["Bus:EndpointPrefix"] = _prefix,
            ["SiteProtocol:Observation:Minimum:Value"] = "00:00:02",
            ["SiteProtocol:Anesthesia:ConsultLeadDays:Value"] = "0",
            ["Discharge:SweepInterval"] = "00:00:00.200",
        };
        foreach (var peer in Names)
        {
            settings[$"Services:{peer}:Address"] = $"http://127.0.0.1:{_ports[peer]}";
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in Enumerable.Reverse(_apps))
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        if (_prefix.Length > 0)
        {
            await DeleteEndpointsAsync(_prefix);
        }

        if (_databases.Count > 0)
        {
            await TestPostgres.DropDatabasesAsync(_databases);
        }
    }

    /// <summary>
    /// Deletes this run's queues and their exchanges (same names in MassTransit's topology), so the shared broker is
    /// left as found (the end-to-end test counts the queues of each event).
    /// </summary>
    private static async Task DeleteEndpointsAsync(string prefix)
    {
        var info = new System.Diagnostics.ProcessStartInfo("rabbitmqctl", "-q list_queues name") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var names = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        await using var connection = await new RabbitMQ.Client.ConnectionFactory
        {
            HostName = "127.0.0.1",
            UserName = Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_USER") ?? "irsuite",
            Password = Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_PASSWORD") ?? "",
        }.CreateConnectionAsync();
        foreach (var name in names)
        {
            // One channel each: deleting a missing exchange closes its channel.
            await using (var channel = await connection.CreateChannelAsync())
            {
                await channel.QueueDeleteAsync(name);
            }

            try
            {
                await using var channel = await connection.CreateChannelAsync();
                await channel.ExchangeDeleteAsync(name);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // No exchange of that name.
            }
        }
    }
}
