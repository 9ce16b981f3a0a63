using IrSuite.ServiceDefaults.Observability;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// Rebuilds the bus when its publishing side is stuck (decision 0019). After a broker crash, RabbitMQ.Client 7 can
/// leave a send endpoint holding a channel of the dead connection: MassTransit never learns it is gone, so every
/// publish to that exchange fails (disposed channel) or hangs (exchange declare without reply) while the rest of the
/// bus has reconnected. Stopping and starting the bus drops its cached send and publish endpoints and their channels.
/// The relays report every publish here; when publishes have failed without a success for
/// <see cref="StuckAfter"/> (at least <see cref="MinimumFailures"/> of them) while the bus reports itself connected,
/// or for <see cref="GiveUpAfter"/> whatever it reports, the bus is stopped and started, at most once per
/// <see cref="Cooldown"/>. The rows stay pending in the outbox meanwhile: nothing is lost, only delayed.
/// </summary>
public sealed partial class BusRecycler : IDisposable
{
    private readonly IBusControl _bus;
    private readonly TimeProvider _network;
    private readonly ILogger<BusRecycler> _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _recycling = new(1, 1);
    private DateTimeOffset? _failingSince;
    private int _failures;
    private DateTimeOffset? _lastRecycle;

    /// <param name="network">
    /// Network time, not the clinical clock: tests that move the clinical clock must not make a healthy bus look stuck.
    /// </param>
    public BusRecycler(IBusControl bus, TimeProvider network, ILogger<BusRecycler> logger)
    {
        _bus = bus;
        _network = network;
        _logger = logger;
    }

    /// <summary>How long publishes must have failed, with the bus connected, before it is rebuilt.</summary>
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long publishes must have failed before the bus is rebuilt even though it reports itself not connected.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromMinutes(2);

    public int MinimumFailures { get; init; } = 3;

    /// <summary>The least time between two rebuilds.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the stop, then the start, may each take.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the bus reports its broker connection and endpoints up (replaced in tests).</summary>
    public Func<bool> IsConnected { get; init; } = () => false;

    /// <summary>How many times this process rebuilt its bus.</summary>
    public int Recycles { get; private set; }

    internal static BusRecycler Create(IBusControl bus, TimeProvider network, ILogger<BusRecycler> logger) =>
        new(bus, network, logger) { IsConnected = () => bus.CheckHealth().Status == BusHealthStatus.Healthy };

    /// <summary>A publish was confirmed: the send path works.</summary>
    public void Succeeded()
    {
        lock (_lock)
        {
            _failingSince = null;
            _failures = 0;
        }
    }

    /// <summary>A publish failed for a reason other than the row itself; rebuilds the bus when that makes it stuck.</summary>
    /// <returns>Whether the bus was rebuilt.</returns>
    public async Task<bool> FailedAsync(string service, CancellationToken cancellationToken)
    {
        TimeSpan failingFor;
        int failures;
        lock (_lock)
        {
            var now = _network.GetUtcNow();
            _failingSince ??= now;
            failures = ++_failures;
            failingFor = now - _failingSince.Value;
            if (failures < MinimumFailures || failingFor < StuckAfter || (_lastRecycle is { } last && now - last < Cooldown))
            {
                return false;
            }
        }

        var connected = IsConnected();
        if (!connected && failingFor < GiveUpAfter)
        {
            return false; // the broker is away: MassTransit reconnects by itself, a rebuild would not help yet
        }

        if (!await _recycling.WaitAsync(0, cancellationToken))
        {
            return false; // another relay of this process is rebuilding it
        }

        try
        {
            LogRecycling(service, failures, failingFor.TotalSeconds, connected);
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                stop.CancelAfter(OperationTimeout);
                try
                {
                    await _bus.StopAsync(stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or TimeoutException && !cancellationToken.IsCancellationRequested)
                {
                    LogStopIncomplete(service, ex.GetType().Name); // the stuck channel may never answer: start anyway
                }
            }

            using (var start = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                start.CancelAfter(OperationTimeout);
                await _bus.StartAsync(start.Token);
            }

            lock (_lock)
            {
                _lastRecycle = _network.GetUtcNow();
                _failingSince = null;
                _failures = 0;
                Recycles++;
            }

            MessagingMetrics.BusRecycles.Add(1, new KeyValuePair<string, object?>("service", service));
            LogRecycled(service);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            lock (_lock)
            {
                _lastRecycle = _network.GetUtcNow(); // a failed rebuild waits out the cooldown too
            }

            LogRecycleFailed(service, ex);
            return false;
        }
        finally
        {
            _recycling.Release();
        }
    }

    public void Dispose() => _recycling.Dispose();

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "Bus of {Service}: {Failures} publishes failed over {Seconds:F0} s with the bus connected={Connected}; stopping and starting the bus")]
    private partial void LogRecycling(string service, int failures, double seconds, bool connected);

    [LoggerMessage(EventId = 221, Level = LogLevel.Information, Message = "Bus of {Service} restarted; publishing resumes")]
    private partial void LogRecycled(string service);

    [LoggerMessage(EventId = 222, Level = LogLevel.Warning, Message = "Bus of {Service}: the stop did not complete ({Reason}); starting it anyway")]
    private partial void LogStopIncomplete(string service, string reason);

    [LoggerMessage(EventId = 223, Level = LogLevel.Error, Message = "Bus of {Service} could not be restarted; will try again after the cooldown")]
    private partial void LogRecycleFailed(string service, Exception exception);
}
