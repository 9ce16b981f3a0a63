using Dapper;
using Npgsql;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>The figures of one scenario run (docs/reliability/fault-suite.md defines each).</summary>
public sealed record ScenarioResult(
    string Scenario,
    int Attempted,
    int Ok,
    int Failed,
    int Indeterminate,
    int Committed,
    int Published,
    int DeliveredTotal,
    int DeliveredUnique,
    int Applied,
    int AppliedDuplicates,
    int LostToSink,
    int LostDownstream,
    int Ghost,
    double? RecoverySeconds,
    int MaxBacklog,
    string Notes)
{
    public int DeliveredDuplicates => DeliveredTotal - DeliveredUnique;

    /// <summary>Minimum-observation timers: observations opened, timers fired, fired before their due time.</summary>
    public (int Expected, int Fired, int Early) Timers { get; init; }

    public int Lost => LostToSink + LostDownstream;

    /// <summary>When the drain cap was reached: the services' last warning and error lines, to tell why.</summary>
    public string Diagnostics { get; init; } = "";
}

/// <summary>
/// Reads what the services committed (outbox, inbox, timeline, timers) and what the sink received, after a drain.
/// lost = committed outbox messages never delivered to the sink, plus those a consuming service never applied (the
/// consumers of a type are the inbox consumers seen for that type); applied duplicates = one clinical fact recorded
/// twice (scheduling's timeline per referral and event; a timer's event per referral).
/// </summary>
public sealed class Checker(SuiteUnderTest suite, PrivateRabbitMq rabbit, EventSink? sink)
{
    private static readonly string[] Schemas = SuiteUnderTest.Services.Select(s => SuiteUnderTest.Schema(s.Service)).ToArray();

    public async Task<int> BacklogAsync()
    {
        await using var connection = new NpgsqlConnection(suite.ConnectionString);
        await connection.OpenAsync();
        var total = 0;
        foreach (var schema in Schemas)
        {
            total += await connection.ExecuteScalarAsync<int>($"SELECT count(*)::int FROM {schema}.outbox_message WHERE dispatched_at_ms IS NULL");
        }

        return total;
    }

    /// <summary>Waits until every outbox is empty, the service queues are empty and the sink has every message, or the cap.</summary>
    public async Task<bool> DrainAsync(TimeSpan cap) =>
        await OsProcess.WaitUntilAsync(async () =>
        {
            if (await BacklogAsync() != 0)
            {
                return false;
            }

            var queues = await rabbit.ListQueuesAsync(suite.VirtualHost);
            if (queues.Any(q => q.Messages > 0 && !q.Name.EndsWith("_error", StringComparison.Ordinal) && !q.Name.EndsWith("_skipped", StringComparison.Ordinal)))
            {
                return false;
            }

            if (sink is null)
            {
                return true;
            }

            var committed = (await OutboxAsync()).Select(r => r.MessageId).ToHashSet();
            return committed.IsSubsetOf(sink.Deliveries.Select(d => d.MessageId));
        }, cap, TimeSpan.FromMilliseconds(500));

