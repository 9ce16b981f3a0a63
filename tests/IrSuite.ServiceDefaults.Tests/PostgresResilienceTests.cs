using System.Collections.Concurrent;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IrSuite.ServiceDefaults.Tests;

/// <summary>The outbox relay and the database pipeline on the real PostgreSQL (a database of the test's own).</summary>
public sealed class PostgresResilienceTests : IAsyncLifetime
{
    private readonly SteppedClock _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private string _name = "";
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _name = await RealServers.CreateDatabaseAsync("irsuite_sd");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(new ConcurrentQueue<Guid>());
        services.AddMassTransitTestHarness(_ => { });
        _services = services.BuildServiceProvider();
        await using var database = new TestDatabase(RealServers.PostgresOptions(_name));
        await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(database);
        await _services.GetRequiredService<ITestHarness>().Start();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await RealServers.DropDatabaseAsync(_name);
    }

    [Fact]
    public async Task PoolSize_CappedByDefault_AndTheConnectionStringsOwnSettingWins()
    {
        await using var capped = new TestDatabase(RealServers.PostgresOptions(_name));
        var explicitOptions = RealServers.PostgresOptions(_name);
        explicitOptions.ConnectionString += ";Maximum Pool Size=7";
        await using var chosen = new TestDatabase(explicitOptions);

        await using var first = await capped.OpenAsync();
        await using var second = await chosen.OpenAsync();

        Assert.Equal(20, new NpgsqlConnectionStringBuilder(first.ConnectionString).MaxPoolSize);
        Assert.Equal(7, new NpgsqlConnectionStringBuilder(second.ConnectionString).MaxPoolSize);
    }

    [Fact]
    public async Task TwoRelays_OnPostgres_PublishEveryRowOnceInAggregateOrder()
    {
        await using var first = new TestDatabase(RealServers.PostgresOptions(_name));
        await using var second = new TestDatabase(RealServers.PostgresOptions(_name));
        var outbox = new OutboxWriter(_time);
        var aggregates = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        const int Rows = 300;
        for (var i = 0; i < Rows; i += 50)
        {
            var start = i;
            await first.InTransactionAsync(async (c, t) =>
            {
                for (var n = start; n < start + 50; n++)
                {
                    await outbox.AddAsync(c, t, new NoteWritten(Guid.NewGuid(), _time.GetUtcNow()), aggregates[n % aggregates.Length]);
                }

                return 0;
            });
        }

        var bus = _services.GetRequiredService<IBus>();
        var published = new ConcurrentQueue<(Guid MessageId, string Relay)>();
        using var observer = bus.ConnectPublishObserver(new Recorder(published));
        using var relayA = new OutboxRelay<TestDatabase>(first, bus, _time, NullLogger<OutboxRelay<TestDatabase>>.Instance) { BatchSize = 7 };
        using var relayB = new OutboxRelay<TestDatabase>(second, bus, _time, NullLogger<OutboxRelay<TestDatabase>>.Instance) { BatchSize = 7 };

        async Task<int> RunAsync(OutboxRelay<TestDatabase> relay)
        {
            var total = 0;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && await PendingAsync(first) > 0)
            {
                total += await relay.DispatchOnceAsync(CancellationToken.None);
            }

            return total;
        }

        var counts = await Task.WhenAll(Task.Run(() => RunAsync(relayA)), Task.Run(() => RunAsync(relayB)));
        Assert.Equal(0, await PendingAsync(first));
        Assert.Equal(Rows, counts.Sum());
        Assert.Equal(Rows, published.Count);
        Assert.Equal(Rows, published.Select(p => p.MessageId).Distinct().Count());

        // Per aggregate, the publish order is the outbox order.
        await using var connection = await first.OpenAsync();
        var rows = (await connection.QueryAsync<(string MessageId, string AggregateId)>("SELECT message_id, aggregate_id FROM outbox_message ORDER BY seq")).ToList();
        var position = published.Select((p, i) => (p.MessageId, i)).ToDictionary(x => x.MessageId.ToString(), x => x.i);
        foreach (var group in rows.GroupBy(r => r.AggregateId))
        {
            var order = group.Select(r => position[r.MessageId]).ToList();
            Assert.Equal(order.Order(), order);
        }
    }

    [Fact]
    public async Task InTransaction_OwnBackendsTerminated_NextCallSucceeds()
    {
        await using var database = new TestDatabase(RealServers.PostgresOptions(_name));
        // Fill the pool with a few idle connections, then have the server terminate every backend of this database.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => database.InTransactionAsync((c, t) =>
            c.ExecuteAsync("INSERT INTO note (note_id, text, created_at) VALUES (@id, 'x', @at)", new { id = "before" + i, at = _time.GetUtcNow() }, t))));
        await using (var admin = new NpgsqlConnection(RealServers.Postgres + ";Database=postgres"))
        {
            await admin.OpenAsync();
            var terminated = await admin.ExecuteScalarAsync<int>(
                "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()) t", new { name = _name });
            Assert.True(terminated >= 1, "no backend of the test database to terminate");
        }

        await database.InTransactionAsync((c, t) =>
            c.ExecuteAsync("INSERT INTO note (note_id, text, created_at) VALUES ('after', 'x', @at)", new { at = _time.GetUtcNow() }, t));
        await using var connection = await database.OpenAsync();
        Assert.Equal(5, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM note"));
    }

    private static async Task<int> PendingAsync(TestDatabase database)
    {
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_message WHERE dispatched_at_ms IS NULL");
    }

    private sealed class Recorder(ConcurrentQueue<(Guid, string)> published) : IPublishObserver
    {
        public Task PrePublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class
        {
            if (context.Message is NoteWritten)
            {
                published.Enqueue((context.MessageId!.Value, ""));
            }

            return Task.CompletedTask;
        }

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}
