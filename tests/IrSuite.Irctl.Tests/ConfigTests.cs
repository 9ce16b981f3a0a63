using System.Text.Json;
using IrSuite.TestSupport;

namespace IrSuite.Irctl.Tests;

/// <summary>Connection settings: token from --token, else IRCTL_TOKEN, else the config file; config show never prints the token.</summary>
[Collection(SuiteCollection.Name)]
public sealed class ConfigTests(SuiteFixture fixture)
{
    private static readonly string FlagToken = TestIdentity.Token("from-flag", "nurse");
    private static readonly string EnvironmentToken = TestIdentity.Token("from-env", "scheduler");
    private static readonly string FileToken = TestIdentity.Token("from-file", "radiologist", "anesthesiologist");

    [Fact]
    public async Task Token_FlagThenEnvironmentThenConfigFile_FirstOneSetWins()
    {
        using var irctl = new IrctlRunner(fixture.Clock);
        var config = Path.Combine(irctl.Home, "irctl.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, string> { ["address"] = fixture.Suite.Address, ["token"] = FileToken }));
        irctl.Variables["IRCTL_CONFIG"] = config;
        irctl.Variables["IRCTL_TOKEN"] = EnvironmentToken;

        var fromFlag = await irctl.OkAsync("config", "show", "--token", FlagToken, "-o", "json");
        var fromEnvironment = await irctl.OkAsync("config", "show", "-o", "json");
        irctl.Variables.Remove("IRCTL_TOKEN");
        var fromFile = await irctl.OkAsync("config", "show", "-o", "json");

        Assert.Equal("from-flag", fromFlag.Json.GetProperty("subject").GetString());
        Assert.Equal("--token", fromFlag.Json.GetProperty("token_source").GetString());
        Assert.Equal("from-env", fromEnvironment.Json.GetProperty("subject").GetString());
        Assert.Equal("IRCTL_TOKEN", fromEnvironment.Json.GetProperty("token_source").GetString());
        Assert.Equal("from-file", fromFile.Json.GetProperty("subject").GetString());
        Assert.Equal(["radiologist", "anesthesiologist"], fromFile.Json.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(fixture.Suite.Address, fromFile.Json.GetProperty("address").GetString());
        foreach (var result in new[] { fromFlag, fromEnvironment, fromFile })
        {
            Assert.DoesNotContain(FlagToken, result.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(EnvironmentToken, result.Out, StringComparison.Ordinal);
            Assert.DoesNotContain(FileToken, result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ConfigFile_TokenFileAndAddress_UsedForCalls()
    {
        using var irctl = new IrctlRunner(fixture.Clock);
        var folder = Path.Combine(irctl.Home, ".config", "irctl");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "token.jwt"), fixture.Token + "\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(new Dictionary<string, string> { ["address"] = fixture.Suite.Address, ["token_file"] = "token.jwt" }));

        var show = await irctl.OkAsync("config", "show");
        var call = await irctl.OkAsync("discharge", "board");

        Assert.Contains("test-clinician", show.Out, StringComparison.Ordinal);
        Assert.Contains("token_file", show.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Token, show.Out, StringComparison.Ordinal);
        Assert.Contains("in observation", call.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigShow_NoToken_SaysNotSetAndHowToGetOne()
    {
        using var irctl = new IrctlRunner(fixture.Clock);

        var show = await irctl.OkAsync("config", "show");

        Assert.Contains("not set", show.Out, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:5100 (default)", show.Out, StringComparison.Ordinal);
        Assert.Contains("-- token --role", show.Error, StringComparison.Ordinal);
    }
}
