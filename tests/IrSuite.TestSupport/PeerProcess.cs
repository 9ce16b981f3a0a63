using System.Diagnostics;
using System.Text;

namespace IrSuite.TestSupport;

/// <summary>
/// A process the tests start: a server that prints <c>READY &lt;port&gt;</c> (started on port 0 so the OS picks
/// a free port), or a client run to completion. Stopped by its own process id, never by name.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _readyLine;

    private PeerProcess(Process process)
    {
        _process = process;
    }

    public int Port { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Debian's interpreter, which has python3-grpcio (the python3 first on PATH may not).</summary>
    public const string Python = "/usr/bin/python3";

    public static string PythonDir => Path.Combine(RepoRoot, "tests", "Interop", "python");

    public static string DotNet => Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";

    public static string OwnProgram(string name) => Path.Combine(AppContext.BaseDirectory, name + ".dll");

    /// <summary>A TCP port free right now on loopback (for programs that cannot announce the port they bound).</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Task<PeerProcess> StartServerAsync(string fileName, params string[] args) =>
        StartServerAsync(fileName, args, environment: null);

    public static async Task<PeerProcess> StartServerAsync(string fileName, string[] args, IReadOnlyDictionary<string, string>? environment, string? readyLine = null)
    {
        var peer = Start(fileName, args, environment);
        peer._readyLine = readyLine;
        var winner = await Task.WhenAny(peer._ready.Task, peer._process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (winner != peer._ready.Task)
        {
            var output = peer.Output;
            await peer.DisposeAsync();
            throw new InvalidOperationException($"{fileName} {string.Join(' ', args)} did not become ready:\n{output}");
        }

        peer.Port = await peer._ready.Task;
        return peer;
    }

    /// <summary>Runs a program to completion; returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> RunAsync(string fileName, TimeSpan timeout, params string[] args) =>
        RunAsync(fileName, timeout, args, environment: null);

    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, TimeSpan timeout, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        await using var peer = Start(fileName, args, environment);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await peer._process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return (-1, peer.Output + $"\n[timed out after {timeout}]");
        }

        peer._process.WaitForExit(); // flush the asynchronous output readers
        return (peer._process.ExitCode, peer.Output);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static PeerProcess Start(string fileName, string[] args, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = PythonDir,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        var peer = new PeerProcess(process);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return peer;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (_readyLine is not null)
        {
            if (line.Contains(_readyLine, StringComparison.Ordinal))
            {
                _ready.TrySetResult(0);
            }
        }
        else if (line.StartsWith("READY ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(6), out var port))
        {
            _ready.TrySetResult(port);
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IrSuite.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IrSuite.sln not found above " + AppContext.BaseDirectory);
    }
}
