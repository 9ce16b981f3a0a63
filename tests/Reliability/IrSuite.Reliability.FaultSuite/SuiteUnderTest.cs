using IrSuite.Grpc.Client;
using IrSuite.TestSupport;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>
/// The four services as separate processes for one scenario: a fresh database (one schema per service) on the private
/// PostgreSQL and a fresh virtual host on the private RabbitMQ, so every scenario starts with no rows and no queues.
/// </summary>
public sealed class SuiteUnderTest : IAsyncDisposable
{
    public static readonly (string Service, string Program)[] Services =
    [
        ("scheduling", "IrSuite.Scheduling.Host"),
        ("anesthesia-consultation", "IrSuite.AnesthesiaConsultation.Host"),
        ("procedure-record", "IrSuite.ProcedureRecord.Host"),
        ("discharge", "IrSuite.Discharge.Host"),
    ];

    /// <summary>The load driver's token: the care team (the walk acts in every role).</summary>
    private static readonly string CallerToken = TestIdentity.Token();

    private readonly PrivatePostgres _postgres;
    private readonly PrivateRabbitMq _rabbit;
    private readonly Dictionary<string, int> _ports = [];
    private readonly Dictionary<string, GrpcChannel> _channels = [];

    private SuiteUnderTest(PrivatePostgres postgres, PrivateRabbitMq rabbit, string name, TimeSpan observationMinimum)
    {
        _postgres = postgres;
        _rabbit = rabbit;
        Database = "irf_" + name;
        VirtualHost = "irf-" + name;
        ObservationMinimum = observationMinimum;
        foreach (var (service, _) in Services)
        {
            // A service keeps its port across the crashes and restarts of a scenario, so it must not come from the
            // ephemeral range (32768-60999 on Linux): while the process is down, an outgoing connection of another
            // process could take it as its local port and the restart would fail with "address already in use".
            _ports[service] = OsProcess.FreePort(25000, 32000);
        }

        Processes = Services.ToDictionary(s => s.Service, s => new ServiceProcess(s.Service, s.Program, () => Environment(s.Service)));
    }

    public string Database { get; }

    public string VirtualHost { get; }

    public TimeSpan ObservationMinimum { get; }

    public IReadOnlyDictionary<string, ServiceProcess> Processes { get; }

    public string ConnectionString => _postgres.ConnectionString(Database);

    public static string Schema(string service) => service.Replace('-', '_');

    /// <summary>
    /// Creates the database (a copy of <paramref name="template"/> when given: migrating four schemas takes four
    /// process starts, copying a migrated template takes a moment) and the virtual host.
    /// </summary>
    public static async Task<SuiteUnderTest> CreateAsync(PrivatePostgres postgres, PrivateRabbitMq rabbit, string name, TimeSpan observationMinimum, string? template = null)
    {
        var suite = new SuiteUnderTest(postgres, rabbit, name, observationMinimum);
        await postgres.CreateDatabaseAsync(suite.Database, template);
        await rabbit.AddVirtualHostAsync(suite.VirtualHost);
        if (template is null)
        {
            // Sequential: the migrations share one database and each creates its schema.
            foreach (var process in suite.Processes.Values)
            {
                await process.MigrateAsync();
            }
        }

        return suite;
    }

    /// <summary>A migrated database to copy for each scenario; its services are never started.</summary>
    public static async Task<string> CreateTemplateAsync(PrivatePostgres postgres, PrivateRabbitMq rabbit)
    {
        var suite = new SuiteUnderTest(postgres, rabbit, "template", TimeSpan.FromSeconds(2));
        await postgres.CreateDatabaseAsync(suite.Database, null);
        foreach (var process in suite.Processes.Values)
        {
            await process.MigrateAsync();
        }

        return suite.Database;
    }

    /// <summary>Starts the four services together.</summary>
    public Task StartAsync() => Task.WhenAll(Processes.Values.Select(p => p.StartAsync()));

    public GrpcChannel Channel(string service)
    {
        if (!_channels.TryGetValue(service, out var channel))
        {
            channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_ports[service]}", new GrpcChannelOptions
            {
                HttpHandler = LedgerHandler.Create(service),
                CallMetadata = m => m.Add("authorization", "Bearer " + CallerToken),
            });
            _channels[service] = channel;
        }

        return channel;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        foreach (var process in Processes.Values)
        {
            await process.DisposeAsync();
        }

        try
        {
            await _postgres.DropDatabaseAsync(Database);
            await _rabbit.DeleteVirtualHostAsync(VirtualHost);
        }
        catch (Exception ex) when (ex is InvalidOperationException or Npgsql.NpgsqlException)
        {
            // The private servers go away with the run anyway.
        }
    }

    private Dictionary<string, string> Environment(string service)
    {
        var environment = new Dictionary<string, string>
        {
            ["Grpc__Address"] = $"127.0.0.1:{_ports[service]}",
            ["Health__HttpAddress"] = "127.0.0.1:0", // any free port: the default (gRPC port + 100) could be taken
            ["Board__HttpAddress"] = "127.0.0.1:0", // the same for scheduling's board page (gRPC port + 200)
            [$"Databases__{service}__Provider"] = "postgres",
            // IRSUITE_SERVICE_PG_OPTIONS (e.g. "Max Auto Prepare=32") appends Npgsql settings to the services' connection
            // strings only, for side-by-side benchmark runs.
            [$"Databases__{service}__ConnectionString"] = System.Environment.GetEnvironmentVariable("IRSUITE_SERVICE_PG_OPTIONS") is { Length: > 0 } extra
                ? ConnectionString + ";" + extra
                : ConnectionString,
            [$"Databases__{service}__Schema"] = Schema(service),
            ["Bus__Transport"] = "rabbitmq",
            ["Bus__Host"] = "127.0.0.1",
            ["Bus__Port"] = _rabbit.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus__VirtualHost"] = VirtualHost,
            ["Bus__Username"] = _rabbit.User,
            ["Bus__Password"] = _rabbit.Password,
            ["SiteProtocol__Observation__Minimum__Value"] = ObservationMinimum.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            // Real time: the walk books the slot hours ahead, so the 2-day consult lead time is set to 0 here.
            ["SiteProtocol__Anesthesia__ConsultLeadDays__Value"] = "0",
            // The walk books patient n at now + 2 h + n x 90 min: with hundreds of patients the last slots are days
            // ahead, beyond the default 5-day lab validity and the pre-anaesthetic visit window.
            ["SiteProtocol__Bleeding__LabValidityDays__Value"] = "60",
            ["SiteProtocol__Anesthesia__PreAnestheticVisitWithinHours__Value"] = "2000",
            ["Discharge__SweepInterval"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (peer, _) in Services)
        {
            environment[$"Services__{peer}__Address"] = $"http://127.0.0.1:{_ports[peer]}";
        }

        foreach (var (key, value) in TestIdentity.Environment)
        {
            environment[key] = value;
        }

        // The load driver is many callers; per-caller limits would measure the limiter, not the suite.
        environment["Limits__PerCallerConcurrency"] = "100000";
        environment["Limits__PerCallerRequestsPerSecond"] = "1000000";
        environment["Limits__PerCallerBurst"] = "1000000";
        return environment;
    }
}
