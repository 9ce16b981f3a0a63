using Dapper;
using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.Data;
using IrSuite.ServiceDefaults.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.Discharge.Tests.Component;

/// <summary>The durable "observation-minimum" timer: fires once when due, never before, never twice.</summary>
public sealed class ObservationTimerTests : DischargeComponentTest
{
    [Fact]
    public async Task Timer_SweptBeforeDue_DoesNotFire_AtDue_FiresOnce()
    {
        var (referralId, patientId) = await OpenObservationAsync();

        Clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await Host.Sweeper.SweepOnceAsync(CancellationToken.None));
        Assert.Equal(0, await Host.OutboxCountAsync(nameof(ObservationMinimumElapsed)));

        Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await Host.Sweeper.SweepOnceAsync(CancellationToken.None));
        Assert.Equal(0, await Host.Sweeper.SweepOnceAsync(CancellationToken.None));

        // Another sweeper over the same table (a second replica, or the process after a restart) finds nothing.
        var other = new DueTimeSweeper<DischargeDatabase>(Host.Database, Host.Services, Clock, NullLogger<DueTimeSweeper<DischargeDatabase>>.Instance);
        Assert.Equal(0, await other.SweepOnceAsync(CancellationToken.None));

        Assert.Equal(1, await Host.OutboxCountAsync(nameof(ObservationMinimumElapsed)));
        var elapsed = await Host.Events.WaitForAsync<ObservationMinimumElapsed>(e => e.ReferralId == referralId);
        Assert.Equal(patientId, elapsed.PatientId);
        Assert.Equal(Start.AddHours(2), elapsed.OccurredAt);
        Assert.True((await Host.GetStatusAsync(referralId)).MinimumElapsed);
        await using var connection = await Host.Database.OpenAsync();
        Assert.Equal(
            Start.AddHours(2),
            await connection.ExecuteScalarAsync<DateTimeOffset>("SELECT minimum_elapsed_at FROM observation WHERE referral_id = @id", new { id = referralId.ToString() }));
    }

    [Fact]
    public async Task Timer_ServiceRestartedAfterFiring_DoesNotFireAgain()
    {
        var (referralId, _) = await OpenObservationAsync();
        Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(1, await Host.Sweeper.SweepOnceAsync(CancellationToken.None));
        await StopHostAsync(Host);

        var restarted = await StartHostAsync();
        Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, await restarted.Sweeper.SweepOnceAsync(CancellationToken.None));
        Assert.Equal(1, await restarted.OutboxCountAsync(nameof(ObservationMinimumElapsed)));
        Assert.True((await restarted.GetStatusAsync(referralId)).MinimumElapsed);
    }

    [Fact]
    public async Task Timer_DueWhileTheServiceWasDown_FiresOnceAfterRestart_WithTheDueTime()
    {
        var (referralId, _) = await OpenObservationAsync();
        await StopHostAsync(Host);
        Clock.Advance(TimeSpan.FromHours(6));

        var restarted = await StartHostAsync();

        // The hosted sweeper's first sweep, at start-up, fired it.
        Assert.Equal(0, await restarted.Sweeper.SweepOnceAsync(CancellationToken.None));
        Assert.Equal(1, await restarted.OutboxCountAsync(nameof(ObservationMinimumElapsed)));
        var elapsed = await restarted.Events.WaitForAsync<ObservationMinimumElapsed>(e => e.ReferralId == referralId);
        Assert.Equal(Start.AddHours(2), elapsed.OccurredAt);
    }

    [Fact]
    public async Task Timer_UnknownReferral_FiresWithoutEvent()
    {
        var orphan = Guid.NewGuid();
        await Host.Database.InTransactionAsync(async (connection, transaction) =>
        {
            await DueTimers.ScheduleAsync(connection, transaction, $"observation-minimum:{orphan}", "observation-minimum", orphan.ToString(), Start);
            return 0;
        });

        Assert.Equal(1, await Host.Sweeper.SweepOnceAsync(CancellationToken.None));

        Assert.Equal(0, await Host.OutboxCountAsync(nameof(ObservationMinimumElapsed)));
    }
}

/// <summary>The hosted sweeper, with its configured interval, fires the timer by itself once the clock passes the due time.</summary>
public sealed class BackgroundSweeperTests : DischargeComponentTest
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Discharge:SweepInterval"] = "00:00:01",
        ["SiteProtocol:Observation:Minimum:Value"] = "00:00:30",
    };

    [Fact]
    public async Task HostedSweeper_ClockPassesTheShortenedMinimum_PublishesObservationMinimumElapsed()
    {
        var (referralId, _) = await OpenObservationAsync();
        Assert.Equal(Start.AddSeconds(30), (await Host.GetStatusAsync(referralId)).MinimumUntil.ToDateTimeOffset());

        // Each manual second ends the sweeper's delay and it sweeps on its own; keep the clock moving (bounded)
        // until it has seen the due time, since a sweep may be running while the clock moves.
        Clock.Advance(TimeSpan.FromSeconds(30));
        ObservationMinimumElapsed? elapsed = null;
        for (var i = 0; i < 200 && elapsed is null; i++)
        {
            Clock.Advance(TimeSpan.FromSeconds(1));
            elapsed = await Host.Events.TryWaitForAsync<ObservationMinimumElapsed>(e => e.ReferralId == referralId, TimeSpan.FromMilliseconds(50));
        }

        Assert.NotNull(elapsed);
        Assert.Equal(Start.AddSeconds(30), elapsed.OccurredAt);
        Assert.Same(Host.Sweeper, Host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<DueTimeSweeper<DischargeDatabase>>().Single());
        Assert.Equal(TimeSpan.FromSeconds(1), Host.Sweeper.Interval);
    }
}
