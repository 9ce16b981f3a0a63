using System.Text.Json;

namespace IrSuite.Irctl.Tests;

/// <summary><c>irctl board</c> against the embedded suite: the snapshot, the live stream and its stage filter.</summary>
[Collection(SuiteCollection.Name)]
public sealed class BoardCommandTests(SuiteFixture fixture)
{
    [Fact]
    public async Task Board_Once_ShowsANewReferralAsReferred_AndTheStageFilterHidesIt()
    {
        using var irctl = fixture.Runner();
        var id = await ErrorReportingTests.SubmitAsync(irctl);

        var table = await irctl.OkAsync("board", "--once");
        var json = await irctl.OkAsync("board", "--once", "-o", "json");
        var observationOnly = await irctl.OkAsync("board", "--once", "--stage", "in-observation", "-o", "json");

        Assert.Contains(id, table.Out, StringComparison.Ordinal);
        Assert.Contains("REFERRED", table.Out, StringComparison.Ordinal);
        var entry = Assert.Single(json.Json.GetProperty("entries").EnumerateArray(), e => e.GetProperty("referralId").GetString() == id);
        Assert.Equal("BOARD_STAGE_REFERRED", entry.GetProperty("stage").GetString());
        Assert.DoesNotContain(observationOnly.Json.GetProperty("entries").EnumerateArray(), e => e.GetProperty("referralId").GetString() == id);
    }

    [Fact]
    public async Task Board_Live_SnapshotThenHeartbeatOnTheSuitesClock_OneJsonObjectALine()
    {
        using var irctl = fixture.Runner();
        var id = await ErrorReportingTests.SubmitAsync(irctl);

        // The heartbeat runs on the suite's (manual) clock: move it on until the second message has arrived.
        var watching = irctl.RunAsync("board", "--updates", "2", "-o", "json");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!watching.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "irctl board did not receive two messages in time.");
            fixture.Clock.Advance(TimeSpan.FromSeconds(15));
            await Task.WhenAny(watching, Task.Delay(50));
        }

        var result = await watching;
        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Contains(lines[0].GetProperty("snapshot").GetProperty("entries").EnumerateArray(), e => e.GetProperty("referralId").GetString() == id);
        Assert.True(lines[1].TryGetProperty("heartbeat", out _) || lines[1].TryGetProperty("upserted", out _), result.Out);
        Assert.True(lines[1].GetProperty("serverTime").GetDateTimeOffset() >= lines[0].GetProperty("serverTime").GetDateTimeOffset());
    }

    [Fact]
    public async Task Board_UnknownStage_UsageErrorExit2()
    {
        using var irctl = fixture.Runner();

        var result = await irctl.RunAsync("board", "--once", "--stage", "in-the-canteen");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("in-observation", result.Error, StringComparison.Ordinal);
    }
}
