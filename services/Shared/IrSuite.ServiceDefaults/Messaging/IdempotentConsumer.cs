using System.Data.Common;
using Dapper;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Observability;
using MassTransit;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// A consumer that applies each message once: the inbox row (message id + consumer name) is written in the
/// same transaction as the state change and the events it causes. A redelivered message finds its row,
/// changes nothing and is acknowledged.
/// </summary>
public abstract class IdempotentConsumer<TMessage, TDatabase>(TDatabase database, TimeProvider time) : IConsumer<TMessage>
    where TMessage : class
    where TDatabase : ServiceDatabase
{
    protected TimeProvider Time => time;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = (context.MessageId ?? throw new InvalidOperationException("A message without MessageId cannot be deduplicated.")).ToString();
        var consumer = GetType().Name;
        var consumerTag = new KeyValuePair<string, object?>("consumer", consumer);
        if (context.GetRetryAttempt() > 0 || context.ReceiveContext.Redelivered)
        {
            MessagingMetrics.Redeliveries.Add(1, consumerTag);
        }

        int inserted;
        try
        {
            inserted = await ApplyOnceAsync(context, messageId, consumer);
        }
        catch (Exception ex)
        {
            // The definition's retry policy: a non-transient failure, or the last retry, sends the message to _error.
            if (!TransientFaults.IsTransient(ex) || context.GetRetryAttempt() >= IrSuiteConsumerDefinition<IConsumer>.RetryLimit)
            {
                MessagingMetrics.Faults.Add(1, consumerTag, new KeyValuePair<string, object?>("exception.type", ex.GetType().Name));
            }

            throw;
        }

        if (inserted == 1)
        {
            MessagingMetrics.Applied.Add(1, consumerTag);
            var created = context.Headers.Get<long>(MessagingMetrics.OutboxCreatedHeader) is { } ms and > 0
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : context.SentTime is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : (DateTimeOffset?)null;
            if (created is { } from)
            {
                MessagingMetrics.Lag.Record(Math.Max(0, (time.GetUtcNow() - from).TotalSeconds), consumerTag);
            }

            OnApplied(context.Message);
        }
        else
        {
            MessagingMetrics.Duplicates.Add(1, consumerTag);
        }

        Faults.FaultInjection.Hit(Faults.FaultInjection.ConsumerAfterCommit);
    }

    /// <summary>
    /// Called once the message's transaction committed, only when it was applied (not for a duplicate): where a consumer
    /// records what it measured (a KPI) without counting a rolled-back or retried attempt.
    /// </summary>
    protected virtual void OnApplied(TMessage message)
    {
    }

    private async Task<int> ApplyOnceAsync(ConsumeContext<TMessage> context, string messageId, string consumer) =>
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            var inserted = await connection.ExecuteAsync(
                "INSERT INTO inbox_message (message_id, consumer, received_at_ms) VALUES (@messageId, @consumer, @now) ON CONFLICT DO NOTHING",
                new { messageId, consumer, now = time.GetUtcNow().ToUnixTimeMilliseconds() },
                transaction);
            if (inserted == 1)
            {
                await HandleAsync(context.Message, connection, transaction, context.CancellationToken);
                Faults.FaultInjection.Hit(Faults.FaultInjection.ConsumerBeforeCommit);
            }

            return inserted;
        }, context.CancellationToken);

    /// <summary>Applies the message; runs at most once per message id, inside the inbox transaction.</summary>
    protected abstract Task HandleAsync(TMessage message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);
}
