using System.Diagnostics;
using System.Text;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>
/// A RabbitMQ node of its own (name, ports, data and logs in a temp dir; no plug-ins), so faults never touch the
/// shared broker other test projects use. Stopped, killed or paused only through the beam process id it records.
/// </summary>
public sealed class PrivateRabbitMq : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin/";
    private readonly string _dir;
    private readonly Dictionary<string, string> _environment;
    private readonly StringBuilder _output = new();
    private Process? _wrapper;

    private PrivateRabbitMq(string dir, int port, int distPort)
    {
        _dir = dir;
        Port = port;
        Node = $"irsuite-fault-{port}@localhost";
        _environment = new Dictionary<string, string>
        {
            ["HOME"] = dir, // the node's and the CLI's Erlang cookie live here
            ["RABBITMQ_NODENAME"] = Node,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dir, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(dir, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(dir, "beam.pid"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dir, "enabled_plugins"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dir, "rabbitmq"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(dir, "advanced.config"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dir, "rabbitmq-env.conf"),
        };
        Password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
    }

    public int Port { get; }

    public string Node { get; }

    public string User => "faults";

    public string Password { get; }

    /// <summary>The beam process id of the running node (0 while down).</summary>
    public int Pid { get; private set; }

    public static async Task<PrivateRabbitMq> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "irsuite-faults-mq-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "enabled_plugins"), "[].");
        // AMQP in 20000-24999 and distribution in 10000-14999: RabbitMQ's CLI takes distribution port + 10000, and
        // both stay below the shared node's 25672 and the kernel's ephemeral range.
        var broker = new PrivateRabbitMq(dir, OsProcess.FreePort(20000, 25000), OsProcess.FreePort(10000, 15000));
        await broker.StartNodeAsync();
        await broker.CtlAsync("add_user", broker.User, broker.Password);
        return broker;
    }

    /// <summary>Starts the node process (after a kill) and waits until the broker application runs.</summary>
    public async Task StartNodeAsync()
    {
        File.Delete(_environment["RABBITMQ_PID_FILE"]);
        _wrapper?.Dispose();
        _wrapper = OsProcess.Start(Bin + "rabbitmq-server", [], _environment, _output, _dir);
        await CtlAsync("wait", _environment["RABBITMQ_PID_FILE"], "--timeout", "90");
        Pid = int.Parse((await File.ReadAllTextAsync(_environment["RABBITMQ_PID_FILE"])).Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>T1: the broker application stops and starts; the Erlang VM stays.</summary>
    public async Task RestartGracefullyAsync(TimeSpan down)
    {
        await CtlAsync("stop_app");
        await Task.Delay(down);
        await CtlAsync("start_app");
    }

    /// <summary>T2: kill -9 the node, then start it again after <paramref name="down"/>.</summary>
    public async Task KillAndRestartAsync(TimeSpan down)
    {
        await OsProcess.SignalAsync(Pid, "KILL");
        await OsProcess.WaitUntilAsync(() => Task.FromResult(!OsProcess.IsAlive(Pid)), TimeSpan.FromSeconds(20));
        if (_wrapper is not null)
        {
            await _wrapper.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        Pid = 0;
        await Task.Delay(down);
        await StartNodeAsync();
    }

    /// <summary>T3: SIGSTOP the node for <paramref name="hang"/>, then SIGCONT.</summary>
    public async Task HangAsync(TimeSpan hang)
    {
        await OsProcess.SignalAsync(Pid, "STOP");
        try
        {
            await Task.Delay(hang);
        }
        finally
        {
            await OsProcess.SignalAsync(Pid, "CONT");
        }
    }

    public async Task AddVirtualHostAsync(string vhost)
    {
        await CtlAsync("add_vhost", vhost);
        await CtlAsync("set_permissions", "-p", vhost, User, ".*", ".*", ".*");
    }

    public Task DeleteVirtualHostAsync(string vhost) => CtlAsync("delete_vhost", vhost);

    /// <summary>Queue name, messages (ready + unacknowledged) and consumers of one virtual host.</summary>
    public async Task<List<(string Name, long Messages, long Consumers)>> ListQueuesAsync(string vhost)
    {
        var output = await CtlAsync("-q", "list_queues", "-p", vhost, "name", "messages", "consumers", "--no-table-headers");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t', StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 3 && long.TryParse(p[1], out _))
            .Select(p => (p[0], long.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), long.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (Pid != 0 && OsProcess.IsAlive(Pid))
        {
            await OsProcess.SignalAsync(Pid, "CONT").ContinueWith(_ => { }, TaskScheduler.Default);
            await OsProcess.SignalAsync(Pid, "KILL").ContinueWith(_ => { }, TaskScheduler.Default);
            await OsProcess.WaitUntilAsync(() => Task.FromResult(!OsProcess.IsAlive(Pid)), TimeSpan.FromSeconds(20));
        }

        if (_wrapper is not null)
        {
            if (!_wrapper.HasExited)
            {
                _wrapper.Kill(entireProcessTree: true);
            }

            _wrapper.Dispose();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process; the temp dir is cleaned later.
        }
    }

    private async Task<string> CtlAsync(params string[] args)
    {
        var (code, output) = await OsProcess.RunAsync(Bin + "rabbitmqctl", ["-n", Node, .. args], _environment, TimeSpan.FromSeconds(100));
        if (code != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', args)} failed ({code}): {output}\n{OsProcess.Text(_output)}");
        }

        return output;
    }
}
