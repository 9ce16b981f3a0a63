using IrSuite.ServiceDefaults.Observability;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// Recovers a bus whose publishing is stuck (decision 0019). After a broker crash, RabbitMQ.Client 7 can leave a send
/// endpoint holding a channel of the dead connection: MassTransit never learns it is gone, so every publish of that
/// message type fails (disposed channel) or hangs (exchange declare without reply) while the rest of the bus has
/// reconnected. The relays report every publish here, by message type. A type is stuck when its publishes have failed
/// without a success for <see cref="StuckAfter"/> (at least <see cref="MinimumFailures"/> of them) while the bus reports
/// itself connected, or for <see cref="GiveUpAfter"/> whatever it reports. Then:
/// <list type="number">
/// <item>the bus is stopped and started (its cached send endpoints and their channels go with it);</item>
/// <item>if that does not complete in time, or a type is stuck again within <see cref="Cooldown"/> of a restart, the
/// service stops itself with exit code <see cref="ExitCode"/>, for its supervisor (Kubernetes, compose, systemd) to
/// start it again: a new process has no dead channel.</item>
/// </list>
/// The rows stay pending in the outbox meanwhile: nothing is lost, only delayed.
/// </summary>
public sealed partial class BusRecycler : IDisposable
{
    /// <summary>The exit code of a service that stopped itself because its bus could not be recovered (EX_SOFTWARE).</summary>
    public const int ExitCode = 70;

    private readonly IBusControl _bus;
    private readonly TimeProvider _network;
    private readonly ILogger<BusRecycler> _logger;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _recycling = new(1, 1);
    private readonly Dictionary<string, (DateTimeOffset Since, DateTimeOffset Last, int Failures)> _failing = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastRecycle;
    private bool _gaveUp;

    /// <param name="network">
    /// Network time, not the clinical clock: tests that move the clinical clock must not make a healthy bus look stuck.
    /// </param>
    public BusRecycler(IBusControl bus, TimeProvider network, ILogger<BusRecycler> logger)
    {
        _bus = bus;
        _network = network;
        _logger = logger;
    }

    /// <summary>How long a message type's publishes must have failed, with the bus connected, before the bus is restarted.</summary>
    public TimeSpan StuckAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long they must have failed before the bus is restarted even though it reports itself not connected.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromMinutes(2);

    public int MinimumFailures { get; init; } = 3;

