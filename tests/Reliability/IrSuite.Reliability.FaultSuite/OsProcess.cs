using System.Diagnostics;
using System.Text;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>Starts programs, signals processes by their recorded id (never by name) and runs short commands.</summary>
public static class OsProcess
{
    public static Process Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, StringBuilder? output, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a command to completion within a bound; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var output = new StringBuilder();
        using var process = Start(fileName, args, environment, output);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, Text(output) + $"\n[timed out after {timeout}]");
        }

        process.WaitForExit();
        return (process.ExitCode, Text(output));
    }

    /// <summary>Sends a signal (KILL, STOP, CONT, TERM) to one process id.</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        var (code, output) = await RunAsync("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout: TimeSpan.FromSeconds(10));
        if (code != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed: {output}");
        }
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Waits for a condition, polling; false when the bound passes first.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan bound, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Not ready yet (a server still starting).
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(200));
        }

        return false;
    }

    /// <summary>A TCP port free right now on loopback, in a range the caller chooses (RabbitMQ derives ports from it).</summary>
    public static int FreePort(int from, int to)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(from, to);
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException($"No free port in {from}-{to}.");
    }

    private static void Append(StringBuilder? output, string? line)
    {
        if (output is null || line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    public static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
