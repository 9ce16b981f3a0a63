using IrSuite.Security.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;

namespace IrSuite.Security.Tests.Auth;

/// <summary>A production site can switch server reflection off (<c>Grpc:Reflection:Enabled=false</c>); health stays open.</summary>
public sealed class ReflectionSwitchTests
{
    [Fact]
    public async Task ReflectionDisabled_Unimplemented_HealthStillOpen_TokensStillRequired()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        await using var suite = await InProcessSuite.StartAsync(clock, b => b.Configuration["Grpc:Reflection:Enabled"] = "false");
        var token = TestIdentity.TokenAt(clock.GetUtcNow(), TimeSpan.FromHours(1), "ops-2", Roles.Ops);
        var script = Path.Combine(PeerProcess.RepoRoot, "tests", "IrSuite.Security.Tests", "Auth", "auth_probe.py");

        var (exitCode, output) = await PeerProcess.RunAsync("/usr/bin/python3", TimeSpan.FromSeconds(60), script, suite.Address.Replace("http://", "", StringComparison.Ordinal), token);

        Assert.True(exitCode == 0, output);
        Assert.Contains("reflection-no-token UNIMPLEMENTED", output, StringComparison.Ordinal);
        Assert.Contains("health-no-token OK", output, StringComparison.Ordinal);
        Assert.Contains("no-token UNAUTHENTICATED", output, StringComparison.Ordinal);
        Assert.Contains("valid-token OK", output, StringComparison.Ordinal);
    }
}
