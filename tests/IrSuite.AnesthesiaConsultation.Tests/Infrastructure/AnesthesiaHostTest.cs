namespace IrSuite.AnesthesiaConsultation.Tests.Infrastructure;

/// <summary>A test class whose every test gets a fresh anaesthesia host; a test fails if the host logged an error.</summary>
public abstract class AnesthesiaHostTest : IAsyncLifetime
{
    protected AnesthesiaServiceHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await AnesthesiaServiceHost.StartAsync();

    public async Task DisposeAsync()
    {
        var errors = Host.Errors.Entries.ToList();
        await Host.DisposeAsync();
        Assert.Empty(errors);
    }
}
