using IrSuite.Reliability.FaultSuite;
using Xunit.Abstractions;

namespace IrSuite.Reliability.Tests;

/// <summary>
/// Issue 5 item 7 at small N: every scenario must lose nothing and apply nothing twice (T12 reports its loss instead:
/// without mandatory publishes an event sent before its consumer's queue exists is dropped by the broker).
/// tests/Reliability/run-fault-suite.sh runs the same scenarios at full size and prints the table.
/// </summary>
[Collection(FaultSuiteCollection.Name)]
public sealed class FaultScenarioTests(FaultSuiteFixture fixture, ITestOutputHelper output)
{
    private const int Patients = 6;
    private const int Concurrency = 3;
    private static readonly TimeSpan ObservationMinimum = TimeSpan.FromSeconds(2);

    [Fact]
    public Task Baseline_NoFault_NothingLostOrAppliedTwice() => RunAsync(Scenarios.T0);

    [Fact]
    public Task Broker_GracefulRestart_NothingLostOrAppliedTwice() => RunAsync(Scenarios.T1);

    [Fact]
    public Task Broker_KillNine_NothingLostOrAppliedTwice() => RunAsync(Scenarios.T2);

    [Fact]
    public Task Broker_Hang_NothingLostOrAppliedTwice() => RunAsync(Scenarios.T3);

    [Fact]
    public Task Postgres_FastRestart_NothingLostOrAppliedTwice() => RunAsync(Scenarios.T5Restart);

    [Fact]
    public Task Postgres_PostmasterKillNine_NothingLostOrAppliedTwice() => RunAsync(Scenarios.T5Kill);

    [Fact]
    public async Task Consumer_CrashBeforeCommit_RedeliveredAndAppliedOnce()
    {
        var result = await RunAsync(Scenarios.T6BeforeCommit);
        Assert.Contains("crash hook fired", result.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumer_CrashAfterCommitBeforeAck_RedeliveryAbsorbedByInbox()
    {
        var result = await RunAsync(Scenarios.T6AfterCommit);
        Assert.Contains("crash hook fired", result.Notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_CrashAfterPublishBeforeMark_DuplicateDeliveredNotApplied()
    {
        var result = await RunAsync(Scenarios.T6Relay);
        Assert.Contains("crash hook fired", result.Notes, StringComparison.Ordinal);
        Assert.True(result.DeliveredDuplicates >= 1, "the message published before the crash is published again");
    }

    [Fact]
    public async Task DuplicateStorm_SameMessageIdsRepublished_AppliedOnce()
    {
        var result = await RunAsync(Scenarios.T7);
        Assert.True(result.DeliveredTotal > result.DeliveredUnique, "the storm delivered duplicates");
    }

    [Fact]
    public async Task Poison_MalformedAndUnknownMessages_IsolatedWhileHealthyTrafficFlows()
    {
        var result = await RunAsync(Scenarios.T8);
        Assert.Contains("poison isolated: True", result.Notes, StringComparison.Ordinal);
        Assert.Equal(result.Attempted, result.Ok);
    }

    [Fact]
    public async Task Timers_ServiceKilledAndBrokerRestartedInWindow_EachFiresOnceNotEarly()
    {
        var result = await RunAsync(Scenarios.T9);
        Assert.True(result.Timers.Expected > 0, "observations were opened");
        Assert.Equal(result.Timers.Expected, result.Timers.Fired);
        Assert.Equal(0, result.Timers.Early);
    }

    [Fact]
    public async Task StartOrder_PublisherBeforeConsumers_LossReportedNothingAppliedTwice()
    {
        var result = await RunAsync(Scenarios.T12);
        output.WriteLine($"T12 lost (downstream: published before the consumer's queue existed): {result.LostDownstream}");
        Assert.True(result.Applied > 0, "the walks after start-up were consumed, so the loss figure is measured");
        Assert.Equal(0, result.AppliedDuplicates);
        Assert.Equal(0, result.Ghost);
    }

    private async Task<ScenarioResult> RunAsync(Scenario scenario)
    {
        var result = await fixture.Suite.RunAsync(scenario, Patients, Concurrency, ObservationMinimum);
        output.WriteLine(ResultTable.Header);
        output.WriteLine(ResultTable.Row(result));
        if (result.Diagnostics.Length > 0)
        {
            output.WriteLine(result.Diagnostics);
        }
        Assert.Equal(Patients, result.Attempted);
        Assert.Equal(0, result.Ghost);
        if (scenario.ExpectNoLoss)
        {
            Assert.Equal(0, result.Lost);
            Assert.Equal(0, result.AppliedDuplicates);
            Assert.True(result.Committed > 0 && result.Published == result.Committed, $"published {result.Published} of {result.Committed}");
        }

        return result;
    }
}
