using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.ServiceDefaults.Tests;

public sealed record NoteWritten(Guid NoteId, DateTimeOffset OccurredAt);

public sealed class TestDatabase(DatabaseOptions options) : ServiceDatabase(options, "test-service");

/// <summary>Records what it applied; the inbox must make redeliveries no-ops.</summary>
public sealed class NoteConsumer(TestDatabase database, TimeProvider time, ConcurrentQueue<Guid> applied) : IdempotentConsumer<NoteWritten, TestDatabase>(database, time)
{
    protected override Task HandleAsync(NoteWritten message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        applied.Enqueue(message.NoteId);
        return Task.CompletedTask;
    }
}

public sealed class ReminderHandler(OutboxWriter outbox) : IDueTimerHandler<TestDatabase>
{
    public string Kind => "reminder";

    public Task FireAsync(DueTimer timer, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        outbox.AddAsync(connection, transaction, new NoteWritten(Guid.Parse(timer.AggregateId), timer.DueAt));
}

public sealed class BuildingBlockTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("irsuite-sd-").FullName;
    private readonly ManualClock _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<Guid> _applied = new();
    private ServiceProvider _services = null!;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(_applied);
        services.AddSingleton(new TestDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_directory, "test.db") }));
        services.AddSingleton<OutboxWriter>();
        services.AddSingleton<OutboxRelay<TestDatabase>>();
        services.AddSingleton<IDueTimerHandler<TestDatabase>, ReminderHandler>();
        services.AddSingleton<DueTimeSweeper<TestDatabase>>();
        services.AddMassTransitTestHarness(x => x.AddConsumer<NoteConsumer>());
        _services = services.BuildServiceProvider();
        _database = _services.GetRequiredService<TestDatabase>();
        await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(_database);
        await _services.GetRequiredService<MassTransit.Testing.ITestHarness>().Start();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Migrations_AreAppliedOnce()
    {
        Assert.Equal(0, await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(_database));
        Assert.True(await Migrator.IsUpToDateAsync(_database));
    }

    [Fact]
    public async Task Outbox_RolledBackTransaction_LeavesNoEvent()
    {
        var outbox = _services.GetRequiredService<OutboxWriter>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => _database.InTransactionAsync<int>(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO note (note_id, text, created_at) VALUES ('n1', 'x', @at)", new { at = _time.GetUtcNow() }, t);
            await outbox.AddAsync(c, t, new NoteWritten(Guid.NewGuid(), _time.GetUtcNow()));
            throw new InvalidOperationException("boom");
        }));
        await using var connection = await _database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_message"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM note"));
    }

    [Fact]
    public async Task Outbox_CommittedEvent_IsPublishedOnceAndConsumedOnce()
    {
        var outbox = _services.GetRequiredService<OutboxWriter>();
        var noteId = Guid.NewGuid();
        await _database.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync("INSERT INTO note (note_id, text, created_at) VALUES (@id, 'x', @at)", new { id = noteId.ToString(), at = _time.GetUtcNow() }, t);
            return await outbox.AddAsync(c, t, new NoteWritten(noteId, _time.GetUtcNow()));
        });
        var harness = _services.GetRequiredService<MassTransit.Testing.ITestHarness>();
        var consumed = new ConsumeCounter();
        using var observer = harness.Bus.ConnectConsumeObserver(consumed);
        var relay = _services.GetRequiredService<OutboxRelay<TestDatabase>>();
        Assert.Equal(1, await relay.DispatchOnceAsync(CancellationToken.None));
        Assert.Equal(0, await relay.DispatchOnceAsync(CancellationToken.None));
        var first = await consumed.WaitForAsync(1);

        // A redelivery (same message id) is acknowledged but not applied again.
        await harness.Bus.Publish(new NoteWritten(noteId, _time.GetUtcNow()), ctx => ctx.MessageId = first);
        Assert.Equal(first, await consumed.WaitForAsync(2));
        Assert.Equal([noteId], _applied.ToArray());

        await using var connection = await _database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM inbox_message"));
        var note = await connection.QuerySingleAsync<(string Id, DateTimeOffset CreatedAt)>("SELECT note_id, created_at FROM note");
        Assert.Equal(_time.GetUtcNow(), note.CreatedAt);
    }

    [Fact]
    public async Task DueTimer_FiresOnceWhenDue_AndNotBefore()
    {
        var aggregate = Guid.NewGuid();
        await _database.InTransactionAsync(async (c, t) =>
        {
            await DueTimers.ScheduleAsync(c, t, "t1", "reminder", aggregate.ToString(), _time.GetUtcNow().AddHours(2));
            await DueTimers.ScheduleAsync(c, t, "t1", "reminder", aggregate.ToString(), _time.GetUtcNow().AddHours(2));
            return 0;
        });
        var sweeper = _services.GetRequiredService<DueTimeSweeper<TestDatabase>>();
        _time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await sweeper.SweepOnceAsync(CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await sweeper.SweepOnceAsync(CancellationToken.None));
        Assert.Equal(0, await sweeper.SweepOnceAsync(CancellationToken.None));

        // A new sweeper (a restarted process) does not fire it again.
        var restarted = new DueTimeSweeper<TestDatabase>(_database, _services, _time, NullLogger<DueTimeSweeper<TestDatabase>>.Instance);
        Assert.Equal(0, await restarted.SweepOnceAsync(CancellationToken.None));
        await using var connection = await _database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_message"));
    }

    /// <summary>Signals each completed consume of a NoteWritten, with its message id.</summary>
    private sealed class ConsumeCounter : IConsumeObserver
    {
        private readonly ConcurrentQueue<Guid> _ids = new();
        private readonly SemaphoreSlim _signal = new(0);

        public async Task<Guid> WaitForAsync(int count)
        {
            while (_ids.Count < count)
            {
                Assert.True(await _signal.WaitAsync(TimeSpan.FromSeconds(10)), "message not consumed");
            }

            return _ids.ElementAt(count - 1);
        }

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class
        {
            if (context.Message is NoteWritten)
            {
                _ids.Enqueue(context.MessageId!.Value);
                _signal.Release();
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
