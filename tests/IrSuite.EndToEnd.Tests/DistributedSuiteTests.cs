using System.Diagnostics;
using IrSuite.Grpc.Client;
using IrSuite.Scheduling.V1;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Npgsql;

namespace IrSuite.EndToEnd.Tests;

/// <summary>
/// The four services as separate processes on real PostgreSQL (one schema each, in a database created for this
/// run) and real RabbitMQ (quorum queues), moving one patient through the pathway with gRPC calls only.
/// deploy/run-tests.sh starts both servers and exports IRSUITE_TEST_POSTGRES and IRSUITE_TEST_RABBITMQ_*.
/// </summary>
public sealed class DistributedSuiteTests : IAsyncLifetime
{
    private static readonly (string Service, string Program)[] Services =
    [
        ("scheduling", "IrSuite.Scheduling.Host"),
        ("anesthesia-consultation", "IrSuite.AnesthesiaConsultation.Host"),
        ("procedure-record", "IrSuite.ProcedureRecord.Host"),
        ("discharge", "IrSuite.Discharge.Host"),
    ];

    private readonly List<PeerProcess> _processes = [];
    private readonly Dictionary<string, int> _ports = [];
    private string _database = "";
    private string _postgres = "";

    public async Task InitializeAsync()
    {
        _postgres = TestPostgres.Server;
        _ = System.Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_PASSWORD")
            ?? throw new InvalidOperationException("IRSUITE_TEST_RABBITMQ_PASSWORD is not set: run the tests with deploy/run-tests.sh.");
        _database = await TestPostgres.CreateDatabaseAsync("irsuite_e2e");

        foreach (var (service, _) in Services)
        {
            _ports[service] = PeerProcess.FreePort();
        }

        // The migration command first (as a deployment's migration job would), then the services.
        foreach (var (service, program) in Services)
        {
            var (exitCode, output) = await PeerProcess.RunAsync(PeerProcess.DotNet, TimeSpan.FromSeconds(60), [PeerProcess.OwnProgram(program), "migrate"], ServiceEnvironment(service));
            Assert.True(exitCode == 0, $"{program} migrate failed:\n{output}");
        }

        foreach (var (service, program) in Services)
        {
            _processes.Add(await PeerProcess.StartServerAsync(PeerProcess.DotNet, [PeerProcess.OwnProgram(program)], ServiceEnvironment(service), readyLine: "Application started"));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        if (_database.Length > 0)
        {
            await TestPostgres.DropDatabasesAsync(_database);
        }
    }

    [Fact]
    public async Task Pathway_FourProcessesOnPostgresAndRabbitMq_ReferralToDischargeAndFollowUp()
    {
        using var scheduling = Channel("scheduling");
        using var anesthesia = Channel("anesthesia-consultation");
        using var procedure = Channel("procedure-record");
        using var discharge = Channel("discharge");
        var walker = new PathwayWalker(new PathwayEndpoints(scheduling, anesthesia, procedure, discharge), TimeProvider.System)
        {
            EventTimeout = TimeSpan.FromSeconds(60),
        };

        var result = await walker.WalkAsync(1, ["L1", "L2"]);

        Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
        // Read by discharge from procedure-record over gRPC.
        Assert.Equal(["L1", "L2"], result.Discharge.Procedure.Levels.Order(StringComparer.Ordinal));
        Assert.True(result.Discharge.Observation.ToTimeSpan() >= TimeSpan.FromSeconds(3));
        // Every service's events crossed RabbitMQ into scheduling's timeline.
        var sources = result.Pathway.Timeline.Select(e => e.Source).Distinct().ToList();
        Assert.Equal(["anesthesia-consultation", "discharge", "procedure-record", "scheduling"], sources.Order(StringComparer.Ordinal).ToArray());
        var events = result.Pathway.Timeline.Select(e => e.Event).ToList();
        Assert.Contains("ObservationMinimumElapsed", events);
        Assert.Contains("FollowUpBooked", events);

        // Each consuming service has its own quorum queue (scheduling and discharge both consume ProcedureCompleted).
        var queues = await RabbitQueuesAsync();
        var completed = queues.Where(q => q.Name.EndsWith("procedure-completed", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, completed.Count);
        Assert.All(completed, q => Assert.Equal("quorum", q.Type));
        Assert.Contains(queues, q => q.Name.EndsWith("procedure-scheduled", StringComparison.Ordinal) && q.Type == "quorum");

        // Each service wrote only its own schema.
        await using var connection = new NpgsqlConnection(_postgres + $";Database={_database}");
        await connection.OpenAsync();
        await using var schemas = new NpgsqlCommand("SELECT count(*) FROM information_schema.schemata WHERE schema_name IN ('scheduling','anesthesia_consultation','procedure_record','discharge')", connection);
        Assert.Equal(4L, await schemas.ExecuteScalarAsync());
    }

    private GrpcChannel Channel(string service) => TestIdentity.Channel($"http://127.0.0.1:{_ports[service]}");

    private Dictionary<string, string> ServiceEnvironment(string service)
    {
        var schema = service.Replace('-', '_');
        var environment = new Dictionary<string, string>
        {
            ["Grpc__Address"] = $"127.0.0.1:{_ports[service]}",
            ["Health__HttpAddress"] = "127.0.0.1:0",
            ["Board__HttpAddress"] = "127.0.0.1:0",
            [$"Databases__{service}__Provider"] = "postgres",
            [$"Databases__{service}__ConnectionString"] = _postgres + $";Database={_database}",
            [$"Databases__{service}__Schema"] = schema,
            ["Bus__Transport"] = "rabbitmq",
            ["Bus__Username"] = System.Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_USER") ?? "irsuite",
            ["Bus__Password"] = System.Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_PASSWORD") ?? "",
            ["SiteProtocol__Observation__Minimum__Value"] = "00:00:03",
            // Real time: the walk books the slot hours ahead, so the 2-day consult lead time is set to 0 here.
            ["SiteProtocol__Anesthesia__ConsultLeadDays__Value"] = "0",
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

        return environment;
    }

    private static async Task<List<(string Name, string Type)>> RabbitQueuesAsync()
    {
        var info = new ProcessStartInfo("rabbitmqctl", "-q list_queues name type") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t', StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .Select(p => (p[0], p[1]))
            .ToList();
    }
}
