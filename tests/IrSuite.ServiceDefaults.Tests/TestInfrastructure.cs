using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using IrSuite.ServiceDefaults.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using RabbitMQ.Client;

namespace IrSuite.ServiceDefaults.Tests;

/// <summary>A clock the test moves by hand.</summary>
public sealed class SteppedClock(DateTimeOffset now) : TimeProvider
{
    private DateTimeOffset _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>The shared PostgreSQL and RabbitMQ of deploy/local-infra.sh (never restarted or reconfigured by a test).</summary>
public static class RealServers
{
    public static string Postgres => TestSupport.TestPostgres.Server;

    public static string RabbitUser => Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_USER") ?? "irsuite";

    public static string RabbitPassword => Environment.GetEnvironmentVariable("IRSUITE_TEST_RABBITMQ_PASSWORD")
        ?? throw new InvalidOperationException("IRSUITE_TEST_RABBITMQ_PASSWORD is not set: run the tests with deploy/run-tests.sh.");

    public const int RabbitPort = 5672;

    public static int PostgresPort => new NpgsqlConnectionStringBuilder(Postgres).Port;

    /// <summary>A database of the test's own (dropped by <see cref="DropDatabaseAsync"/>).</summary>
    public static Task<string> CreateDatabaseAsync(string prefix) => TestSupport.TestPostgres.CreateDatabaseAsync(prefix);

    public static Task DropDatabaseAsync(string name) => TestSupport.TestPostgres.DropDatabasesAsync(name);

    public static DatabaseOptions PostgresOptions(string database, string? server = null) =>
        new() { Provider = "postgres", ConnectionString = (server ?? Postgres) + $";Database={database}" };

    public static Task<IConnection> RabbitAsync() => new ConnectionFactory
    {
        HostName = "127.0.0.1",
        Port = RabbitPort,
        UserName = RabbitUser,
        Password = RabbitPassword,
    }.CreateConnectionAsync();

    /// <summary>Messages waiting in a queue (0 when it does not exist).</summary>
    public static async Task<uint> QueueDepthAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return 0;
        }
    }

    /// <summary>Deletes the queues and exchanges a test created (each on its own channel: a missing one closes the channel).</summary>
    public static async Task DeleteAsync(IConnection connection, IEnumerable<string> queues, IEnumerable<string> exchanges)
    {
        foreach (var queue in queues)
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeleteAsync(queue);
        }

        foreach (var exchange in exchanges)
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.ExchangeDeleteAsync(exchange);
        }
    }
}

/// <summary>
/// A loopback TCP forwarder in front of a real server, so a test can make the server unreachable for its own
/// connections only (<see cref="Break"/>) and reachable again (<see cref="Restore"/>) without touching the server.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly ConcurrentBag<TcpClient> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    public LoopbackProxy(int target)
    {
        _target = target;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Restore();
    }

    public int Port { get; }

    /// <summary>Stops listening and cuts every forwarded connection.</summary>
    public void Break()
    {
        _stop.Cancel();
        _listener?.Stop();
        _listener = null;
        while (_connections.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }

    public void Restore()
    {
        _stop.Dispose();
        _stop = new CancellationTokenSource();
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptAsync(listener, _stop.Token);
    }

    public ValueTask DisposeAsync()
    {
        Break();
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target, cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            _connections.Add(client);
            _connections.Add(upstream);
            _ = PumpAsync(client, upstream, cancellationToken);
            _ = PumpAsync(upstream, client, cancellationToken);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken cancellationToken)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or SocketException)
        {
            // The other side or Break() closed it.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}

/// <summary>Keeps every log entry at Error or above (a clean shutdown must log none).</summary>
public sealed class ErrorLogCollector : ILoggerProvider
{
    public ConcurrentQueue<string> Errors { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Errors);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                errors.Enqueue($"{category}: {formatter(state, exception)} {exception?.GetType().Name}");
            }
        }
    }
}

/// <summary>Polls an observable condition with a bound (no sleeps as synchronisation).</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for: {what}");
            await Task.Delay(50);
        }
    }
}

/// <summary>Records the message id of every <see cref="NoteWritten"/> the bus publishes, in publish order.</summary>
public sealed class NoteWrittenPublishes : MassTransit.IPublishObserver
{
    public ConcurrentQueue<Guid> Ids { get; } = new();

    public Task PrePublish<T>(MassTransit.PublishContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostPublish<T>(MassTransit.PublishContext<T> context)
        where T : class
    {
        if (context.Message is NoteWritten)
        {
            Ids.Enqueue(context.MessageId!.Value);
        }

        return Task.CompletedTask;
    }

    public Task PublishFault<T>(MassTransit.PublishContext<T> context, Exception exception)
        where T : class => Task.CompletedTask;
}
