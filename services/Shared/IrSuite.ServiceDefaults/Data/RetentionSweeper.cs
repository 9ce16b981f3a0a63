using Dapper;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.ServiceDefaults.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IrSuite.ServiceDefaults.Data;

/// <summary>Configuration section <c>Retention</c>: how long the messaging bookkeeping rows are kept (decision 0020).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>How often the sweep runs.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Outbox rows after they were published (kept a week for support: what was sent, when, with which trace).</summary>
    public TimeSpan PublishedOutbox { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Inbox rows (message id and consumer already applied). A message delivered again after this is applied again:
    /// keep it longer than any redelivery or replay window (broker replays, shovels from an archive).
    /// </summary>
    public TimeSpan Inbox { get; set; } = TimeSpan.FromDays(90);

    /// <summary>Fired due timers. A fired row also stops the same timer id from being scheduled again: same horizon as the inbox.</summary>
    public TimeSpan FiredTimers { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>One table a service sweeps: rows whose <see cref="TimestampColumn"/> (Unix ms) is older than the retention go.</summary>
/// <param name="Table">The table (a fixed name from code, never from input).</param>
/// <param name="TimestampColumn">Unix milliseconds; rows with NULL there are kept.</param>
/// <param name="Retention">Read from the options each sweep, so configuration reloads apply.</param>
/// <param name="Condition">An extra SQL condition rows must meet to go (fixed text from code), or empty.</param>
public sealed record RetentionRule(string Table, string TimestampColumn, Func<IServiceProvider, TimeSpan> Retention, string Condition = "");

/// <summary>A <see cref="RetentionRule"/> for one service database (registered with <see cref="RetentionSetup.AddRetentionRule{TDatabase}"/>).</summary>
public sealed record RetentionRule<TDatabase>(RetentionRule Rule)
    where TDatabase : ServiceDatabase;

public static class RetentionSetup
{
    /// <summary>The rules every service database has: published outbox rows, inbox rows, fired timers, expired request ids.</summary>
    public static IEnumerable<RetentionRule> Shared { get; } =
    [
        new("outbox_message", "dispatched_at_ms", sp => Options(sp).PublishedOutbox),
        new("inbox_message", "received_at_ms", sp => Options(sp).Inbox),
        new("due_timer", "fired_at_ms", sp => Options(sp).FiredTimers),
        // The idempotency store's own retention (decision 0007): an expired request id already counts as new.
        new("idempotent_request", "created_at_ms", sp => (sp.GetService<IOptions<IdempotencyOptions>>()?.Value ?? new IdempotencyOptions()).Retention),
    ];

    /// <summary>Adds a service-specific table to its database's sweep.</summary>
    public static IServiceCollection AddRetentionRule<TDatabase>(this IServiceCollection services, RetentionRule rule)
        where TDatabase : ServiceDatabase =>
        services.AddSingleton(new RetentionRule<TDatabase>(rule));

    internal static RetentionOptions Options(IServiceProvider services) =>
        services.GetService<IOptions<RetentionOptions>>()?.Value ?? new RetentionOptions();
}

/// <summary>
/// Deletes a service database's bookkeeping rows once they are past their retention (decision 0020): published outbox
/// rows, inbox rows, fired due timers, expired idempotency records, and the tables the service adds. Never the audit
/// trail (append-only and hash-chained, decision 0013) and never clinical data. Runs at start-up, then every
/// <see cref="RetentionOptions.Interval"/> of wall-clock time; the cutoffs are computed on the injected clock.
/// </summary>
public sealed partial class RetentionSweeper<TDatabase>(
    TDatabase database, IServiceProvider services, TimeProvider time, ILogger<RetentionSweeper<TDatabase>> logger) : BackgroundService
    where TDatabase : ServiceDatabase
{
    /// <summary>Runs every rule once; returns the rows deleted per table.</summary>
    public async Task<IReadOnlyDictionary<string, int>> SweepOnceAsync(CancellationToken cancellationToken)
    {
        var rules = RetentionSetup.Shared.Concat(services.GetServices<RetentionRule<TDatabase>>().Select(r => r.Rule));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            var cutoff = now - (long)rule.Retention(services).TotalMilliseconds;
            var condition = rule.Condition.Length > 0 ? $" AND ({rule.Condition})" : "";
            // One short transaction per table: the sweep never holds SQLite's writer for long.
            var count = await database.InTransactionAsync(
                (connection, transaction) => connection.ExecuteAsync(
                    $"DELETE FROM {rule.Table} WHERE {rule.TimestampColumn} IS NOT NULL AND {rule.TimestampColumn} < @cutoff{condition}",
                    new { cutoff },
                    transaction),
                cancellationToken);
            deleted[rule.Table] = deleted.GetValueOrDefault(rule.Table) + count;
            if (count > 0)
            {
                MessagingMetrics.RetentionDeleted.Add(count, new KeyValuePair<string, object?>("service", database.ServiceName), new KeyValuePair<string, object?>("table", rule.Table));
                LogDeleted(database.ServiceName, rule.Table, count);
            }
        }

        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogSweepFailed(database.ServiceName, ex);
            }

            try
            {
                // The schedule is wall-clock time; the cutoff above is the service clock that stamped the rows. A test's
                // manual clock therefore never sees this loop's timer among the ones it waits for and fires.
                await Task.Delay(RetentionSetup.Options(services).Interval, TimeProvider.System, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Information, Message = "Retention sweep of {Service}: {Count} rows deleted from {Table}")]
    private partial void LogDeleted(string service, string table, int count);

    [LoggerMessage(EventId = 311, Level = LogLevel.Error, Message = "Retention sweep of {Service} failed; will retry at the next interval")]
    private partial void LogSweepFailed(string service, Exception exception);
}
