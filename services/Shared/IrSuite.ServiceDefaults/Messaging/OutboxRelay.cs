using System.Diagnostics;
using System.Text.Json;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Observability;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>What the shutdown sequence needs from every service's relay.</summary>
public interface IOutboxRelay
{
    string ServiceName { get; }

    /// <summary>Stops the polling loop (the dispatch in progress finishes).</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Publishes everything that is due now, batch after batch; returns how many rows were sent.</summary>
    Task<int> FlushAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Publishes a service's outbox rows (decision 0003, 0008): claims due rows (PostgreSQL: FOR UPDATE SKIP LOCKED, so
/// several replicas can relay), publishes each with its stored message id and trace context (with publisher confirms,
/// and <c>Mandatory</c> for critical events so an unroutable one comes back instead of vanishing), and marks it sent in
/// the same transaction. A failure leaves the row pending with a jittered exponential back-off, and later rows of the
/// same aggregate wait for it (other aggregates go on, unless the broker itself failed: then the batch stops). A crash
/// after publishing and before marking gives a duplicate (consumers dedupe with their inbox), never a loss.
/// </summary>
public sealed partial class OutboxRelay<TDatabase> : BackgroundService, IOutboxRelay
    where TDatabase : ServiceDatabase
{
    public const string ActivitySourceName = "IrSuite.Messaging";
    private static readonly ActivitySource Source = new(ActivitySourceName);
    private readonly TDatabase _database;
    private readonly IBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxRelay<TDatabase>> _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly CancellationTokenSource _disposed = new();
    private int _disposedFlag;

    public OutboxRelay(TDatabase database, IBus bus, TimeProvider time, ILogger<OutboxRelay<TDatabase>> logger)
    {
        _database = database;
        _bus = bus;
        _time = time;
        _logger = logger;
        _database.AfterCommit += Wake;
    }

    public string ServiceName => _database.ServiceName;

    public int BatchSize { get; init; } = 100;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long one publish (with its broker confirm) may take before the row counts as failed.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Events published with <c>Mandatory</c> (RabbitMQ): <see cref="CriticalEvents.IsCritical"/> unless replaced.</summary>
    public Func<Type, bool> IsCritical { get; init; } = CriticalEvents.IsCritical;

    public override void Dispose()
    {
        // The container hands out one instance under several registrations (relay, IOutboxRelay, hosted service) and
        // disposes it once per registration.
        if (Interlocked.Exchange(ref _disposedFlag, 1) == 1)
        {
            return;
        }

        _database.AfterCommit -= Wake;
        _disposed.Cancel();
        _disposed.Dispose();
        _signal.Dispose();
        base.Dispose();
    }

    /// <summary>Publishes what is due now (one batch); returns how many rows were sent.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        // A poll that finds nothing due must not take SQLite's single writer (or open a PostgreSQL transaction):
        // a plain read first, the claiming transaction only when there is something to publish.
        if (!await AnyDueAsync(cancellationToken))
        {
            return 0;
        }

        var claim = _database.Dialect == SqlDialect.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        return await _database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var rows = (await connection.QueryAsync<OutboxRow>(
                "SELECT seq AS Seq, message_id AS MessageId, message_type AS MessageType, body AS Body, traceparent AS TraceParent, "
                + "aggregate_id AS AggregateId, attempts AS Attempts, created_at_ms AS CreatedAtMs "
                + "FROM outbox_message WHERE dispatched_at_ms IS NULL AND not_before_ms <= @now ORDER BY seq LIMIT @limit" + claim,
                new { now, limit = BatchSize },
                transaction)).ToList();
            if (rows.Count == 0)
            {
                return 0;
            }

            var blocked = await EarlierPendingAsync(connection, transaction, rows);
            var sent = 0;
            foreach (var row in rows)
            {
                if (row.AggregateId is not null && blocked.TryGetValue(row.AggregateId, out var first) && first < row.Seq)
                {
                    continue; // an earlier event of this aggregate is backing off or held by another relay
                }

                try
                {
                    await PublishAsync(row, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var backoff = BackoffMilliseconds(row.Attempts);
                    await connection.ExecuteAsync(
                        "UPDATE outbox_message SET attempts = attempts + 1, last_error = @error, not_before_ms = @next WHERE seq = @seq",
                        new { error = ex.GetType().Name, next = now + backoff, seq = row.Seq },
                        transaction);
                    MessagingMetrics.PublishFailures.Add(1, Tag("service", _database.ServiceName), Tag("message.type", ShortName(row.MessageType)), Tag("reason", ex.GetType().Name));
                    if (IsRowFault(ex))
                    {
                        LogRowRefused(_database.ServiceName, row.MessageType, ex.GetType().Name);
                        if (row.AggregateId is not null)
                        {
                            blocked[row.AggregateId] = row.Seq;
                        }

                        continue;
                    }

                    LogPublishFailed(_database.ServiceName, row.MessageType, ex);
                    break; // the broker failed: the rest of the batch would fail the same way
                }

                Faults.FaultInjection.Hit(Faults.FaultInjection.RelayAfterPublish);
                await connection.ExecuteAsync("UPDATE outbox_message SET dispatched_at_ms = @now WHERE seq = @seq", new { now, seq = row.Seq }, transaction);
                sent++;
                MessagingMetrics.Published.Add(1, Tag("service", _database.ServiceName), Tag("message.type", ShortName(row.MessageType)));
            }

            return sent;
        }, cancellationToken);
    }

    private async Task<bool> AnyDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var due = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT seq FROM outbox_message WHERE dispatched_at_ms IS NULL AND not_before_ms <= @now LIMIT 1",
            new { now = _time.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        return due is not null;
    }

    /// <inheritdoc />
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        int sent;
        do
        {
            sent = await DispatchOnceAsync(cancellationToken);
            total += sent;
        }
        while (sent == BatchSize);
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Publishing uses the relay's own token, not stoppingToken: a stop lets the publish in progress finish (and
        // be marked) instead of cancelling it half-way, which would log a send fault and publish it again later.
        var publishToken = _disposed.Token;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var sent = await DispatchOnceAsync(publishToken);
                await RefreshBacklogAsync(publishToken);
                if (sent == BatchSize)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (publishToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogRelayFailed(_database.ServiceName, ex);
            }

            try
            {
                await _signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>How often the backlog gauges are refreshed (one COUNT over the pending rows).</summary>
    public TimeSpan BacklogRefreshInterval { get; init; } = TimeSpan.FromSeconds(5);

    private long? _backlogRefreshedMs;

    private async Task RefreshBacklogAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (_backlogRefreshedMs is { } last && now - last < (long)BacklogRefreshInterval.TotalMilliseconds)
        {
            return;
        }

        _backlogRefreshedMs = now;
        try
        {
            // A plain read, not InTransactionAsync: its commit would wake this relay again.
            await using var connection = await _database.OpenAsync(cancellationToken);
            var (count, oldest) = await connection.QuerySingleAsync<(long, long?)>(
                "SELECT COUNT(*), MIN(created_at_ms) FROM outbox_message WHERE dispatched_at_ms IS NULL");
            MessagingMetrics.ReportBacklog(_database.ServiceName, count, oldest is { } ms ? (now - ms) / 1000.0 : 0);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            // The gauge keeps its last value; readiness reports the database, and the dispatch logs its own failures.
        }
    }

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);

    /// <summary>The type's name without namespace and assembly (the stored name is assembly-qualified).</summary>
    internal static string ShortName(string assemblyQualified)
    {
        var comma = assemblyQualified.IndexOf(',', StringComparison.Ordinal);
        var full = comma > 0 ? assemblyQualified[..comma] : assemblyQualified;
        return full[(full.LastIndexOf('.') + 1)..];
    }

    /// <summary>A failure of this row only (nobody bound to it, an unreadable row), not of the broker connection.</summary>
    private static bool IsRowFault(Exception exception) =>
        exception is MessageReturnedException or JsonException or TypeLoadException or FileNotFoundException or FormatException;

    private static long BackoffMilliseconds(int attempts)
    {
        // Exponential from 250 ms, capped at 30 s, with jitter over the upper half so relays of restarted replicas spread out.
        var ceiling = Math.Min(30_000L, 250L << Math.Min(attempts, 7));
        return (ceiling / 2) + Random.Shared.NextInt64((ceiling / 2) + 1);
    }

    /// <summary>
    /// For each aggregate of the batch, the first pending row that is not in the batch but precedes one of its rows
    /// (backing off, or claimed by another relay): rows after it must wait.
    /// </summary>
    private static async Task<Dictionary<string, long>> EarlierPendingAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, List<OutboxRow> rows)
    {
        var inBatch = rows.Select(r => r.Seq).ToHashSet();
        var last = rows[^1].Seq;
        var pending = await connection.QueryAsync<(long Seq, string AggregateId)>(
            "SELECT seq, aggregate_id FROM outbox_message WHERE dispatched_at_ms IS NULL AND aggregate_id IS NOT NULL AND seq < @last",
            new { last },
            transaction);
        var blocked = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (seq, aggregate) in pending)
        {
            if (!inBatch.Contains(seq) && (!blocked.TryGetValue(aggregate, out var first) || seq < first))
            {
                blocked[aggregate] = seq;
            }
        }

        return blocked;
    }

    private async Task PublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var type = Type.GetType(row.MessageType, throwOnError: true)!;
        var message = JsonSerializer.Deserialize(row.Body, type, OutboxWriter.Json)!;
        var mandatory = IsCritical(type);
        // Restore the trace of the request that wrote the row, so the publish (and MassTransit's own span) joins it.
        using var activity = row.TraceParent is not null && ActivityContext.TryParse(row.TraceParent, null, out var parent)
            ? Source.StartActivity("outbox publish", ActivityKind.Producer, parent)
            : Source.StartActivity("outbox publish", ActivityKind.Producer);
        activity?.SetTag("messaging.message.id", row.MessageId);
        activity?.SetTag("messaging.message.type", type.Name);
        activity?.SetTag("irsuite.service", _database.ServiceName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        // The token asks MassTransit to give up; WaitAsync makes sure the relay does, even on a path that does not
        // observe the token (a publish caught by a broker crash has been seen to never return). A publish abandoned
        // here that completes later only means the row is published again: consumers dedupe.
        await _bus.Publish(message, type, context =>
        {
            context.MessageId = Guid.Parse(row.MessageId);
            context.Headers.Set(MessagingMetrics.OutboxCreatedHeader, row.CreatedAtMs);
            if (mandatory && context.TryGetPayload(out RabbitMqSendContext? rabbit))
            {
                rabbit.Mandatory = true;
            }
        }, timeout.Token).WaitAsync(PublishTimeout + TimeSpan.FromSeconds(1), cancellationToken); // network time, not the clinical clock
    }

    private void Wake()
    {
        try
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
        catch (ObjectDisposedException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Outbox of {Service}: publishing {MessageType} failed; will retry")]
    private partial void LogPublishFailed(string service, string messageType, Exception exception);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Outbox relay of {Service} failed; will retry")]
    private partial void LogRelayFailed(string service, Exception exception);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "Outbox of {Service}: {MessageType} was refused ({Reason}); it stays pending and its aggregate's later events wait")]
    private partial void LogRowRefused(string service, string messageType, string reason);

    // Dapper row types are classes with setters: providers differ in integer widths (SQLite gives Int64).
    private sealed class OutboxRow
    {
        public long Seq { get; init; }

        public string MessageId { get; init; } = "";

        public string MessageType { get; init; } = "";

        public string Body { get; init; } = "";

        public string? TraceParent { get; init; }

        public string? AggregateId { get; init; }

        public int Attempts { get; init; }

        public long CreatedAtMs { get; init; }
    }
}
