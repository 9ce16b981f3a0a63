using System.Diagnostics;
using System.Text;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>One service host process, started (and restarted) by the harness and stopped or killed by its id.</summary>
public sealed class ServiceProcess(string service, string program, Func<IReadOnlyDictionary<string, string>> environment) : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;
    private bool _disposed;
    private volatile bool _exitExpected;

    public string Service => service;

    public int Pid => _process?.Id ?? 0;

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Started once, and ended without the harness stopping or killing it (a crash hook, or a service giving up).</summary>
    public bool ExitedOnItsOwn => _process is { HasExited: true } && !_exitExpected;

    /// <summary>The last process's exit code (null while it runs or before the first start).</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public string Output => OsProcess.Text(_output);

    public static string Dll(string program) => Path.Combine(AppContext.BaseDirectory, program + ".dll");

    public static string DotNet => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    /// <summary>The host's migrate command (as a deployment's migration job runs it).</summary>
    public async Task MigrateAsync()
    {
        var (code, output) = await OsProcess.RunAsync(DotNet, [Dll(program), "migrate"], environment(), TimeSpan.FromSeconds(120));
        if (code != 0)
        {
            throw new InvalidOperationException($"{program} migrate failed:\n{output}");
        }
    }

    /// <summary>Starts the host with extra settings (a fault hook) and waits until it serves.</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string>? extra = null)
    {
        var env = new Dictionary<string, string>(environment());
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            env[key] = value;
        }

        _process?.Dispose();
        _exitExpected = false;
        lock (_output)
        {
            _output.Clear();
        }

        _process = OsProcess.Start(DotNet, [Dll(program)], env, _output);
        var ready = await OsProcess.WaitUntilAsync(() => Task.FromResult(Output.Contains("Application started", StringComparison.Ordinal) || _process.HasExited), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(100));
        if (!ready || _process.HasExited)
        {
            throw new InvalidOperationException($"{program} did not start:\n{Output}");
        }
    }

    public async Task KillAsync()
    {
        _exitExpected = true;
        if (_process is not null && !_disposed && !_process.HasExited)
        {
            await OsProcess.SignalAsync(_process.Id, "KILL");
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Graceful stop (SIGTERM), bounded; kill -9 if it does not finish.</summary>
    public async Task StopAsync()
    {
        _exitExpected = true;
        if (_process is { HasExited: false })
        {
            await OsProcess.SignalAsync(_process.Id, "TERM");
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                await KillAsync();
            }
        }
    }

    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            await _process.WaitForExitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _disposed = true;
        _process?.Dispose();
    }
}
