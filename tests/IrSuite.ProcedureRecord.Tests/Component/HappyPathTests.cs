using Dapper;
using IrSuite.Contracts.Procedure;
using IrSuite.Procedure.V1;

namespace IrSuite.ProcedureRecord.Tests.Component;

public sealed class HappyPathTests : ComponentTestBase
{
    [Fact]
    public async Task Case_ScheduledThroughCompleted_RecordsEverythingAndPublishesEvents()
    {
        var referralId = Guid.NewGuid();
        var booked = await App.ScheduleAsync(referralId, ["l1", "T12"], room: "IR-2");
        var id = referralId.ToString();

        var worklist = await Client.GetWorklistAsync(new GetWorklistRequest { Date = "2026-11-23" });
        var listed = Assert.Single(worklist.Cases);
        Assert.Equal(id, listed.ReferralId);
        Assert.Equal(CaseStatus.Scheduled, listed.Status);
        Assert.Equal(["T12", "L1"], listed.ScheduledLevels);
        Assert.Equal(1, listed.Version);

        App.Clock.Advance(TimeSpan.FromMinutes(50));
        var signedIn = await Client.SignInAsync(FullSignIn(referralId));
        Assert.Equal(CaseStatus.SignedIn, signedIn.Status);
        Assert.Equal(App.Clock.GetUtcNow(), signedIn.SignedInAt.ToDateTimeOffset());
        Assert.Equal(2, signedIn.Version);

        App.Clock.Advance(TimeSpan.FromMinutes(15));
        var timedOut = await Client.TimeOutAsync(TimeOutOf(referralId, "L1", "t12"));
        Assert.Equal(CaseStatus.TimedOut, timedOut.Status);
        Assert.Equal(["T12", "L1"], timedOut.ConfirmedLevels);
        Assert.Equal("rad-007", timedOut.OperatorId);
        var timeOutAt = App.Clock.GetUtcNow();

        App.Clock.Advance(TimeSpan.FromMinutes(10));
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "T12"));
        var leak = TreatmentOf(referralId, "l1");
        leak.Leakage = Leakage.Disc;
        leak.CementVolumeMl = 3.2;
        await Client.RecordLevelTreatmentAsync(leak);
        await Client.RecordDoseAsync(DoseOf(referralId));
        var signedOut = await Client.SignOutAsync(FullSignOut(referralId, "T12", "L1"));
        Assert.Equal(CaseStatus.SignedOut, signedOut.Status);

        App.Clock.Advance(TimeSpan.FromMinutes(5));
        var complete = new CompleteCaseRequest { ReferralId = id };
        complete.Complications.Add(new Complication { Code = "PUNCTURE_SITE_HAEMATOMA", CirseGrade = 1 });
        var completed = await Client.CompleteCaseAsync(complete);
        var endedAt = App.Clock.GetUtcNow();
        Assert.Equal(CaseStatus.Completed, completed.Status);
        Assert.Equal(endedAt, completed.EndedAt.ToDateTimeOffset());

        var summary = await Client.GetProcedureSummaryAsync(id);
        Assert.Equal(booked.PatientId.ToString(), summary.PatientId);
        Assert.Equal(CaseStatus.Completed, summary.Status);
        Assert.Equal("IR-2", summary.Room);
        Assert.Equal(booked.Start, summary.ScheduledStart.ToDateTimeOffset());
        Assert.Equal(["T12", "L1"], summary.ConfirmedLevels);
        Assert.Equal(2, summary.Treatments.Count);
        var l1 = summary.Treatments.Single(t => t.Level == "L1");
        Assert.Equal(Leakage.Disc, l1.Leakage);
        Assert.Equal(3.2, l1.CementVolumeMl);
        Assert.Equal("LOT-2026-117", l1.CementLot);
        Assert.Equal(Approach.Bipedicular, l1.Approach);
        Assert.Equal(11, l1.TrocarGauge);
        Assert.Equal(32.4, summary.Dose.DoseAreaProductGyCm2);
        Assert.Equal(210, summary.Dose.ReferenceAirKermaMgy);
        Assert.Equal(312, summary.Dose.FluoroscopySeconds);
        Assert.Equal(420, summary.Dose.CtDlpMgyCm);
        var complication = Assert.Single(summary.Complications);
        Assert.Equal("PUNCTURE_SITE_HAEMATOMA", complication.Code);
        Assert.Equal(1, complication.CirseGrade);
        Assert.Equal(timeOutAt, summary.TimedOutAt.ToDateTimeOffset());
        Assert.NotNull(summary.SignedOutAt);
        Assert.Equal(endedAt, summary.EndedAt.ToDateTimeOffset());
        Assert.Equal(completed.Version, summary.Version);
        Assert.Equal(8, summary.Version);

        // Events leave through the outbox, in order, and reach subscribers (the discharge service).
        var started = await App.Events.WaitForAsync<ProcedureStarted>(referralId, e => e.ReferralId);
        Assert.Equal(booked.PatientId, started.PatientId);
        Assert.Equal(["T12", "L1"], started.ConfirmedLevels);
        Assert.Equal(timeOutAt, started.OccurredAt);
        var done = await App.Events.WaitForAsync<ProcedureCompleted>(referralId, e => e.ReferralId);
        Assert.Equal(booked.PatientId, done.PatientId);
        Assert.Equal(["T12", "L1"], done.TreatedLevels);
        Assert.Equal(1, done.ComplicationCount);
        Assert.Equal(1, done.MaxCirseGrade);
        Assert.Equal(endedAt, done.EndedAt);

        await using var connection = await App.Database.OpenAsync();
        var types = (await connection.QueryAsync<string>("SELECT message_type FROM outbox_message WHERE aggregate_id = @id ORDER BY seq", new { id })).ToList();
        Assert.Equal(2, types.Count);
        Assert.StartsWith(typeof(ProcedureStarted).FullName!, types[0], StringComparison.Ordinal);
        Assert.StartsWith(typeof(ProcedureCompleted).FullName!, types[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscontinueCase_AfterTimeOut_EndsCaseAndPublishesEvent()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        App.Clock.Advance(TimeSpan.FromMinutes(12));

        var discontinued = await Client.DiscontinueCaseAsync(new DiscontinueCaseRequest { ReferralId = referralId.ToString(), Reason = "PATIENT_UNSTABLE" });

        Assert.Equal(CaseStatus.Discontinued, discontinued.Status);
        Assert.Equal(App.Clock.GetUtcNow(), discontinued.EndedAt.ToDateTimeOffset());
        var published = await App.Events.WaitForAsync<ProcedureDiscontinued>(referralId, e => e.ReferralId);
        Assert.Equal("PATIENT_UNSTABLE", published.Reason);
        Assert.Equal(App.Clock.GetUtcNow(), published.OccurredAt);
    }

    [Fact]
    public async Task RecordDose_Twice_ReplacesDose()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        await Client.RecordDoseAsync(DoseOf(referralId));
        var corrected = DoseOf(referralId);
        corrected.FluoroscopySeconds = 400;
        corrected.CtDlpMgyCm = 0;
        corrected.ControlCtDone = false;

        var updated = await Client.RecordDoseAsync(corrected);

        Assert.Equal(400, updated.Dose.FluoroscopySeconds);
        Assert.Equal(0, updated.Dose.CtDlpMgyCm);
        Assert.Equal(400, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Dose.FluoroscopySeconds);
    }

    [Fact]
    public async Task TimeOut_SecondWithNewOperator_RecordsOperatorWithoutSecondStartEvent()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var second = TimeOutOf(referralId, "L1");

        var updated = await Client.TimeOutAsync(second, SecondOperator);

        Assert.Equal("rad-008", updated.OperatorId);
        await using var connection = await App.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM outbox_message WHERE aggregate_id = @id", new { id = referralId.ToString() }));
    }
}
