using System.Collections.Concurrent;
using System.Diagnostics;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Polly;

namespace IrSuite.ServiceDefaults.Tests;

/// <summary>A message whose consumer fails the way the test asks.</summary>
public sealed record FlakyWork(Guid Id, string Failure);

/// <summary>Counts attempts per message; throws a transient (timeout) or non-transient (rule) failure when asked.</summary>
public sealed class FlakyConsumer(ConcurrentDictionary<Guid, int> attempts) : IConsumer<FlakyWork>
{
    public Task Consume(ConsumeContext<FlakyWork> context)
    {
        attempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        return context.Message.Failure switch
        {
            "transient" => throw new TimeoutException("database busy"),
            "rule" => throw new InvalidOperationException("a clinical rule refuses this"),
            _ => Task.CompletedTask,
        };
    }
}

public sealed class FlakyConsumerDefinition : IrSuiteConsumerDefinition<FlakyConsumer>;

public sealed class ResilienceTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("irsuite-res-").FullName;
    private readonly SteppedClock _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentDictionary<Guid, int> _attempts = new();
    private ServiceProvider _services = null!;
    private TestDatabase _database = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_time);
        services.AddSingleton(new ConcurrentQueue<Guid>());
        services.AddSingleton(_attempts);
        services.AddSingleton(new TestDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_directory, "test.db") }));
        services.AddSingleton<OutboxWriter>();
        services.AddSingleton<OutboxRelay<TestDatabase>>();
        services.AddMassTransitTestHarness(x =>
        {
            x.AddConsumer<NoteConsumer>();
            x.AddConsumer<FlakyConsumer, FlakyConsumerDefinition>();
        });
        _services = services.BuildServiceProvider();
        _database = _services.GetRequiredService<TestDatabase>();
        await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(_database);
        await _services.GetRequiredService<ITestHarness>().Start();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task InTransaction_TransientFailureBeforeCommit_RunsAgainAndCommitsOnce()
    {
        var attempts = 0;
        var result = await _database.InTransactionAsync(async (c, t) =>
        {
            attempts++;
            await c.ExecuteAsync("INSERT INTO note (note_id, text, created_at) VALUES (@id, 'x', @at)", new { id = "n" + attempts, at = _time.GetUtcNow() }, t);
            if (attempts == 1)
            {
                throw new TimeoutException("connection lost mid-transaction");
            }

            return attempts;
        });
        Assert.Equal(2, result);
        await using var connection = await _database.OpenAsync();
        Assert.Equal(["n2"], (await connection.QueryAsync<string>("SELECT note_id FROM note")).ToArray());
    }

    [Fact]
    public async Task InTransaction_NonTransientFailure_IsNotRetried()
    {
        var attempts = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => _database.InTransactionAsync<int>((_, _) =>
        {
            attempts++;
            throw new InvalidOperationException("a rule refuses this");
        }));
        Assert.Equal(1, attempts);
    }

    [Fact]
    public async Task DatabasePipeline_FailureAfterCommitSent_IsNotRetried()
    {
        var broken = 0;
        var pipeline = DatabaseResilience.Build(_ => broken++, new DatabaseRetryOptions { BaseDelay = TimeSpan.FromMilliseconds(1) });
        var attempts = 0;
        var context = ResilienceContextPool.Shared.Get();
        await Assert.ThrowsAsync<NpgsqlException>(async () => await pipeline.ExecuteAsync<int>(ctx =>
        {
            attempts++;
            ctx.Properties.Set(DatabaseResilience.CommitSent, true);
            throw new NpgsqlException("connection broken during commit", new IOException("reset"));
        }, context));
        ResilienceContextPool.Shared.Return(context);
        Assert.Equal(1, attempts);

        // Before the commit the same failure is retried, and a broken connection clears the pool.
        attempts = 0;
        Assert.Equal(3, await pipeline.ExecuteAsync(_ =>
        {
            attempts++;
            return attempts < 3 ? throw new NpgsqlException("connection broken", new IOException("reset")) : ValueTask.FromResult(attempts);
        }));
        Assert.Equal(2, broken);
    }

    [Theory]
    [InlineData("57P01", true)] // admin shutdown (server restart, pg_terminate_backend)
    [InlineData("08006", true)] // connection failure
    [InlineData("40001", true)] // serialization failure
    [InlineData("23505", false)] // unique violation: the same every time
    [InlineData("22P02", false)] // invalid input
    public void TransientFaults_PostgresSqlState_ClassifiedAsExpected(string sqlState, bool transient)
    {
        var exception = new PostgresException("m", "FATAL", "FATAL", sqlState);
        Assert.Equal(transient, TransientFaults.IsTransient(exception));
        Assert.Equal(transient, TransientFaults.IsTransient(new InvalidOperationException("wrapped", exception)));
    }

    [Fact]
    public void TransientFaults_UnavailablePeer_RetriedByConsumersButNotByTheDatabasePipeline()
    {
        var unavailable = new IrSuite.Grpc.RpcException(new IrSuite.Grpc.Status(IrSuite.Grpc.StatusCode.Unavailable, "peer down"));
        Assert.True(TransientFaults.IsTransient(unavailable));
        Assert.False(TransientFaults.IsTransientDatabase(unavailable));
        Assert.True(TransientFaults.IsTransientDatabase(new NpgsqlException("reset", new IOException("reset"))));
        Assert.False(TransientFaults.IsTransient(new InvalidOperationException("a rule refuses this")));
    }

    [Fact]
    public async Task ConsumerDefinition_TransientFailure_RetriedThenFaulted_RuleFailureFaultedAtOnce()
    {
        var harness = _services.GetRequiredService<ITestHarness>();
        var transient = Guid.NewGuid();
        var rule = Guid.NewGuid();
        var healthy = Guid.NewGuid();
        await harness.Bus.Publish(new FlakyWork(transient, "transient"));
        await harness.Bus.Publish(new FlakyWork(rule, "rule"));
        await harness.Bus.Publish(new FlakyWork(healthy, "none"));
        var consumer = harness.GetConsumerHarness<FlakyConsumer>();
        Assert.True(await consumer.Consumed.Any<FlakyWork>(x => x.Context.Message.Id == healthy && x.Exception is null));
        Assert.True(await harness.Published.Any<Fault<FlakyWork>>(x => x.Context.Message.Message.Id == rule));
        Assert.True(await harness.Published.Any<Fault<FlakyWork>>(x => x.Context.Message.Message.Id == transient));
        Assert.Equal(1, _attempts[rule]);
        Assert.Equal(1 + IrSuiteConsumerDefinition<FlakyConsumer>.RetryLimit, _attempts[transient]);
        Assert.Equal(1, _attempts[healthy]);
    }

    [Fact]
    public async Task Relay_FailedRow_LaterRowOfSameAggregateWaits_OtherAggregatesProceed()
    {
        var outbox = _services.GetRequiredService<OutboxWriter>();
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        var notes = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var ids = await _database.InTransactionAsync(async (c, t) => new[]
        {
            await outbox.AddAsync(c, t, new NoteWritten(notes[0], _time.GetUtcNow()), a),
            await outbox.AddAsync(c, t, new NoteWritten(notes[1], _time.GetUtcNow()), a),
            await outbox.AddAsync(c, t, new NoteWritten(notes[2], _time.GetUtcNow()), b),
        });
        // The first event of aggregate a cannot be published (its type is unknown to this build).
        await using (var connection = await _database.OpenAsync())
        {
            await connection.ExecuteAsync("UPDATE outbox_message SET message_type = 'IrSuite.Missing, IrSuite.ServiceDefaults.Tests' WHERE message_id = @id", new { id = ids[0].ToString() });
        }

        var published = new NoteWrittenPublishes();
        var harness = _services.GetRequiredService<ITestHarness>();
        using var observer = harness.Bus.ConnectPublishObserver(published);
        var relay = _services.GetRequiredService<OutboxRelay<TestDatabase>>();
        Assert.Equal(1, await relay.DispatchOnceAsync(CancellationToken.None));
        Assert.Equal([ids[2]], published.Ids.ToArray());

        // Still failing after its back-off: a's second event keeps waiting behind it.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await relay.DispatchOnceAsync(CancellationToken.None));

        await using (var connection = await _database.OpenAsync())
        {
            var row = await connection.QuerySingleAsync<(long Attempts, string Error)>("SELECT attempts, last_error FROM outbox_message WHERE message_id = @id", new { id = ids[0].ToString() });
            Assert.Equal(2, row.Attempts);
            Assert.Equal(nameof(TypeLoadException), row.Error);
            await connection.ExecuteAsync("UPDATE outbox_message SET message_type = @type WHERE message_id = @id",
                new { type = typeof(NoteWritten).FullName + ", " + typeof(NoteWritten).Assembly.GetName().Name, id = ids[0].ToString() });
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, await relay.DispatchOnceAsync(CancellationToken.None));
        Assert.Equal([ids[2], ids[0], ids[1]], published.Ids.ToArray());
    }

    [Fact]
    public async Task Relay_StoredTraceParent_IsTheParentOfThePublishActivity()
    {
        using var requestSource = new ActivitySource("IrSuite.Tests.Request");
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is OutboxRelay<TestDatabase>.ActivitySourceName or "IrSuite.Tests.Request",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var outbox = _services.GetRequiredService<OutboxWriter>();
        Guid messageId;
        ActivityContext request;
        using (var activity = requestSource.StartActivity("SubmitReferral", ActivityKind.Server)!)
        {
            request = activity.Context;
            messageId = await _database.InTransactionAsync((c, t) => outbox.AddAsync(c, t, new NoteWritten(Guid.NewGuid(), _time.GetUtcNow())));
        }

        Assert.Null(Activity.Current);
        await _services.GetRequiredService<OutboxRelay<TestDatabase>>().FlushAsync(CancellationToken.None);
        var publish = Assert.Single(stopped, a => a.Source.Name == OutboxRelay<TestDatabase>.ActivitySourceName && (string?)a.GetTagItem("messaging.message.id") == messageId.ToString());
        Assert.Equal(request.TraceId, publish.TraceId);
        Assert.Equal(request.SpanId, publish.ParentSpanId);
        Assert.Equal(ActivityKind.Producer, publish.Kind);
    }

    [Fact]
    public void Bus_UsageTelemetry_IsDisabled()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIrSuiteBus(new ConfigurationBuilder().Build(), _ => { });
        using var provider = services.BuildServiceProvider();
        Assert.False(provider.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    [Fact]
    public void CriticalEvents_PathwayEventsAreMandatory_NotificationOnlyAreNot()
    {
        Assert.True(CriticalEvents.IsCritical(typeof(IrSuite.Contracts.Procedure.ProcedureCompleted)));
        Assert.True(CriticalEvents.IsCritical(typeof(IrSuite.Contracts.Discharge.PatientDischarged)));
        Assert.True(CriticalEvents.IsCritical(typeof(IrSuite.Contracts.Scheduling.ProcedureScheduled)));
        Assert.False(CriticalEvents.IsCritical(typeof(IrSuite.Contracts.Scheduling.FollowUpBooked)));
    }
}
