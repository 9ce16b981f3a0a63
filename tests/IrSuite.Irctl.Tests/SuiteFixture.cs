using IrSuite.TestSupport;

namespace IrSuite.Irctl.Tests;

/// <summary>One embedded suite on a manual clock for the irctl tests; irctl reaches it through IRCTL_ADDRESS.</summary>
public sealed class SuiteFixture : IAsyncLifetime
{
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public InProcessSuite Suite { get; private set; } = null!;

    /// <summary>The whole care team (scheduler, radiologist, anaesthesiologist, nurse) as test-clinician.</summary>
    public string Token { get; } = TestIdentity.Token();

    public async Task InitializeAsync() => Suite = await InProcessSuite.StartAsync(Clock);

    public async Task DisposeAsync() => await Suite.DisposeAsync();

    /// <summary>A runner pointed at the suite (IRCTL_ADDRESS) presenting the care team's token (IRCTL_TOKEN).</summary>
    public IrctlRunner Runner(bool withToken = true)
    {
        var runner = new IrctlRunner(Clock);
        runner.Variables["IRCTL_ADDRESS"] = Suite.Address;
        if (withToken)
        {
            runner.Variables["IRCTL_TOKEN"] = Token;
        }

        return runner;
    }
}

[CollectionDefinition(Name)]
public sealed class SuiteCollection : ICollectionFixture<SuiteFixture>
{
    public const string Name = "irctl against the embedded suite";
}
