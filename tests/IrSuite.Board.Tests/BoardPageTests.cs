using System.Diagnostics;
using System.Threading.Channels;
using IrSuite.Board.V1;
using IrSuite.Scheduling.Board;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Board.Tests;

/// <summary>
/// The board page in a real browser: Debian's Chromium, headless, driven by web/board-page.mjs (playwright-core,
/// installed by deploy/install-test-prerequisites.sh). The test and the script speak in lines (commands on the script's
/// stdin, answers on its stdout), never in sleeps; the suite runs on a manual clock.
/// </summary>
public sealed class BoardPageTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string WebDirectory = Path.Combine(PeerProcess.RepoRoot, "tests", "IrSuite.Board.Tests", "web");

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _log = [];
    private InProcessSuite _suite = null!;
    private Process? _browser;

    public async Task InitializeAsync() => _suite = await InProcessSuite.StartAsync(_time);

    public async Task DisposeAsync()
    {
        if (_browser is { HasExited: false })
        {
            // Stopped by its process id (and Chromium's children with it).
            Process.GetProcessById(_browser.Id).Kill(entireProcessTree: true);
            await _browser.WaitForExitAsync();
        }

        _browser?.Dispose();
        await _suite.DisposeAsync();
    }

    [Fact]
    public async Task Page_PatientThroughTheRecoveryRoom_AppearsMovesToObservationAndCountsDown()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run deploy/install-test-prerequisites.sh (Debian package chromium).");
        Assert.True(Directory.Exists(Path.Combine(WebDirectory, "node_modules", "playwright-core")),
            "playwright-core is missing: run deploy/install-test-prerequisites.sh (npm ci in tests/IrSuite.Board.Tests/web).");
        var page = _suite.Services.GetRequiredService<BoardHttpEndpoint>().PageUrl;
        StartBrowser(page, TestIdentity.Token("nurse-recovery", Roles.Nurse));
        await ExpectAsync("READY");

        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_suite.Channel), _time)
        {
            AdvanceClock = by =>
            {
                _time.Advance(by);
                return Task.CompletedTask;
            },
        };
        var prepared = await walker.PrepareAsync(1, new PatientProfile { Levels = ["L1"] });
        var id = prepared.Referral.ReferralId;
        await SendAsync($"WAIT_ENTRY {id} {BoardStage.ReadyToSchedule.ToWire()}");
        await ExpectAsync($"ENTRY {id} {BoardStage.ReadyToSchedule.ToWire()}");

        var start = walker.DefaultSlot(1);
        await walker.BookProcedureAsync(prepared, start);
        await walker.PerformProcedureAsync(prepared, start);
        await SendAsync($"WAIT_ENTRY {id} {BoardStage.InObservation.ToWire()}");
        await ExpectAsync($"ENTRY {id} {BoardStage.InObservation.ToWire()}");

        await SendAsync($"TIME_LEFT {id}");
        var before = SecondsLeft(await ExpectAsync($"TIME_LEFT {id} "));
        Assert.InRange(before, 7000, 7200);

        // Ten minutes on the server's clock: the heartbeat carries the new server time and the countdown follows it.
        _time.Advance(TimeSpan.FromMinutes(10));
        await SendAsync($"WAIT_TIME_LEFT_BELOW {id} {before - 540}");
        var after = SecondsLeft(await ExpectAsync($"TIME_LEFT {id} "));
        Assert.InRange(before - after, 595, 630);

        // Past the first check (15 min) and its grace (5 min) with no round: the card is highlighted as overdue.
        _time.Advance(TimeSpan.FromMinutes(11));
        await SendAsync($"WAIT_CLASS {id} overdue");
        await ExpectAsync($"CLASS {id} overdue");

        await SendAsync("QUIT");
        await ExpectAsync("BYE");
        await _browser!.WaitForExitAsync();
        Assert.Equal(0, _browser.ExitCode);
    }

    private static int SecondsLeft(string line) => int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private void StartBrowser(string url, string token)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = WebDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("board-page.mjs");
        start.ArgumentList.Add(url);
        start.Environment["IRSUITE_BOARD_TOKEN"] = token;
        _browser = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        _browser.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _browser.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_log)
                {
                    _log.Add(e.Data);
                }
            }
        };
        _browser.BeginOutputReadLine();
        _browser.BeginErrorReadLine();
    }

    private async Task SendAsync(string command)
    {
        await _browser!.StandardInput.WriteLineAsync(command);
        await _browser.StandardInput.FlushAsync();
    }

    /// <summary>The script's next stdout line, which must start with <paramref name="prefix"/> (an ERROR line fails the test).</summary>
    private async Task<string> ExpectAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string line;
        try
        {
            line = await _lines.Reader.ReadAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            throw new Xunit.Sdk.XunitException($"No '{prefix}' from the browser script. stderr: {string.Join(" | ", StderrLines())}");
        }

        Assert.True(line.StartsWith(prefix, StringComparison.Ordinal), $"Expected '{prefix}...', got '{line}'. stderr: {string.Join(" | ", StderrLines())}");
        return line;
    }

    private List<string> StderrLines()
    {
        lock (_log)
        {
            return [.. _log.TakeLast(20)];
        }
    }
}

/// <summary>The proto name of a stage, as the page (protobuf JSON) shows it.</summary>
internal static class BoardStageWire
{
    public static string ToWire(this BoardStage stage) =>
        BoardReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.EnumDescriptor>("BoardStage").FindValueByNumber((int)stage).Name;
}
