using IrSuite.ProcedureRecord.Domain;

namespace IrSuite.ProcedureRecord.Tests.Domain;

/// <summary>The MPPS state machine and the worklist's DICOM helpers, without I/O (decision 0016).</summary>
public sealed class ModalityDomainTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid Referral = Guid.NewGuid();

    [Fact]
    public void Decide_CompletedFirst_AppliedWithStartFromTheReport()
    {
        var decision = StepRules.Decide(null, Referral, Report(StepStatus.Completed, At.AddMinutes(30), started: At, dap: 20), "or-1", At.AddMinutes(31));

        Assert.Equal(StepOutcome.Applied, decision.Outcome);
        Assert.Equal((StepStatus.Completed, At, At.AddMinutes(30)), (decision.NewState!.Status, decision.NewState.StartedAt, decision.NewState.EndedAt));
    }

    [Theory]
    [InlineData(StepStatus.Completed, StepStatus.InProgress, StepOutcome.Stale, "STEP_ALREADY_FINAL")]
    [InlineData(StepStatus.Completed, StepStatus.Discontinued, StepOutcome.Rejected, "STEP_ALREADY_COMPLETED")]
    [InlineData(StepStatus.Completed, StepStatus.Completed, StepOutcome.Rejected, "STEP_ALREADY_COMPLETED")]
    [InlineData(StepStatus.Discontinued, StepStatus.Completed, StepOutcome.Rejected, "STEP_ALREADY_DISCONTINUED")]
    [InlineData(StepStatus.Discontinued, StepStatus.InProgress, StepOutcome.Stale, "STEP_ALREADY_FINAL")]
    public void Decide_OnAFinalStep_NeverChangesIt(StepStatus stored, StepStatus reported, StepOutcome outcome, string reason)
    {
        var decision = StepRules.Decide(Stored(stored), Referral, Report(reported, At.AddHours(1), dap: 99), "or-1", At.AddHours(1));

        Assert.Equal((outcome, reason), (decision.Outcome, decision.Reason));
        Assert.Null(decision.NewState);
    }

    [Fact]
    public void Decide_OlderInProgressUpdate_StaleButAFinalReportStillEndsTheStep()
    {
        var open = Stored(StepStatus.InProgress) with { LastReportAt = At.AddMinutes(20) };

        Assert.Equal(StepOutcome.Stale, StepRules.Decide(open, Referral, Report(StepStatus.InProgress, At.AddMinutes(10)), "or-1", At).Outcome);
        var final = StepRules.Decide(open, Referral, Report(StepStatus.Completed, At.AddMinutes(15), dap: 12), "or-1", At);
        Assert.Equal((StepOutcome.Applied, StepStatus.Completed, 12.0), (final.Outcome, final.NewState!.Status, final.NewState.DoseAreaProductGyCm2));
        Assert.Equal(At, final.NewState.StartedAt);
    }

    [Fact]
    public void Decide_StepOfAnotherCase_Rejected() =>
        Assert.Equal("STEP_OF_ANOTHER_ACCESSION", StepRules.Decide(Stored(StepStatus.InProgress), Guid.NewGuid(), Report(StepStatus.Completed, At), "or-1", At).Reason);

    [Fact]
    public void Fingerprint_SameContentSame_AnyFieldChangesIt()
    {
        var report = Report(StepStatus.Completed, At, dap: 20);

        Assert.Equal(report.Fingerprint(), (report with { }).Fingerprint());
        Assert.NotEqual(report.Fingerprint(), (report with { DoseAreaProductGyCm2 = 20.01 }).Fingerprint());
        Assert.NotEqual(report.Fingerprint(), (report with { OccurredAt = At.AddMilliseconds(1) }).Fingerprint());
    }

    [Theory]
    [InlineData("NOT_APPLICABLE", 1)]
    [InlineData("EXCLUDED", 1)]
    [InlineData("POSSIBLE", 2)]
    [InlineData("PREGNANT", 3)]
    [InlineData("", 4)]
    [InlineData("SOMETHING_NEW", 4)]
    public void DicomPregnancyStatus_BookingCode_Value1To4(string code, int expected) =>
        Assert.Equal(expected, Accession.DicomPregnancyStatus(code));

    [Fact]
    public void Accession_FormatAndParse_RoundTripWithinDicomSh()
    {
        var text = Accession.Format(42);

        Assert.Equal("IR0000000042", text);
        Assert.True(text.Length <= 16);
        Assert.Equal(42, Accession.Parse(text));
        Assert.Null(Accession.Parse("IR000000004"));
        Assert.Null(Accession.Parse("XX0000000042"));
        Assert.Null(Accession.Parse("IR0000000000"));
        Assert.Null(Accession.Parse("IR00000-0042"));
    }

    [Fact]
    public void StudyInstanceUid_FromReferral_StableDecimal225UidWithin64()
    {
        var referral = Guid.Parse("f81d4fae-7dec-11d0-a765-00a0c91e6bf6");

        // The example of ITU-T X.667 / DICOM PS3.5 B.2.
        Assert.Equal("2.25.329800735698586629295641978511506172918", Accession.StudyInstanceUid(referral));
        Assert.True(Accession.StudyInstanceUid(Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff")).Length <= 64);
    }

    [Fact]
    public void StationAeTitle_ConfiguredOrRoomNameCleaned()
    {
        Assert.Equal("CARM_IR1", ModalityWorklist.StationAeTitle("IR-1", new Dictionary<string, string> { ["IR-1"] = "CARM_IR1" }));
        Assert.Equal("IR-2", ModalityWorklist.StationAeTitle("IR-2", new Dictionary<string, string>()));
        Assert.Equal("SALLE_2_RADIO_IN", ModalityWorklist.StationAeTitle("salle 2 radio interventionnelle", new Dictionary<string, string>()));
    }

    [Fact]
    public void ModalityDose_Check_MatchesWithin10PercentElseDiffers()
    {
        var steps = new[] { Stored(StepStatus.Completed) with { DoseAreaProductGyCm2 = 30, FluoroscopySeconds = 300 } };

        Assert.Null(ModalityDose.Check([], null));
        Assert.Equal("NO_RECORDED_DOSE", ModalityDose.Check(steps, null)!.Value.Result);
        Assert.Equal("MATCHES", ModalityDose.Check(steps, new RadiationDose(32.9, 200, 329, 0))!.Value.Result);
        Assert.Equal("DIFFERS", ModalityDose.Check(steps, new RadiationDose(33.1, 200, 300, 0))!.Value.Result);
        Assert.Equal("DIFFERS", ModalityDose.Check(steps, new RadiationDose(30, 200, 200, 0))!.Value.Result);
    }

    private static StepReport Report(StepStatus status, DateTimeOffset at, DateTimeOffset? started = null, double dap = 10) =>
        new("IR0000000001", "step-1", status, at, started, 100, dap, 0, "CARM", status == StepStatus.Discontinued ? "OTHER" : "");

    private static PerformedStep Stored(StepStatus status) =>
        new("step-1", Referral, status, At, status == StepStatus.InProgress ? null : At.AddMinutes(30), At, 100, 10, 0, "CARM", "", "or-1", At, At);
}
