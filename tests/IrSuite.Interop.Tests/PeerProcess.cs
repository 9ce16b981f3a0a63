using System.Diagnostics;
using System.Text;

namespace IrSuite.Interop.Tests;

/// <summary>
/// A process the tests start: a server that prints <c>READY &lt;port&gt;</c> (started on port 0 so the OS picks
/// a free port), or a client run to completion. Stopped by its own process id, never by name.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    public static async Task<PeerProcess> StartServerAsync(string fileName, params string[] args)
    {
        var peer = Start(fileName, args);
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
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, TimeSpan timeout, params string[] args)
    {
        await using var peer = Start(fileName, args);
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

    private static PeerProcess Start(string fileName, string[] args)
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

        if (line.StartsWith("READY ", StringComparison.Ordinal) && int.TryParse(line.AsSpan(6), out var port))
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
