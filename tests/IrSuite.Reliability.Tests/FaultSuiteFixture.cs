using IrSuite.Reliability.FaultSuite;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace IrSuite.Reliability.Tests;

/// <summary>One private PostgreSQL and one private RabbitMQ for all scenarios (each scenario gets its own database and virtual host).</summary>
public sealed class FaultSuiteFixture : IAsyncLifetime
{
    private readonly IMessageSink _diagnostics;

    public FaultSuiteFixture(IMessageSink diagnostics)
    {
        _diagnostics = diagnostics;
    }

    public FaultSuite.FaultSuite Suite { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Suite = await FaultSuite.FaultSuite.StartAsync(line => _diagnostics.OnMessage(new DiagnosticMessage(line)));

    public async Task DisposeAsync()
    {
        if (Suite is not null)
        {
            await Suite.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FaultSuiteCollection : ICollectionFixture<FaultSuiteFixture>
{
    public const string Name = "fault suite";
}