    public async Task<ScenarioResult> CheckAsync(string scenario, IReadOnlyList<PathwayOutcome> outcomes, double? recoverySeconds, int maxBacklog, string notes)
    {
        var outbox = await OutboxAsync();
        var inbox = await InboxAsync();
        var committed = outbox.ToDictionary(r => r.MessageId, StringComparer.Ordinal);
        var applied = inbox.Select(i => (i.MessageId, i.Consumer)).ToHashSet();
        var consumersOf = inbox.Where(i => committed.ContainsKey(i.MessageId))
            .GroupBy(i => committed[i.MessageId].MessageType)
            .ToDictionary(g => g.Key, g => g.Select(i => i.Consumer).Distinct().ToList());
        var lostDownstream = outbox.Count(r => consumersOf.TryGetValue(r.MessageType, out var consumers) && consumers.Any(c => !applied.Contains((r.MessageId, c))));

        var deliveries = sink?.Deliveries.ToList() ?? [];
        var delivered = deliveries.Select(d => d.MessageId).ToHashSet(StringComparer.Ordinal);
        var lostToSink = sink is null ? 0 : outbox.Count(r => !delivered.Contains(r.MessageId));
        var ghost = delivered.Count(id => !committed.ContainsKey(id));

        await using var connection = new NpgsqlConnection(suite.ConnectionString);
        await connection.OpenAsync();
        var timelineDuplicates = await connection.ExecuteScalarAsync<int>(
            "SELECT coalesce(sum(n - 1), 0)::int FROM (SELECT count(*) AS n FROM scheduling.timeline_entry GROUP BY referral_id, event, source HAVING count(*) > 1) d");
        var timerDuplicates = await connection.ExecuteScalarAsync<int>(
            "SELECT coalesce(sum(n - 1), 0)::int FROM (SELECT count(*) AS n FROM discharge.outbox_message WHERE message_type LIKE '%ObservationMinimumElapsed%' GROUP BY aggregate_id HAVING count(*) > 1) d");

        var (expected, fired, early, _) = await TimersAsync();
        return new ScenarioResult(
            scenario,
            outcomes.Count,
            outcomes.Count(o => o.Ok),
            outcomes.Count(o => !o.Ok),
            Ledger.Current.Entries.Count(e => e.Outcome == "indeterminate"),
            outbox.Count,
            outbox.Count(r => r.DispatchedAtMs is not null),
            deliveries.Count(d => committed.ContainsKey(d.MessageId)),
            delivered.Count(committed.ContainsKey),
            inbox.Count,
            timelineDuplicates + timerDuplicates,
            lostToSink,
            lostDownstream,
            ghost,
            recoverySeconds,
            maxBacklog,
            notes)
        {
            Timers = (expected, fired, early),
        };
    }

    /// <summary>T9: minimum-observation timers expected (observations opened), fired, fired twice, fired early.</summary>
    public async Task<(int Expected, int Fired, int Early, double MaxLateSeconds)> TimersAsync()
    {
        await using var connection = new NpgsqlConnection(suite.ConnectionString);
        await connection.OpenAsync();
        var expected = await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM discharge.observation");
        var fired = await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM discharge.due_timer WHERE fired_at_ms IS NOT NULL");
        var early = await connection.ExecuteScalarAsync<int>("SELECT count(*)::int FROM discharge.due_timer WHERE fired_at_ms < due_at_ms");
        var late = await connection.ExecuteScalarAsync<long?>("SELECT max(fired_at_ms - due_at_ms) FROM discharge.due_timer WHERE fired_at_ms IS NOT NULL") ?? 0;
        return (expected, fired, early, late / 1000.0);
    }

    public async Task<List<OutboxRow>> OutboxAsync()
    {
        await using var connection = new NpgsqlConnection(suite.ConnectionString);
        await connection.OpenAsync();
        var rows = new List<OutboxRow>();
        foreach (var schema in Schemas)
        {
            rows.AddRange(await connection.QueryAsync<OutboxRow>(
                $"SELECT message_id AS MessageId, message_type AS MessageType, aggregate_id AS AggregateId, created_at_ms AS CreatedAtMs, dispatched_at_ms AS DispatchedAtMs FROM {schema}.outbox_message"));
        }

        foreach (var row in rows)
        {
            row.MessageId = row.MessageId.ToLowerInvariant();
        }

        return rows;
    }

    public async Task<List<InboxRow>> InboxAsync()
    {
        await using var connection = new NpgsqlConnection(suite.ConnectionString);
        await connection.OpenAsync();
        var rows = new List<InboxRow>();
        foreach (var schema in Schemas)
        {
            var schemaRows = await connection.QueryAsync<InboxRow>($"SELECT message_id AS MessageId, consumer AS Consumer, received_at_ms AS ReceivedAtMs FROM {schema}.inbox_message");
            foreach (var row in schemaRows)
            {
                row.MessageId = row.MessageId.ToLowerInvariant();
                row.Consumer = schema + "." + row.Consumer;
                rows.Add(row);
            }
        }

        return rows;
    }

    public sealed class OutboxRow
    {
        public string MessageId { get; set; } = "";

        public string MessageType { get; set; } = "";

        public string? AggregateId { get; set; }

        public long CreatedAtMs { get; set; }

        public long? DispatchedAtMs { get; set; }
    }

    public sealed class InboxRow
    {
        public string MessageId { get; set; } = "";

        public string Consumer { get; set; } = "";

        public long ReceivedAtMs { get; set; }
    }
}
