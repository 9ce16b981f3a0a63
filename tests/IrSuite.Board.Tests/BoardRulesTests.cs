using IrSuite.Board.V1;
using IrSuite.Scheduling.Domain;
using SedationMode = IrSuite.Common.V1.SedationMode;

namespace IrSuite.Board.Tests;

/// <summary>The board's stage rules, pure: forward only, the clearance gate, a cancelled booking, overdue checks, the day.</summary>
public sealed class BoardRulesTests
{
    [Theory]
    [InlineData(SedationMode.Local, BoardStage.ReadyToSchedule)]
    [InlineData(SedationMode.LocalWithSedation, BoardStage.AwaitingClearance)]
    [InlineData(SedationMode.ConsciousSedation, BoardStage.AwaitingClearance)]
    [InlineData(SedationMode.General, BoardStage.AwaitingClearance)]
    public void AfterAccepted_BySedation_AwaitsClearanceUnlessLocal(SedationMode sedation, BoardStage expected) =>
        Assert.Equal(expected, BoardRules.AfterAccepted(sedation));

    [Theory]
    [InlineData("FIT", BoardStage.ReadyToSchedule)]
    [InlineData("FIT_WITH_CONDITIONS", BoardStage.ReadyToSchedule)]
    [InlineData("NOT_FIT", BoardStage.AwaitingClearance)]
    public void AfterClearance_AwaitingClearance_ReadyOnlyWhenFit(string decision, BoardStage expected)
    {
        var entry = new BoardEntryState { Stage = (long)BoardStage.AwaitingClearance };

        var next = BoardRules.AfterClearance(entry, decision);

        Assert.Equal(expected, next.BoardStage);
        Assert.Equal(decision, next.Clearance);
    }

    [Fact]
    public void AfterClearance_AlreadyScheduled_StageUnchanged() =>
        Assert.Equal(BoardStage.Scheduled, BoardRules.AfterClearance(new BoardEntryState { Stage = (long)BoardStage.Scheduled }, "FIT").BoardStage);

    [Fact]
    public void Advance_LateEventOfAnEarlierStage_NeverGoesBack()
    {
        Assert.Equal(BoardStage.InObservation, BoardRules.Advance(BoardStage.InObservation, BoardStage.InRoom));
        Assert.Equal(BoardStage.Discharged, BoardRules.Advance(BoardStage.ReadyForDischarge, BoardStage.Discharged));
    }

    [Theory]
    [InlineData(SedationMode.Local, "", BoardStage.ReadyToSchedule)]
    [InlineData(SedationMode.ConsciousSedation, "FIT", BoardStage.ReadyToSchedule)]
    [InlineData(SedationMode.ConsciousSedation, "", BoardStage.AwaitingClearance)]
    public void AfterCancelled_ScheduledProcedure_BackBeforeBookingWithoutSlot(SedationMode sedation, string clearance, BoardStage expected)
    {
        var entry = new BoardEntryState
        {
            Stage = (long)BoardStage.Scheduled, Sedation = (long)sedation, Clearance = clearance, Room = "IR-1", RecoveryBed = "REC-1", ScheduledStartMs = 1,
        };

        var next = BoardRules.AfterCancelled(entry);

        Assert.Equal(expected, next.BoardStage);
        Assert.Equal("", next.Room);
        Assert.Null(next.ScheduledStartMs);
    }

    [Fact]
    public void IsCheckOverdue_PastDueBeyondGrace_TrueOnlyWhileObserved()
    {
        var due = new DateTimeOffset(2031, 3, 4, 10, 15, 0, TimeSpan.Zero);
        var entry = new BoardEntryState { Stage = (long)BoardStage.InObservation, NextCheckDueMs = due.ToUnixTimeMilliseconds() };
        var grace = TimeSpan.FromMinutes(5);

        Assert.False(BoardRules.IsCheckOverdue(entry, due.AddMinutes(5), grace));
        Assert.True(BoardRules.IsCheckOverdue(entry, due.AddMinutes(5).AddSeconds(1), grace));
        Assert.False(BoardRules.IsCheckOverdue(entry with { Stage = (long)BoardStage.Discharged }, due.AddHours(1), grace));
        Assert.False(BoardRules.IsCheckOverdue(entry with { NextCheckDueMs = null }, due.AddHours(1), grace));
    }

    [Fact]
    public void IsShown_DischargedToday_ShownUntilTheDayEnds()
    {
        var dayStart = new DateTimeOffset(2031, 3, 4, 0, 0, 0, TimeSpan.FromHours(1));
        var discharged = new BoardEntryState { Stage = (long)BoardStage.Discharged, DischargedMs = dayStart.AddHours(15).ToUnixTimeMilliseconds() };

        Assert.True(BoardRules.IsShown(discharged, dayStart));
        Assert.False(BoardRules.IsShown(discharged, dayStart.AddDays(1)));
        Assert.True(BoardRules.IsShown(new BoardEntryState { Stage = (long)BoardStage.Scheduled }, dayStart.AddDays(30)));
    }
}
