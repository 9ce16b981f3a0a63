using System.Data.Common;
using Dapper;
using IrSuite.ServiceDefaults.Data;
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
        Faults.FaultInjection.Hit(Faults.FaultInjection.ConsumerAfterCommit);
    }

    /// <summary>Applies the message; runs at most once per message id, inside the inbox transaction.</summary>
    protected abstract Task HandleAsync(TMessage message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken);
}
