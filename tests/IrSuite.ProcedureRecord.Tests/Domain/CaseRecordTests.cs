using IrSuite.ProcedureRecord.Domain;

namespace IrSuite.ProcedureRecord.Tests.Domain;

public sealed class CaseRecordTests
{
    private static readonly DateTimeOffset Booked = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Start.AddMinutes(5);
    private static readonly Guid ReferralId = Guid.NewGuid();
    private static readonly Guid PatientId = Guid.NewGuid();
    private static readonly SignInChecklist SignInDone = SignInChecklist.Complete;
    private static readonly SignOutChecklist SignOutDone = SignOutChecklist.Complete;
    private static readonly RadiationDose Dose = new(25.5, 180, 240, 350, true);

    private static CaseRecord Scheduled(params string[] levels)
    {
        levels = levels.Length == 0 ? ["T12", "L1"] : levels;
        return CaseRecord.Schedule(ReferralId, PatientId, levels, "IR-1", Start, Booked, DomainFixtures.LocalBooking(levels));
    }

    private static CaseRecord SignedIn()
    {
        var record = Scheduled();
        record.SignIn(SignInDone, Now);
        return record;
    }

    private static CaseRecord TimedOut()
    {
        var record = SignedIn();
        record.TimeOut(["T12", "L1"], "op-1", Now.AddMinutes(10));
        return record;
    }

    private static CaseRecord Treated()
    {
        var record = TimedOut();
        record.RecordTreatment(Treatment("T12"));
        record.RecordTreatment(Treatment("L1"));
        record.RecordDose(Dose);
        return record;
    }

    private static CaseRecord SignedOut()
    {
        var record = Treated();
        record.SignOut(SignOutDone, Now.AddMinutes(50));
        return record;
    }

    private static CaseRecord Completed()
    {
        var record = SignedOut();
        record.Complete([], Now.AddMinutes(55));
        return record;
    }

    private static CaseRecord Discontinued()
    {
        var record = SignedIn();
        record.Discontinue("PATIENT_UNSTABLE", Now.AddMinutes(3));
        return record;
    }

    private static CaseRecord Cancelled()
    {
        var record = Scheduled();
        record.Cancel(Booked.AddDays(1));
        return record;
    }

    private static TreatedLevel Treatment(string level, CementLeakage leakage = CementLeakage.None, bool symptomatic = false) =>
        new(level, TrocarApproach.Bipedicular, 11, 3.5, "PMMA-X", "LOT-42", leakage, symptomatic, Now.AddMinutes(20), new DateOnly(2027, 1, 31), null, "op-1");

    private static void AssertGate(string rule, Action command)
    {
        var gate = Assert.Throws<ClinicalGateException>(command);
        Assert.Equal(rule, gate.Rule);
    }

    public static TheoryData<string> AllStates() => new() { "Scheduled", "SignedIn", "TimedOut", "SignedOut", "Completed", "Discontinued", "Cancelled" };

    private static CaseRecord InState(string state) => state switch
    {
        "Scheduled" => Scheduled(),
        "SignedIn" => SignedIn(),
        "TimedOut" => TimedOut(),
        "SignedOut" => SignedOut(),
        "Completed" => Completed(),
        "Discontinued" => Discontinued(),
        _ => Cancelled(),
    };

    [Fact]
    public void Schedule_NewCase_IsScheduledWithSlot()
    {
        var record = Scheduled();

        Assert.Equal(CaseState.Scheduled, record.State);
        Assert.Equal(["T12", "L1"], record.ScheduledLevels);
        Assert.Empty(record.ConfirmedLevels);
        Assert.Equal("IR-1", record.Room);
        Assert.Equal(Start, record.ScheduledStart);
        Assert.Equal(0, record.Version);
    }

