using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace IrSuite.ServiceDefaults.Observability;

/// <summary>
/// The outbox relay's and the consumers' instruments (meter <c>IrSuite.Messaging</c>). Tags are service, consumer and
/// message type names only: never ids or message contents. MassTransit's own meter adds per-endpoint consume counts
/// and durations; these cover what it cannot see (the outbox before the broker, inbox duplicates, end-to-end lag).
/// </summary>
public static class MessagingMetrics
{
    /// <summary>Header the relay adds to every published message: when the outbox row was written (Unix ms).</summary>
    public const string OutboxCreatedHeader = "IrSuite-Outbox-Created";

    private static readonly ConcurrentDictionary<string, (long Count, double OldestAgeSeconds)> Backlogs = new(StringComparer.Ordinal);

    public static readonly Meter Meter = new(TelemetryNames.Messaging, "1.0.0");

    public static readonly Counter<long> Published = Meter.CreateCounter<long>(
        "irsuite.outbox.published", description: "Outbox rows published to the broker and confirmed, by service and message type.");

    public static readonly Counter<long> PublishFailures = Meter.CreateCounter<long>(
        "irsuite.outbox.publish_failures", description: "Outbox publishes that failed (the row stays pending and backs off), by service, message type and reason.");

    public static readonly Counter<long> RetentionDeleted = Meter.CreateCounter<long>(
        "irsuite.retention.deleted", description: "Bookkeeping rows deleted past their retention (published outbox, inbox, fired timers, expired request ids, service tables), by service and table.");

    public static readonly Counter<long> Applied = Meter.CreateCounter<long>(
        "irsuite.consumer.applied", description: "Messages a consumer applied (first delivery of the message id), by consumer.");

    public static readonly Counter<long> Duplicates = Meter.CreateCounter<long>(
        "irsuite.consumer.duplicates", description: "Deliveries the inbox recognised as already applied, by consumer.");

    public static readonly Counter<long> Redeliveries = Meter.CreateCounter<long>(
        "irsuite.consumer.redeliveries", description: "Consume attempts that were a retry or a broker redelivery, by consumer.");

    public static readonly Counter<long> Faults = Meter.CreateCounter<long>(
        "irsuite.consumer.faults", description: "Messages that failed their last attempt and went to the endpoint's _error queue, by consumer and exception type.");

    public static readonly Histogram<double> Lag = Meter.CreateHistogram<double>(
        "irsuite.consumer.lag", unit: "s", description: "From the outbox row's creation (else the send time) to the consumer applying the message.");

    /// <summary>Outbox rows not yet published, per service (refreshed by each relay every few seconds).</summary>
    public static readonly ObservableGauge<long> Backlog = Meter.CreateObservableGauge(
        "irsuite.outbox.backlog", () => Backlogs.Select(b => new Measurement<long>(b.Value.Count, new KeyValuePair<string, object?>("service", b.Key))),
        description: "Outbox rows waiting to be published, by service.");

    /// <summary>Age of the oldest pending outbox row, per service (0 when none).</summary>
    public static readonly ObservableGauge<double> OldestAge = Meter.CreateObservableGauge(
        "irsuite.outbox.oldest_age", () => Backlogs.Select(b => new Measurement<double>(b.Value.OldestAgeSeconds, new KeyValuePair<string, object?>("service", b.Key))),
        unit: "s", description: "Age of the oldest outbox row waiting to be published, by service.");

    internal static void ReportBacklog(string service, long count, double oldestAgeSeconds) => Backlogs[service] = (count, Math.Max(0, oldestAgeSeconds));
}
