using IrSuite.Contracts.Scheduling;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>The worklist as scheduling's events shape it (consumed through the inbox).</summary>
public sealed class SchedulingEventTests : ComponentTestBase
{
    private static readonly DateTimeOffset Monday = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    private async Task<IReadOnlyList<ProcedureCase>> WorklistAsync(string date = "2026-11-23", string room = "") =>
        (await Client.GetWorklistAsync(new GetWorklistRequest { Date = date, Room = room })).Cases;

    [Fact]
    public async Task GetWorklist_DayAndRoom_OnlyThatDaysCasesInStartOrder()
    {
        var late = Guid.NewGuid();
        var early = Guid.NewGuid();
        var otherRoom = Guid.NewGuid();
        var lastMinute = Guid.NewGuid();
        var nextDay = Guid.NewGuid();
        await App.ScheduleAsync(late, start: Monday.AddHours(14));
        await App.ScheduleAsync(early, start: Monday.AddHours(8));
        await App.ScheduleAsync(otherRoom, room: "IR-2", start: Monday.AddHours(10));
        await App.ScheduleAsync(lastMinute, start: Monday.AddDays(1).AddTicks(-TimeSpan.TicksPerMillisecond));
        await App.ScheduleAsync(nextDay, start: Monday.AddDays(1));

        var all = await WorklistAsync();
        var room1 = await WorklistAsync(room: "IR-1");
        var tuesday = await WorklistAsync("2026-11-24");

        Assert.Equal([early, otherRoom, late, lastMinute], all.Select(c => Guid.Parse(c.ReferralId)));
        Assert.Equal([early, late, lastMinute], room1.Select(c => Guid.Parse(c.ReferralId)));
        Assert.Equal([nextDay], tuesday.Select(c => Guid.Parse(c.ReferralId)));
        Assert.Empty(await WorklistAsync("2026-11-22"));
    }

    [Fact]
    public async Task GetWorklist_StartedCase_StaysListedWithItsStatus()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);

        var listed = Assert.Single(await WorklistAsync());

        Assert.Equal(referralId.ToString(), listed.ReferralId);
        Assert.Equal(CaseStatus.TimedOut, listed.Status);
    }

    [Fact]
    public async Task ProcedureScheduled_RescheduledBeforeSignIn_MovesSlot()
    {
        var referralId = Guid.NewGuid();
        var first = await App.ScheduleAsync(referralId, ["L1"]);
        App.Clock.Advance(TimeSpan.FromMinutes(1));

        await App.DeliverAsync(first with { Levels = ["L1", "L2"], Room = "IR-3", Start = Monday.AddDays(2).AddHours(9), OccurredAt = App.Clock.GetUtcNow() });

        var summary = await Client.GetProcedureSummaryAsync(referralId.ToString());
        Assert.Equal("IR-3", summary.Room);
        Assert.Equal(["L1", "L2"], summary.ScheduledLevels);
        Assert.Equal(Monday.AddDays(2).AddHours(9), summary.ScheduledStart.ToDateTimeOffset());
        Assert.Equal(2, summary.Version);
        Assert.Empty(await WorklistAsync());
        Assert.Single(await WorklistAsync("2026-11-25"));
    }

    [Fact]
    public async Task ProcedureScheduled_AfterSignIn_LeavesCaseAlone()
    {
        var referralId = Guid.NewGuid();
        var first = await App.ScheduleAsync(referralId, ["L1"]);
        await Client.SignInAsync(FullSignIn(referralId));
        App.Clock.Advance(TimeSpan.FromMinutes(1));

        await App.DeliverAsync(first with { Levels = ["L2"], Room = "IR-3", OccurredAt = App.Clock.GetUtcNow() });

        var summary = await Client.GetProcedureSummaryAsync(referralId.ToString());
        Assert.Equal(CaseStatus.SignedIn, summary.Status);
        Assert.Equal(["L1"], summary.ScheduledLevels);
        Assert.Equal("IR-1", summary.Room);
    }

    [Fact]
    public async Task ProcedureScheduled_Redelivered_AppliedOnce()
    {
        var referralId = Guid.NewGuid();
        var first = await App.ScheduleAsync(referralId, ["L1"]);
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        var moved = first with { Room = "IR-3", OccurredAt = App.Clock.GetUtcNow() };
        var messageId = Guid.NewGuid();

        await App.DeliverAsync(moved, messageId);
        await App.DeliverAsync(moved with { Room = "IR-9" }, messageId);

        var summary = await Client.GetProcedureSummaryAsync(referralId.ToString());
        Assert.Equal("IR-3", summary.Room);
        Assert.Equal(2, summary.Version);
    }

    [Fact]
    public async Task ProcedureCancelled_Scheduled_RemovedFromWorklistAndRefusesSignIn()
    {
        var referralId = Guid.NewGuid();
        var kept = Guid.NewGuid();
        var booked = await App.ScheduleAsync(referralId);
        await App.ScheduleAsync(kept);
        App.Clock.Advance(TimeSpan.FromMinutes(1));

        await App.DeliverAsync(new ProcedureCancelled(referralId, booked.PatientId, App.Clock.GetUtcNow()));

        Assert.Equal([kept.ToString()], (await WorklistAsync()).Select(c => c.ReferralId));
        Assert.Equal(CaseStatus.Discontinued, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
        await AssertGateAsync("SIGN_IN_NOT_ALLOWED", () => Client.SignInAsync(FullSignIn(referralId)));
    }

    [Fact]
    public async Task ProcedureCancelled_ThenBookedAgain_BackOnWorklist()
    {
        var referralId = Guid.NewGuid();
        var booked = await App.ScheduleAsync(referralId);
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        await App.DeliverAsync(new ProcedureCancelled(referralId, booked.PatientId, App.Clock.GetUtcNow()));
        App.Clock.Advance(TimeSpan.FromMinutes(1));

        await App.DeliverAsync(booked with { Start = Monday.AddHours(15), OccurredAt = App.Clock.GetUtcNow() });

        var listed = Assert.Single(await WorklistAsync());
        Assert.Equal(CaseStatus.Scheduled, listed.Status);
        Assert.Equal(Monday.AddHours(15), listed.ScheduledStart.ToDateTimeOffset());
    }

    [Fact]
    public async Task ProcedureCancelled_AfterSignIn_LeftAlone()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);
        var patientId = Guid.Parse((await Client.GetProcedureSummaryAsync(referralId.ToString())).PatientId);
        App.Clock.Advance(TimeSpan.FromMinutes(1));

        await App.DeliverAsync(new ProcedureCancelled(referralId, patientId, App.Clock.GetUtcNow()));

        Assert.Equal(CaseStatus.SignedIn, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
        Assert.Single(await WorklistAsync());
    }

    [Fact]
    public async Task ProcedureCancelled_UnknownReferral_Ignored()
    {
        var referralId = Guid.NewGuid();

        await App.DeliverAsync(new ProcedureCancelled(referralId, Guid.NewGuid(), App.Clock.GetUtcNow()));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.GetProcedureSummaryAsync(referralId.ToString()));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }
}