    [Fact]
    public void ApplySchedule_BeforeSignIn_MovesSlotAndLevels()
    {
        var record = Scheduled();

        var outcome = record.ApplySchedule(PatientId, ["L2"], "IR-2", Start.AddDays(1), Booked.AddHours(1));

        Assert.Equal(ScheduleOutcome.Updated, outcome);
        Assert.Equal(["L2"], record.ScheduledLevels);
        Assert.Equal("IR-2", record.Room);
        Assert.Equal(Start.AddDays(1), record.ScheduledStart);
    }

    [Fact]
    public void ApplySchedule_SameSlot_IsUnchanged()
    {
        var record = Scheduled();

        Assert.Equal(ScheduleOutcome.Unchanged, record.ApplySchedule(PatientId, ["T12", "L1"], "IR-1", Start, Booked.AddHours(1)));
    }

    [Fact]
    public void ApplySchedule_OlderEvent_IsStaleAndIgnored()
    {
        var record = Scheduled();

        Assert.Equal(ScheduleOutcome.Stale, record.ApplySchedule(PatientId, ["L2"], "IR-2", Start.AddDays(1), Booked.AddHours(-1)));
        Assert.Equal("IR-1", record.Room);
    }

    [Fact]
    public void ApplySchedule_AfterSignIn_LeavesCaseAlone()
    {
        var record = SignedIn();

        Assert.Equal(ScheduleOutcome.AlreadyStarted, record.ApplySchedule(PatientId, ["L2"], "IR-2", Start.AddDays(1), Booked.AddHours(1)));
        Assert.Equal(["T12", "L1"], record.ScheduledLevels);
        Assert.Equal(CaseState.SignedIn, record.State);
    }

    [Fact]
    public void ApplySchedule_OtherPatient_IsRefused()
    {
        var record = Scheduled();

        Assert.Equal(ScheduleOutcome.PatientMismatch, record.ApplySchedule(Guid.NewGuid(), ["L2"], "IR-2", Start, Booked.AddHours(1)));
        Assert.Equal("IR-1", record.Room);
    }

    [Fact]
    public void ApplySchedule_CancelledBooking_Reopens()
    {
        var record = Cancelled();

        var outcome = record.ApplySchedule(PatientId, ["L1"], "IR-3", Start.AddDays(7), Booked.AddDays(2));

        Assert.Equal(ScheduleOutcome.Reopened, outcome);
        Assert.Equal(CaseState.Scheduled, record.State);
        Assert.Null(record.CancelledAt);
        Assert.Equal("IR-3", record.Room);
    }

    [Fact]
    public void Cancel_Scheduled_IsCancelled()
    {
        var record = Scheduled();

        Assert.Equal(CancelOutcome.Cancelled, record.Cancel(Booked.AddDays(1)));
        Assert.Equal(CaseState.Cancelled, record.State);
        Assert.Equal(Booked.AddDays(1), record.CancelledAt);
        Assert.True(record.IsClosed);
    }

    [Fact]
    public void Cancel_Twice_IsAlreadyCancelled()
    {
        var record = Cancelled();

        Assert.Equal(CancelOutcome.AlreadyCancelled, record.Cancel(Booked.AddDays(2)));
    }

    [Theory]
    [InlineData("SignedIn")]
    [InlineData("TimedOut")]
    [InlineData("SignedOut")]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    public void Cancel_StartedCase_IsLeftAlone(string state)
    {
        var record = InState(state);
        var before = record.State;

        Assert.Equal(CancelOutcome.AlreadyStarted, record.Cancel(Booked.AddDays(1)));
        Assert.Equal(before, record.State);
        Assert.Null(record.CancelledAt);
    }

    [Fact]
    public void Cancel_OlderThanLastBooking_IsStale()
    {
        var record = Scheduled();
        record.ApplySchedule(PatientId, ["L1"], "IR-2", Start, Booked.AddHours(2));

        Assert.Equal(CancelOutcome.Stale, record.Cancel(Booked.AddHours(1)));
        Assert.Equal(CaseState.Scheduled, record.State);
    }

