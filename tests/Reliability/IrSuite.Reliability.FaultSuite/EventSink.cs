using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>One delivery the sink saw (no dedupe: a redelivered or republished message appears again).</summary>
public sealed record SinkDelivery(string MessageId, string Exchange, bool Redelivered, long ReceivedAtMs, ReadOnlyMemory<byte> Body, BasicProperties Properties);

/// <summary>
/// A test-only consumer: its own queue per event type, bound to the exchange MassTransit publishes that type to,
/// recording message id, redelivery flag and arrival time of every delivery. Also the harness's raw publisher (the
/// duplicate storm republishes deliveries byte for byte; poison messages go straight to a service's queue).
/// </summary>
public sealed class EventSink : IAsyncDisposable
{
    private readonly ConcurrentQueue<SinkDelivery> _deliveries = new();
    private IConnection? _connection;
    private IChannel? _consume;
    private IChannel? _publish;

    public IReadOnlyCollection<SinkDelivery> Deliveries => _deliveries;

    /// <summary>The MassTransit exchange of every integration event (<c>Namespace:TypeName</c>).</summary>
    public static IReadOnlyList<string> EventExchanges { get; } = typeof(IrSuite.Contracts.Scheduling.ReferralSubmitted).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsSealed: true, IsPublic: true } && t.GetProperty("ReferralId") is not null && t.GetProperty("OccurredAt") is not null)
        .Select(t => $"{t.Namespace}:{t.Name}")
        .Order(StringComparer.Ordinal)
        .ToList();

    public static async Task<EventSink> StartAsync(PrivateRabbitMq rabbit, string vhost)
    {
        var sink = new EventSink();
        var factory = new ConnectionFactory
        {
            HostName = "127.0.0.1",
            Port = rabbit.Port,
            VirtualHost = vhost,
            UserName = rabbit.User,
            Password = rabbit.Password,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
            RequestedHeartbeat = TimeSpan.FromSeconds(5),
            ClientProvidedName = "fault-sink",
        };
        sink._connection = await factory.CreateConnectionAsync();
        sink._consume = await sink._connection.CreateChannelAsync();
        sink._publish = await sink._connection.CreateChannelAsync();
        await sink._consume.BasicQosAsync(0, 200, false);
        foreach (var exchange in EventExchanges)
        {
            // Declared as MassTransit declares a message-type exchange, so either side may come first.
            await sink._consume.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            var queue = "fault-sink-" + exchange.Replace(':', '-');
            await sink._consume.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
            await sink._consume.QueueBindAsync(queue, exchange, "");
            var consumer = new AsyncEventingBasicConsumer(sink._consume);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                sink._deliveries.Enqueue(new SinkDelivery(
                    MessageIdOf(delivery.Body.Span), exchange, delivery.Redelivered, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                    delivery.Body.ToArray(), new BasicProperties(delivery.BasicProperties)));
                await sink._consume.BasicAckAsync(delivery.DeliveryTag, false);
            };
            await sink._consume.BasicConsumeAsync(queue, autoAck: false, consumer);
        }

        return sink;
    }

    /// <summary>T7: publishes each given delivery again, same bytes and headers (so the same MessageId).</summary>
    public async Task RepublishAsync(IEnumerable<SinkDelivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            await _publish!.BasicPublishAsync(delivery.Exchange, "", false, delivery.Properties, delivery.Body);
        }
    }

    /// <summary>T8: a raw message straight into a queue (default exchange), as a broken or foreign publisher would.</summary>
    public async Task PublishRawAsync(string queue, string body)
    {
        var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = Guid.NewGuid().ToString(), Persistent = true };
        await _publish!.BasicPublishAsync("", queue, false, properties, Encoding.UTF8.GetBytes(body));
    }

    public async ValueTask DisposeAsync()
    {
        if (_consume is not null)
        {
            await _consume.DisposeAsync();
        }

        if (_publish is not null)
        {
            await _publish.DisposeAsync();
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private static string MessageIdOf(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.TryGetProperty("messageId", out var id) ? (id.GetString() ?? "").ToLowerInvariant() : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
