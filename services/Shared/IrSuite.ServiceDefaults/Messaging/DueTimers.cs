using System.Data.Common;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>Fires timers of one kind; runs inside the transaction that marks the timer fired.</summary>
public interface IDueTimerHandler<TDatabase>
    where TDatabase : ServiceDatabase
{
    string Kind { get; }

    Task FireAsync(DueTimer timer, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);
}

/// <summary>A stored timer.</summary>
public sealed class DueTimer
{
    public string TimerId { get; init; } = "";

    public string Kind { get; init; } = "";

    /// <summary>What the timer is about (e.g. the referral id).</summary>
    public string AggregateId { get; init; } = "";

    public long DueAtMs { get; init; }

    public string Payload { get; init; } = "{}";

    public DateTimeOffset DueAt => DateTimeOffset.FromUnixTimeMilliseconds(DueAtMs);
}

/// <summary>Schedules durable timers in the caller's transaction.</summary>
public static class DueTimers
{
    /// <summary>Adds a timer; a timer id already present is left as it is (idempotent).</summary>
    public static Task ScheduleAsync(DbConnection connection, DbTransaction transaction, string timerId, string kind, string aggregateId, DateTimeOffset dueAt, string payload = "{}") =>
        connection.ExecuteAsync(
            "INSERT INTO due_timer (timer_id, kind, aggregate_id, due_at_ms, payload) VALUES (@timerId, @kind, @aggregateId, @due, @payload) ON CONFLICT DO NOTHING",
            new { timerId, kind, aggregateId, due = dueAt.ToUnixTimeMilliseconds(), payload },
            transaction);
}

/// <summary>
/// Sweeps a service's due-time table: each due timer is marked fired and handled in one transaction, so it
/// fires exactly once, even across restarts and replicas. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class DueTimeSweeper<TDatabase>(
    TDatabase database, IServiceProvider services, TimeProvider time, ILogger<DueTimeSweeper<TDatabase>> logger) : BackgroundService
    where TDatabase : ServiceDatabase
{
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fires every timer due now; returns how many fired.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var handlers = services.GetServices<IDueTimerHandler<TDatabase>>().ToDictionary(h => h.Kind, StringComparer.Ordinal);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        List<DueTimer> due;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            due = (await connection.QueryAsync<DueTimer>(
                "SELECT timer_id AS TimerId, kind AS Kind, aggregate_id AS AggregateId, due_at_ms AS DueAtMs, payload AS Payload "
                + "FROM due_timer WHERE fired_at_ms IS NULL AND due_at_ms <= @now ORDER BY due_at_ms LIMIT 100",
                new { now })).ToList();
        }

        var fired = 0;
        foreach (var timer in due)
        {
            if (!handlers.TryGetValue(timer.Kind, out var handler))
            {
                LogNoHandler(database.ServiceName, timer.Kind);
                continue;
            }

            fired += await database.InTransactionAsync(async (connection, transaction) =>
            {
                var claimed = await connection.ExecuteAsync(
                    "UPDATE due_timer SET fired_at_ms = @now WHERE timer_id = @id AND fired_at_ms IS NULL",
                    new { now, id = timer.TimerId },
                    transaction);
                if (claimed == 1)
                {
                    await handler.FireAsync(timer, connection, transaction, cancellationToken);
                }

                return claimed;
            }, cancellationToken);
        }

        return fired;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogSweepFailed(database.ServiceName, ex);
                await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Error, Message = "Due-time sweep of {Service} failed; will retry")]
    private partial void LogSweepFailed(string service, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Due timer of kind {Kind} in {Service} has no handler")]
    private partial void LogNoHandler(string service, string kind);
}