    [Fact]
    public void SignIn_AllItemsConfirmed_SignsIn()
    {
        var record = Scheduled();

        record.SignIn(SignInDone, Now);

        Assert.Equal(CaseState.SignedIn, record.State);
        Assert.Equal(Now, record.SignedInAt);
    }

    [Theory]
    [InlineData("identity_and_consent_confirmed")]
    [InlineData("allergies_reviewed")]
    [InlineData("anesthesia_check_done")]
    [InlineData("site_marked_or_not_applicable")]
    [InlineData("pulse_oximeter_on")]
    [InlineData("airway_risk_assessed")]
    [InlineData("blood_loss_risk_assessed")]
    public void SignIn_ItemMissing_RefusedNamingIt(string missing)
    {
        var record = Scheduled();
        var checklist = DomainFixtures.SignInWithout(missing);

        var gate = Assert.Throws<ClinicalGateException>(() => record.SignIn(checklist, Now));

        Assert.Equal(GateRules.SignInIncomplete, gate.Rule);
        var violation = Assert.Single(gate.Violations);
        Assert.Equal(missing, violation.Subject);
        Assert.Equal(CaseState.Scheduled, record.State);
        Assert.Null(record.SignedInAt);
    }

    [Fact]
    public void SignIn_NothingConfirmed_OneViolationPerItem()
    {
        var gate = Assert.Throws<ClinicalGateException>(() => Scheduled().SignIn(new SignInChecklist(false, false, false, false, false, false, false), Now));

        Assert.Equal(7, gate.Violations.Count);
        Assert.All(gate.Violations, v => Assert.Equal(GateRules.SignInIncomplete, v.Rule));
    }

    [Theory]
    [InlineData("SignedIn")]
    [InlineData("TimedOut")]
    [InlineData("SignedOut")]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    [InlineData("Cancelled")]
    public void SignIn_NotScheduled_Refused(string state)
    {
        AssertGate(GateRules.SignInNotAllowed, () => InState(state).SignIn(SignInDone, Now));
    }

    [Fact]
    public void TimeOut_LevelsMatch_StartsProcedure()
    {
        var record = SignedIn();

        var started = record.TimeOut(["L1", "T12"], "op-1", Now.AddMinutes(10));

        Assert.Equal(CaseState.TimedOut, record.State);
        Assert.Equal(["T12", "L1"], record.ConfirmedLevels);
        Assert.Equal("op-1", record.OperatorId);
        Assert.Equal(Now.AddMinutes(10), record.TimedOutAt);
        Assert.NotNull(started);
        Assert.Equal(ReferralId, started.ReferralId);
        Assert.Equal(PatientId, started.PatientId);
        Assert.Equal(["T12", "L1"], started.ConfirmedLevels);
        Assert.Equal(Now.AddMinutes(10), started.OccurredAt);
    }

    [Fact]
    public void TimeOut_Scheduled_RefusedSignInRequired()
    {
        AssertGate(GateRules.SignInRequired, () => Scheduled().TimeOut(["T12", "L1"], "op-1", Now));
    }

    [Theory]
    [InlineData("T12")]
    [InlineData("T12", "L1", "L2")]
    [InlineData("T11", "L1")]
    public void TimeOut_LevelsDiffer_RefusedLevelsMismatch(params string[] confirmed)
    {
        var record = SignedIn();

        AssertGate(GateRules.LevelsMismatch, () => record.TimeOut(confirmed, "op-1", Now));
        Assert.Equal(CaseState.SignedIn, record.State);
        Assert.Empty(record.ConfirmedLevels);
    }

