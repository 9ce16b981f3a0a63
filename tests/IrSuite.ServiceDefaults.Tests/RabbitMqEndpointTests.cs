using System.Collections.Concurrent;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace IrSuite.ServiceDefaults.Tests;

public sealed record Probe(Guid Id, bool Poison);

/// <summary>A message type no endpoint consumes.</summary>
public sealed record Stray(Guid Id);

/// <summary>A message type nobody is bound to (the relay's Mandatory publish comes back).</summary>
public sealed record Unbound(Guid Id);

public sealed class ProbeConsumer(ConcurrentDictionary<Guid, int> attempts) : IConsumer<Probe>
{
    public Task Consume(ConsumeContext<Probe> context)
    {
        attempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        return context.Message.Poison ? throw new InvalidOperationException("poison: a rule refuses this message") : Task.CompletedTask;
    }
}

public sealed class ProbeConsumerDefinition : IrSuiteConsumerDefinition<ProbeConsumer>;

/// <summary>
/// The endpoint policy on the real RabbitMQ: names unique to this run (endpoint prefix), and everything the test
/// created is deleted afterwards. The shared broker itself is never touched.
/// </summary>
public sealed class RabbitMqEndpointTests : IAsyncLifetime
{
    private readonly string _prefix = "irsuite-test-" + Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentDictionary<Guid, int> _attempts = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("irsuite-mq-").FullName;
    private IHost _host = null!;
    private IConnection _rabbit = null!;
    private string _queue = "";

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Bus:Transport"] = "rabbitmq",
            ["Bus:Username"] = RealServers.RabbitUser,
            ["Bus:Password"] = RealServers.RabbitPassword,
            ["Bus:EndpointPrefix"] = _prefix,
        });
        builder.Services.AddSingleton(_attempts);
        builder.Services.AddIrSuiteBus(builder.Configuration, bus => bus.AddConsumer<ProbeConsumer, ProbeConsumerDefinition>());
        _host = builder.Build();
        _queue = new KebabCaseEndpointNameFormatter(_prefix, includeNamespace: true).Consumer<ProbeConsumer>();
        _rabbit = await RealServers.RabbitAsync();
        await _host.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        var names = new[] { _queue, _queue + "_error", _queue + "_skipped" };
        var messageExchanges = new[] { typeof(Probe), typeof(Stray), typeof(Unbound) }.Select(t => t.Namespace + ":" + t.Name)
            .Append($"MassTransit:Fault--{typeof(Probe).Namespace}:{nameof(Probe)}--");
        await RealServers.DeleteAsync(_rabbit, names, names.Concat(messageExchanges));
        await _rabbit.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Endpoint_PoisonMessage_LandsInErrorQueueOnce_WhileHealthyMessagesAreConsumed()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        var poison = Guid.NewGuid();
        var healthy = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        await bus.Publish(new Probe(poison, Poison: true));
        foreach (var id in healthy)
        {
            await bus.Publish(new Probe(id, Poison: false));
        }

        await Poll.UntilAsync(() => Task.FromResult(healthy.All(_attempts.ContainsKey)), TimeSpan.FromSeconds(30), "healthy messages consumed");
        await Poll.UntilAsync(async () => await RealServers.QueueDepthAsync(_rabbit, _queue + "_error") == 1, TimeSpan.FromSeconds(30), "poison message in _error");
        Assert.Equal(1, _attempts[poison]); // a rule failure is not retried
        Assert.All(healthy, id => Assert.Equal(1, _attempts[id]));
        Assert.Equal(0u, await RealServers.QueueDepthAsync(_rabbit, _queue));
    }

    [Fact]
    public async Task Endpoint_MessageTypeWithoutConsumer_LandsInSkippedQueue()
    {
        var bus = _host.Services.GetRequiredService<IBus>();
        var endpoint = await bus.GetSendEndpoint(new Uri($"exchange:{_queue}"));
        // The endpoint's exchange, not queue:name (which would declare the quorum queue again as a classic one and fail).
        await endpoint.Send(new Stray(Guid.NewGuid()));
        await Poll.UntilAsync(async () => await RealServers.QueueDepthAsync(_rabbit, _queue + "_skipped") == 1, TimeSpan.FromSeconds(30), "stray message in _skipped");
        Assert.Equal(0u, await RealServers.QueueDepthAsync(_rabbit, _queue + "_error"));
    }

    [Fact]
    public async Task Relay_CriticalEventNobodyIsBoundTo_ComesBackAndStaysPending_NonCriticalIsDropped()
    {
        var time = new SteppedClock(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
        await using var database = new TestDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_directory, "relay.db") });
        await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(database);
        var outbox = new OutboxWriter(time);
        var id = await database.InTransactionAsync((c, t) => outbox.AddAsync(c, t, new Unbound(Guid.NewGuid()), Guid.NewGuid()));
        var bus = _host.Services.GetRequiredService<IBus>();

        using (var relay = new OutboxRelay<TestDatabase>(database, bus, time, NullLogger<OutboxRelay<TestDatabase>>.Instance))
        {
            Assert.Equal(0, await relay.DispatchOnceAsync(CancellationToken.None));
        }

        await using (var connection = await database.OpenAsync())
        {
            var row = await connection.QuerySingleAsync<(long? DispatchedAt, string Error)>(
                "SELECT dispatched_at_ms, last_error FROM outbox_message WHERE message_id = @id", new { id = id.ToString() });
            Assert.Null(row.DispatchedAt);
            Assert.Equal(nameof(MessageReturnedException), row.Error);
        }

        // The same row published as non-critical: the exchange accepts and drops it, and the row is marked sent.
        time.Advance(TimeSpan.FromMinutes(1));
        using (var relay = new OutboxRelay<TestDatabase>(database, bus, time, NullLogger<OutboxRelay<TestDatabase>>.Instance) { IsCritical = _ => false })
        {
            Assert.Equal(1, await relay.DispatchOnceAsync(CancellationToken.None));
        }
    }
}
