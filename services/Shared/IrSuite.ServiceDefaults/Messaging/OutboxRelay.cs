using System.Diagnostics;
using System.Text.Json;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// Publishes a service's outbox rows in order: claims pending rows (PostgreSQL: FOR UPDATE SKIP LOCKED, so
/// several replicas can relay), publishes each with its stored message id and trace context, marks it sent
/// in the same transaction. A failure leaves the row pending with a back-off; a crash after publishing and
/// before marking gives a duplicate (consumers dedupe with their inbox), never a loss.
/// </summary>
public sealed partial class OutboxRelay<TDatabase> : BackgroundService
    where TDatabase : ServiceDatabase
{
    private static readonly ActivitySource Source = new("IrSuite.Messaging");
    private readonly TDatabase _database;
    private readonly IBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxRelay<TDatabase>> _logger;
    private readonly SemaphoreSlim _signal = new(0, 1);

    public OutboxRelay(TDatabase database, IBus bus, TimeProvider time, ILogger<OutboxRelay<TDatabase>> logger)
    {
        _database = database;
        _bus = bus;
        _time = time;
        _logger = logger;
        _database.AfterCommit += Wake;
    }

    public int BatchSize { get; init; } = 100;

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public override void Dispose()
    {
        _database.AfterCommit -= Wake;
        _signal.Dispose();
        base.Dispose();
    }

    /// <summary>Publishes what is due now; returns how many rows were sent.</summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        var claim = _database.Dialect == SqlDialect.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        return await _database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var rows = (await connection.QueryAsync<OutboxRow>(
                "SELECT seq AS Seq, message_id AS MessageId, message_type AS MessageType, body AS Body, traceparent AS TraceParent, attempts AS Attempts "
                + "FROM outbox_message WHERE dispatched_at_ms IS NULL AND not_before_ms <= @now ORDER BY seq LIMIT @limit" + claim,
                new { now, limit = BatchSize },
                transaction)).ToList();
            var sent = 0;
            foreach (var row in rows)
            {
                try
                {
                    await PublishAsync(row, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var backoff = Math.Min(30_000, 250L << Math.Min(row.Attempts, 7));
                    await connection.ExecuteAsync(
                        "UPDATE outbox_message SET attempts = attempts + 1, last_error = @error, not_before_ms = @next WHERE seq = @seq",
                        new { error = ex.GetType().Name, next = now + backoff, seq = row.Seq },
                        transaction);
                    LogPublishFailed(_database.ServiceName, row.MessageType, ex);
                    break; // keep order: later rows wait for this one
                }

                Faults.FaultInjection.Hit(Faults.FaultInjection.RelayAfterPublish);
                await connection.ExecuteAsync("UPDATE outbox_message SET dispatched_at_ms = @now WHERE seq = @seq", new { now, seq = row.Seq }, transaction);
                sent++;
            }

            return sent;
        }, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await DispatchOnceAsync(stoppingToken) == BatchSize)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
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

    private async Task PublishAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        var type = Type.GetType(row.MessageType, throwOnError: true)!;
        var message = JsonSerializer.Deserialize(row.Body, type, OutboxWriter.Json)!;
        // Restore the trace of the request that wrote the row, so the publish joins it.
        using var activity = row.TraceParent is not null && ActivityContext.TryParse(row.TraceParent, null, out var parent)
            ? Source.StartActivity("outbox publish", ActivityKind.Producer, parent)
            : null;
        await _bus.Publish(message, type, context => context.MessageId = Guid.Parse(row.MessageId), cancellationToken);
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

    // Dapper row types are classes with setters: providers differ in integer widths (SQLite gives Int64).
    private sealed class OutboxRow
    {
        public long Seq { get; init; }

        public string MessageId { get; init; } = "";

        public string MessageType { get; init; } = "";

        public string Body { get; init; } = "";

        public string? TraceParent { get; init; }

        public int Attempts { get; init; }
    }
}