    [Fact]
    public void TimeOut_Mismatch_DescribesMissingAndUnexpected()
    {
        var gate = Assert.Throws<ClinicalGateException>(() => SignedIn().TimeOut(["T11", "L1"], "op-1", Now));

        Assert.Contains("missing: T12", gate.Message, StringComparison.Ordinal);
        Assert.Contains("not scheduled: T11", gate.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TimeOut_AgainWhenOperatorChanges_RecordsOperatorWithoutSecondStart()
    {
        var record = TimedOut();
        record.RecordTreatment(Treatment("T12"));

        var started = record.TimeOut(["T12", "L1"], "op-2", Now.AddMinutes(30));

        Assert.Null(started);
        Assert.Equal(CaseState.TimedOut, record.State);
        Assert.Equal("op-2", record.OperatorId);
        Assert.Equal(Now.AddMinutes(30), record.TimedOutAt);
        Assert.Single(record.Treatments);
    }

    [Fact]
    public void TimeOut_AgainWithOtherLevels_RefusedLevelsMismatch()
    {
        AssertGate(GateRules.LevelsMismatch, () => TimedOut().TimeOut(["L1"], "op-2", Now));
    }

    [Theory]
    [InlineData("SignedOut")]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    [InlineData("Cancelled")]
    public void TimeOut_Closed_RefusedCaseClosed(string state)
    {
        AssertGate(GateRules.CaseClosed, () => InState(state).TimeOut(["T12", "L1"], "op-1", Now));
    }

    [Fact]
    public void RecordTreatment_ConfirmedLevel_IsRecorded()
    {
        var record = TimedOut();

        record.RecordTreatment(Treatment("L1"));

        var treated = Assert.Single(record.Treatments);
        Assert.Equal("L1", treated.Level);
        Assert.Equal(["T12"], record.UntreatedLevels);
    }

    [Theory]
    [InlineData("Scheduled")]
    [InlineData("SignedIn")]
    public void RecordTreatment_BeforeTimeOut_RefusedTimeOutRequired(string state)
    {
        var record = InState(state);

        AssertGate(GateRules.TimeOutRequired, () => record.RecordTreatment(Treatment("L1")));
        Assert.Empty(record.Treatments);
    }

    [Fact]
    public void RecordTreatment_LevelNotConfirmed_Refused()
    {
        var record = TimedOut();

        AssertGate(GateRules.LevelNotConfirmed, () => record.RecordTreatment(Treatment("L2")));
        Assert.Empty(record.Treatments);
    }

    [Fact]
    public void RecordTreatment_LevelTwice_RefusedAlreadyTreated()
    {
        var record = TimedOut();
        record.RecordTreatment(Treatment("L1"));

        AssertGate(GateRules.LevelAlreadyTreated, () => record.RecordTreatment(Treatment("L1")));
        Assert.Single(record.Treatments);
    }

    [Theory]
    [InlineData("SignedOut")]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    [InlineData("Cancelled")]
    public void RecordTreatment_Closed_RefusedCaseClosed(string state)
    {
        AssertGate(GateRules.CaseClosed, () => InState(state).RecordTreatment(Treatment("L1")));
    }

    [Theory]
    [InlineData(CementLeakage.Venous, true, true)]
    [InlineData(CementLeakage.Disc, false, false)]
    [InlineData(CementLeakage.None, false, false)]
    public void TreatedLevel_SymptomaticLeak_RequiresEscalation(CementLeakage leakage, bool symptomatic, bool escalate)
    {
        Assert.Equal(escalate, Treatment("L1", leakage, symptomatic).RequiresEscalation);
    }

    [Theory]
    [InlineData("TimedOut")]
    [InlineData("SignedOut")]
    public void RecordDose_AfterTimeOut_IsRecordedAndReplaced(string state)
    {
        var record = InState(state);
        var second = new RadiationDose(30, 200, 300, 0);

        record.RecordDose(Dose);
        record.RecordDose(second);

        Assert.Equal(second, record.Dose);
    }

    [Theory]
    [InlineData("Scheduled")]
    [InlineData("SignedIn")]
    public void RecordDose_BeforeTimeOut_RefusedTimeOutRequired(string state)
    {
        var record = InState(state);

        AssertGate(GateRules.TimeOutRequired, () => record.RecordDose(Dose));
        Assert.Null(record.Dose);
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    [InlineData("Cancelled")]
    public void RecordDose_Ended_RefusedCaseClosed(string state)
    {
        AssertGate(GateRules.CaseClosed, () => InState(state).RecordDose(Dose));
    }

    [Theory]
    [InlineData(5000, false)]
    [InlineData(5000.1, true)]
    public void DoseAlertsFor_AirKermaAbove5Gy_ListsSkinFollowUp(double airKermaMgy, bool followUp)
    {
        var alerts = CaseRecord.DoseAlertsFor(new RadiationDose(10, airKermaMgy, 60, 0), DomainFixtures.Protocol);

        Assert.Equal(followUp, alerts.Contains(DoseAlerts.SkinDoseFollowUp));
    }

    [Fact]
    public void SignOut_AllDone_SignsOut()
    {
        var record = Treated();

        record.SignOut(SignOutDone, Now.AddMinutes(50));

        Assert.Equal(CaseState.SignedOut, record.State);
        Assert.Equal(Now.AddMinutes(50), record.SignedOutAt);
    }

    [Theory]
    [InlineData("Scheduled")]
    [InlineData("SignedIn")]
    public void SignOut_BeforeTimeOut_RefusedTimeOutRequired(string state)
    {
        AssertGate(GateRules.TimeOutRequired, () => InState(state).SignOut(SignOutDone, Now));
    }

    [Theory]
    [InlineData("SignedOut")]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    [InlineData("Cancelled")]
    public void SignOut_Closed_RefusedCaseClosed(string state)
    {
        AssertGate(GateRules.CaseClosed, () => InState(state).SignOut(SignOutDone, Now));
    }

    [Fact]
    public void Complete_LevelUntreated_RefusedLevelsNotTreatedNamingIt()
    {
        var record = TimedOut();
        record.RecordTreatment(Treatment("L1"));
        record.RecordDose(Dose);
        record.SignOut(SignOutDone, ["L1"], "rn-1", Now);

        var gate = Assert.Throws<ClinicalGateException>(() => record.Complete([], Now));

        Assert.Equal(GateRules.LevelsNotAllTreated, gate.Rule);
        Assert.Equal("T12", Assert.Single(gate.Violations).Subject);
        Assert.Equal(CaseState.SignedOut, record.State);
        Assert.Empty(record.TakeEvents().OfType<IrSuite.Contracts.Procedure.ProcedureCompleted>());
    }

    [Fact]
    public void Complete_LevelAbandonedWithReason_Completes()
    {
        var record = TimedOut();
        record.RecordTreatment(Treatment("L1"));
        record.AbandonLevel("T12", "PEDICLE_NOT_ACCESSIBLE", Now);
        record.RecordDose(Dose);
        record.SignOut(SignOutDone, ["L1"], "rn-1", Now);

        var completed = record.Complete([], Now);

        Assert.Equal(["L1"], completed.TreatedLevels);
        Assert.Equal("PEDICLE_NOT_ACCESSIBLE", Assert.Single(record.AbandonedLevels).Reason);
    }

    [Fact]
    public void Complete_NoDose_RefusedDoseRequired()
    {
        var record = TimedOut();
        record.RecordTreatment(Treatment("T12"));
        record.RecordTreatment(Treatment("L1"));
        record.SignOut(SignOutDone, Now);

        AssertGate(GateRules.DoseRequired, () => record.Complete([], Now));
        Assert.Equal(CaseState.SignedOut, record.State);
    }

    [Theory]
    [InlineData("record_confirmed")]
    [InlineData("handover_done")]
    [InlineData("instrument_counts_correct")]
    [InlineData("specimens_labelled")]
    [InlineData("equipment_problems_addressed")]
    public void SignOut_ItemMissing_RefusedNamingIt(string missing)
    {
        var record = Treated();

        var gate = Assert.Throws<ClinicalGateException>(() => record.SignOut(DomainFixtures.SignOutWithout(missing), Now));

        Assert.Equal(GateRules.SignOutIncomplete, gate.Rule);
        Assert.Equal(missing, Assert.Single(gate.Violations).Subject);
        Assert.Null(record.SignedOutAt);
    }

    [Fact]
    public void Complete_SignedOut_CompletesAndReportsOutcome()
    {
        var record = SignedOut();
        var end = Now.AddMinutes(55);

        var completed = record.Complete([new RecordedComplication("HAEMATOMA", 1), new RecordedComplication("NEW_NEURO_DEFICIT", 3)], end);

        Assert.Equal(CaseState.Completed, record.State);
        Assert.Equal(end, record.EndedAt);
        Assert.Equal(2, record.Complications.Count);
        Assert.Equal(ReferralId, completed.ReferralId);
        Assert.Equal(PatientId, completed.PatientId);
        Assert.Equal(["T12", "L1"], completed.TreatedLevels);
        Assert.Equal(2, completed.ComplicationCount);
        Assert.Equal(3, completed.MaxCirseGrade);
        Assert.Equal(end, completed.EndedAt);
        Assert.Equal(end, completed.OccurredAt);
    }

    [Fact]
    public void Complete_NoComplications_MaxGradeZero()
    {
        var completed = SignedOut().Complete([], Now);

        Assert.Equal(0, completed.ComplicationCount);
        Assert.Equal(0, completed.MaxCirseGrade);
    }

    [Theory]
    [InlineData("Scheduled")]
    [InlineData("SignedIn")]
    [InlineData("TimedOut")]
    public void Complete_NotSignedOut_RefusedSignOutRequired(string state)
    {
        var record = InState(state);

        AssertGate(GateRules.SignOutRequired, () => record.Complete([], Now));
        Assert.Null(record.EndedAt);
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    [InlineData("Cancelled")]
    public void Complete_Ended_RefusedCaseClosed(string state)
    {
        AssertGate(GateRules.CaseClosed, () => InState(state).Complete([], Now));
    }

    [Theory]
    [InlineData("SignedIn")]
    [InlineData("TimedOut")]
    [InlineData("SignedOut")]
    public void Discontinue_Started_Discontinues(string state)
    {
        var record = InState(state);
        var end = Now.AddMinutes(40);

        var discontinued = record.Discontinue("EQUIPMENT_FAILURE", end);

        Assert.Equal(CaseState.Discontinued, record.State);
        Assert.Equal(end, record.EndedAt);
        Assert.Equal("EQUIPMENT_FAILURE", record.DiscontinueReason);
        Assert.Equal(new Contracts.Procedure.ProcedureDiscontinued(ReferralId, PatientId, "EQUIPMENT_FAILURE", end), discontinued);
    }

    [Fact]
    public void Discontinue_Scheduled_RefusedNotAllowed()
    {
        AssertGate(GateRules.DiscontinueNotAllowed, () => Scheduled().Discontinue("X", Now));
    }

    [Theory]
    [InlineData("Completed")]
    [InlineData("Discontinued")]
    [InlineData("Cancelled")]
    public void Discontinue_Ended_RefusedCaseClosed(string state)
    {
        AssertGate(GateRules.CaseClosed, () => InState(state).Discontinue("X", Now));
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void Restore_RoundTrip_KeepsEveryField(string state)
    {
        var original = InState(state);
        original.MarkSaved(7);

        var restored = CaseRecord.Restore(new StoredCase(
            original.ReferralId, original.PatientId, original.State, original.ScheduledLevels, original.ConfirmedLevels, original.Treatments,
            original.Dose, original.Complications, original.Room, original.ScheduledStart, original.ScheduleUpdatedAt, original.OperatorId,
            original.SignedInAt, original.TimedOutAt, original.SignedOutAt, original.EndedAt, original.CancelledAt, original.DiscontinueReason,
            original.Version));

        Assert.Equal(original.State, restored.State);
        Assert.Equal(original.Treatments, restored.Treatments);
        Assert.Equal(original.Dose, restored.Dose);
        Assert.Equal(original.EndedAt, restored.EndedAt);
        Assert.Equal(7, restored.Version);
    }
}
