using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Dapper;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// Writes events to the service's outbox table inside the caller's transaction, so the state change and
/// the events it causes commit together (decision 0003). The relay publishes them afterwards.
/// </summary>
public sealed class OutboxWriter(TimeProvider time)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds one event; returns its message id (stable across publish attempts).</summary>
    public async Task<Guid> AddAsync(DbConnection connection, DbTransaction transaction, object message, Guid? aggregateId = null, TimeSpan? delay = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = message.GetType();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var messageId = Guid.NewGuid();
        await connection.ExecuteAsync(
            """
            INSERT INTO outbox_message (message_id, message_type, body, traceparent, aggregate_id, created_at_ms, not_before_ms)
            VALUES (@messageId, @messageType, @body, @traceparent, @aggregateId, @now, @notBefore)
            """,
            new
            {
                messageId = messageId.ToString(),
                messageType = type.FullName + ", " + type.Assembly.GetName().Name,
                body = JsonSerializer.Serialize(message, type, Json),
                traceparent = Activity.Current?.Id,
                aggregateId = aggregateId?.ToString(),
                now,
                notBefore = now + (long)(delay ?? TimeSpan.Zero).TotalMilliseconds,
            },
            transaction);
        return messageId;
    }
}