    /// <summary>A failure this long after the previous one of its type starts a new count.</summary>
    public TimeSpan ForgetAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A type stuck again within this time after a restart means the restart did not help.</summary>
    public TimeSpan Cooldown { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the stop, then the start, may each take.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether the bus reports its broker connection and endpoints up (replaced in tests).</summary>
    public Func<bool> IsConnected { get; init; } = () => false;

    /// <summary>What giving up does: by default, stop the service so that its supervisor starts a new process.</summary>
    public Action GiveUp { get; init; } = () => { };

    /// <summary>How many times this process restarted its bus.</summary>
    public int Recycles { get; private set; }

    internal static BusRecycler Create(IBusControl bus, TimeProvider network, ILogger<BusRecycler> logger, IHostApplicationLifetime lifetime) =>
        new(bus, network, logger)
        {
            IsConnected = () => bus.CheckHealth().Status == BusHealthStatus.Healthy,
            GiveUp = () =>
            {
                Environment.ExitCode = ExitCode;
                lifetime.StopApplication();
                // A graceful stop can itself wait on the dead channel: the process ends regardless after the host's
                // shutdown timeout and a margin.
                _ = Task.Delay(TimeSpan.FromSeconds(45), network).ContinueWith(_ => Environment.Exit(ExitCode), TaskScheduler.Default);
            },
        };

    /// <summary>A publish of this type was confirmed: its send path works.</summary>
    public void Succeeded(string messageType)
    {
        lock (_lock)
        {
            _failing.Remove(messageType);
        }
    }

    /// <summary>A publish of this type failed for a reason other than the row itself; recovers the bus when that type is stuck.</summary>
    /// <returns>Whether the bus was restarted.</returns>
    public async Task<bool> FailedAsync(string service, string messageType, CancellationToken cancellationToken)
    {
        TimeSpan failingFor;
        int failures;
        bool again;
        lock (_lock)
        {
            if (_gaveUp)
            {
                return false;
            }

            var now = _network.GetUtcNow();
            // Failures far apart are separate blips, not one stuck endpoint (the relay retries a failed row within ~45 s).
            var (since, count) = _failing.TryGetValue(messageType, out var entry) && now - entry.Last <= ForgetAfter ? (entry.Since, entry.Failures) : (now, 0);
            failures = count + 1;
            _failing[messageType] = (since, now, failures);
            failingFor = now - since;
            if (failures < MinimumFailures || failingFor < StuckAfter)
            {
                return false;
            }

            again = _lastRecycle is { } last && now - last < Cooldown;
        }

        var connected = IsConnected();
        if (!connected && failingFor < GiveUpAfter)
        {
            return false; // the broker is away: MassTransit reconnects by itself, a restart would not help yet
        }

        if (!await _recycling.WaitAsync(0, cancellationToken))
        {
            return false; // another relay of this process is restarting it
        }

        try
        {
            if (again)
            {
                GiveUpNow(service, messageType, "stuck again after a restart");
                return false;
            }

            LogRecycling(service, OutboxRelay<Data.ServiceDatabase>.ShortName(messageType), failures, failingFor.TotalSeconds, connected);
            lock (_lock)
            {
                _lastRecycle = _network.GetUtcNow();
            }

            if (!await RestartAsync(service, cancellationToken))
            {
                GiveUpNow(service, messageType, "the restart did not complete");
                return false;
            }

            lock (_lock)
            {
                _lastRecycle = _network.GetUtcNow();
                _failing.Clear();
                Recycles++;
            }

            MessagingMetrics.BusRecycles.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("outcome", "restarted"));
            LogRecycled(service);
            return true;
        }
        finally
        {
            _recycling.Release();
        }
    }

    public void Dispose() => _recycling.Dispose();

    private async Task<bool> RestartAsync(string service, CancellationToken cancellationToken)
    {
        // WaitAsync bounds both steps even where MassTransit does not observe the token (a stop can wait on the dead channel).
        try
        {
            using var stop = new CancellationTokenSource(OperationTimeout);
            await _bus.StopAsync(stop.Token).WaitAsync(OperationTimeout, _network, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRestartStep(service, "stop", ex.GetType().Name);
            return false;
        }

        try
        {
            using var start = new CancellationTokenSource(OperationTimeout);
            await _bus.StartAsync(start.Token).WaitAsync(OperationTimeout, _network, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRestartStep(service, "start", ex.GetType().Name);
            return false;
        }
    }

    private void GiveUpNow(string service, string messageType, string reason)
    {
        lock (_lock)
        {
            _gaveUp = true;
        }

        MessagingMetrics.BusRecycles.Add(1, new KeyValuePair<string, object?>("service", service), new KeyValuePair<string, object?>("outcome", "process_exit"));
        LogGivingUp(service, OutboxRelay<Data.ServiceDatabase>.ShortName(messageType), reason, ExitCode);
        GiveUp();
    }

    [LoggerMessage(EventId = 220, Level = LogLevel.Warning, Message = "Bus of {Service}: publishing {MessageType} failed {Failures} times over {Seconds:F0} s (bus connected: {Connected}); stopping and starting the bus")]
    private partial void LogRecycling(string service, string messageType, int failures, double seconds, bool connected);

    [LoggerMessage(EventId = 221, Level = LogLevel.Information, Message = "Bus of {Service} restarted; publishing resumes")]
    private partial void LogRecycled(string service);

    [LoggerMessage(EventId = 222, Level = LogLevel.Warning, Message = "Bus of {Service}: the {Step} did not complete ({Reason})")]
    private partial void LogRestartStep(string service, string step, string reason);

    [LoggerMessage(EventId = 223, Level = LogLevel.Critical, Message = "Bus of {Service}: publishing {MessageType} is stuck and cannot be recovered in this process ({Reason}); stopping the service with exit code {ExitCode} for its supervisor to restart it. Pending events wait in the outbox")]
    private partial void LogGivingUp(string service, string messageType, string reason, int exitCode);
}
