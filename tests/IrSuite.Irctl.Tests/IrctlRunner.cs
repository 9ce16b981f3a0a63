using System.Text.Json;

namespace IrSuite.Irctl.Tests;

/// <summary>What one irctl run printed and returned.</summary>
public sealed record IrctlResult(int ExitCode, string Out, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;

    public JsonElement ErrorJson => JsonDocument.Parse(Error).RootElement;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>
/// Runs irctl in-process through <see cref="IrctlApp.RunAsync"/> with captured output, its own environment variables,
/// a temporary home directory (no real config file is read) and the suite's clock.
/// </summary>
public sealed class IrctlRunner(TimeProvider clock) : IDisposable
{
    public Dictionary<string, string> Variables { get; } = [];

    public string Home { get; } = Directory.CreateTempSubdirectory("irctl-home-").FullName;

    public async Task<IrctlResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new IrctlEnvironment
        {
            Out = output,
            Error = error,
            GetVariable = name => Variables.GetValueOrDefault(name),
            HomeDirectory = Home,
            Clock = clock,
            Width = 240,
        };
        var exit = await IrctlApp.RunAsync(args, environment);
        return new IrctlResult(exit, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts success, returning the result.</summary>
    public async Task<IrctlResult> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"irctl {string.Join(' ', args)}\n{result}");
        return result;
    }

    /// <summary>Runs until the command succeeds and <paramref name="done"/> holds (another service's event has arrived), within 30 s.</summary>
    public async Task<IrctlResult> EventuallyAsync(Func<IrctlResult, bool> done, params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var pause = 20;
        while (true)
        {
            var result = await RunAsync(args);
            if (result.ExitCode == 0 && done(result))
            {
                return result;
            }

            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"irctl {string.Join(' ', args)} did not reach the expected state within 30 s\n{result}");
            }

            await Task.Delay(pause, CancellationToken.None);
            pause = Math.Min(100, pause * 2);
        }
    }

    public void Dispose() => Directory.Delete(Home, recursive: true);
}
