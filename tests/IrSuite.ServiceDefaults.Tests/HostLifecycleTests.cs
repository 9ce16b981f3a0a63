using System.Collections.Concurrent;
using System.Net.Sockets;
using Dapper;
using Grpc.Health.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Server;
using IrSuite.Protocol.V1;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.TestSupport;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IrSuite.ServiceDefaults.Tests;

/// <summary>Holds GetSiteProtocol calls until released; each call then commits a note and its event (as a mutating RPC would).</summary>
public sealed class CallGate
{
    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Guid NoteId { get; } = Guid.NewGuid();

    public TaskCompletionSource<Guid> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed class GateInterceptor(CallGate gate, TestDatabase database, OutboxWriter outbox, TimeProvider time) : IServerInterceptor
{
    public async Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
    {
        if (context.Method.Name == "GetSiteProtocol")
        {
            gate.Entered.TrySetResult();
            await gate.Release.Task;
            var id = await database.InTransactionAsync(async (c, t) =>
            {
                await c.ExecuteAsync("INSERT INTO note (note_id, text, created_at) VALUES (@id, 'in flight', @at)", new { id = gate.NoteId.ToString(), at = time.GetUtcNow() }, t);
                return await outbox.AddAsync(c, t, new NoteWritten(gate.NoteId, time.GetUtcNow()), gate.NoteId);
            });
            gate.Committed.TrySetResult(id);
        }

        await next(context);
    }
}

/// <summary>A whole IrSuite host (gRPC, health, a service database, the bus) started and stopped in the test.</summary>
public sealed class HostLifecycleTests : IAsyncLifetime
{
    private static readonly Method<GetSiteProtocolRequest, SiteProtocolInfo> GetProtocol =
        Method<GetSiteProtocolRequest, SiteProtocolInfo>.Create(ProtocolReflection.Descriptor.Services[0], "GetSiteProtocol");

    private static readonly Method<HealthCheckRequest, HealthCheckResponse> Check =
        Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Check");

    private readonly string _directory = Directory.CreateTempSubdirectory("irsuite-host-").FullName;
    private readonly ErrorLogCollector _logs = new();
    private readonly List<string> _cleanupQueues = [];
    private string _database = "";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_cleanupQueues.Count > 0)
        {
            await using var rabbit = await RealServers.RabbitAsync();
            var names = _cleanupQueues.SelectMany(q => new[] { q, q + "_error", q + "_skipped" }).ToList();
            await RealServers.DeleteAsync(rabbit, names, names.Append($"{typeof(NoteWritten).Namespace}:{nameof(NoteWritten)}"));
        }

        if (_database.Length > 0)
        {
            await RealServers.DropDatabaseAsync(_database);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Host_StopDuringInFlightCall_CallCompletesAndItsEventIsPublishedBeforeTheBusStops()
    {
        var gate = new CallGate();
        var app = Build(new Dictionary<string, string?>
        {
            ["Databases:test-service:ConnectionString"] = Path.Combine(_directory, "host.db"),
        }, services => services.AddSingleton(gate), grpc => grpc.AddInterceptor<GateInterceptor>());
        await using var _ = app;
        await app.MigrateAsync(typeof(TestDatabase));
        var published = new NoteWrittenPublishes();
        await app.StartAsync();
        using var observer = app.Services.GetRequiredService<IBus>().ConnectPublishObserver(published);
        var address = Address(app);
        using var channel = TestIdentity.Channel(address);
        var call = channel.UnaryAsync(GetProtocol, new GetSiteProtocolRequest());
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = app.StopAsync();
        // Release the call only once the server has stopped accepting connections: from then on, only the
        // shutdown flush (after the server, before the bus) can publish what the call commits.
        var port = new Uri(address).Port;
        await Poll.UntilAsync(async () => !await AcceptsAsync(port), TimeSpan.FromSeconds(30), "server stops accepting");
        gate.Release.SetResult();

        var response = await call.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(string.IsNullOrEmpty(response.AppliedVersion));
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));
        var messageId = await gate.Committed.Task;
        Assert.Contains(messageId, published.Ids);
        await using (var connection = await app.Services.GetRequiredService<TestDatabase>().OpenAsync())
        {
            Assert.NotNull(await connection.ExecuteScalarAsync<long?>("SELECT dispatched_at_ms FROM outbox_message WHERE message_id = @id", new { id = messageId.ToString() }));
        }

        Assert.Empty(_logs.Errors);
    }

    [Fact]
    public async Task Readiness_DatabaseOrBrokerUnreachable_NotServingUntilBack_LivenessUnaffected()
    {
        _database = await RealServers.CreateDatabaseAsync("irsuite_ready");
        await using var postgres = new LoopbackProxy(RealServers.PostgresPort);
        await using var rabbit = new LoopbackProxy(RealServers.RabbitPort);
        var prefix = "irsuite-ready-" + Guid.NewGuid().ToString("N")[..8];
        _cleanupQueues.Add(new KebabCaseEndpointNameFormatter(prefix, includeNamespace: true).Consumer<NoteConsumer>());
        var server = new Npgsql.NpgsqlConnectionStringBuilder(RealServers.Postgres) { Port = postgres.Port, Timeout = 3 }.ConnectionString;
        var app = Build(new Dictionary<string, string?>
        {
            ["Databases:test-service:Provider"] = "postgres",
            ["Databases:test-service:ConnectionString"] = server + $";Database={_database}",
            ["Bus:Transport"] = "rabbitmq",
            ["Bus:Port"] = rabbit.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus:Username"] = RealServers.RabbitUser,
            ["Bus:Password"] = RealServers.RabbitPassword,
            ["Bus:EndpointPrefix"] = prefix,
        });
        await using var _ = app;
        await app.MigrateAsync(typeof(TestDatabase));
        await app.StartAsync();
        using var channel = TestIdentity.Channel(Address(app));

        async Task<bool> IsAsync(string service, ServingStatus status) =>
            (await channel.UnaryAsync(Check, new HealthCheckRequest { Service = service })).Status == status;

        var bound = TimeSpan.FromSeconds(60);
        await Poll.UntilAsync(() => IsAsync(IrSuiteHosting.ReadinessService, ServingStatus.Serving), bound, "ready at start");

        postgres.Break();
        await Poll.UntilAsync(() => IsAsync(IrSuiteHosting.ReadinessService, ServingStatus.NotServing), bound, "not ready without the database");
        Assert.True(await IsAsync("", ServingStatus.NotServing));
        Assert.True(await IsAsync(IrSuiteHosting.LivenessService, ServingStatus.Serving));
        postgres.Restore();
        await Poll.UntilAsync(() => IsAsync(IrSuiteHosting.ReadinessService, ServingStatus.Serving), bound, "ready when the database is back");

        rabbit.Break();
        await Poll.UntilAsync(() => IsAsync(IrSuiteHosting.ReadinessService, ServingStatus.NotServing), bound, "not ready without the broker");
        Assert.True(await IsAsync(IrSuiteHosting.LivenessService, ServingStatus.Serving));
        rabbit.Restore();
        await Poll.UntilAsync(() => IsAsync(IrSuiteHosting.ReadinessService, ServingStatus.Serving), bound, "ready when the broker is back");
        await app.StopAsync();
    }

    private WebApplication Build(Dictionary<string, string?> settings, Action<IServiceCollection>? services = null, Action<GrpcServerBuilder>? grpc = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        settings["Grpc:Address"] = "127.0.0.1:0";
        builder.Configuration.AddInMemoryCollection(TestIdentity.HostSettings);
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(_logs);
        builder.Services.AddSingleton(new ConcurrentQueue<Guid>());
        services?.Invoke(builder.Services);
        var server = builder.AddIrSuiteHost(0);
        grpc?.Invoke(server);
        builder.Services.AddServiceDatabase(builder.Configuration, "test-service", o => new TestDatabase(o));
        builder.Services.AddIrSuiteBus(builder.Configuration, bus => bus.AddConsumer<NoteConsumer>());
        var app = builder.Build();
        app.UseGrpcServer();
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
