using IrSuite.Discharge.Domain;
using SiteProtocol = IrSuite.ServiceDefaults.Clinical.SiteProtocol;

namespace IrSuite.Discharge.Tests.Domain;

public sealed class PatientObservationTests
{
    private static readonly DateTimeOffset EndedAt = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TwoHours = TimeSpan.FromHours(2);
    private static readonly ProcedureOutline Outline = new(["L1"], 4.5, [], EndedAt);
    private static readonly SiteProtocol Protocol = new();
    private static readonly DischargeDecision Home = new(DischargeDestination.Home, EscortPresent: true, ClinicianId: "dr-1");

    internal static ObservationRound GoodRound(DateTimeOffset at) =>
        new(new VitalSigns(72, 125, 75, 97, 14, 36.8), PainScore: 2, LegsNeuroNormal: true, PunctureSiteOk: true, at)
        {
            Aldrete = new AldreteItems(2, 2, 2, 2, 2),
            Padss = new PadssItems(2, 2, 2, 2, 2),
        };

    private static PatientObservation Started() => PatientObservation.Start(Guid.NewGuid(), Guid.NewGuid(), EndedAt, TwoHours);

    private static PatientObservation Ready() => Started().Record(GoodRound(EndedAt.AddMinutes(30)));

    private static DischargeGateException Refused(Action action) => Assert.Throws<DischargeGateException>(action);

    [Fact]
    public void Start_FromProcedureEnd_MinimumUntilIsEndPlusMinimum()
    {
        var referral = Guid.NewGuid();
        var patient = Guid.NewGuid();
        var observation = PatientObservation.Start(referral, patient, EndedAt, TwoHours);

        Assert.Equal(referral, observation.ReferralId);
        Assert.Equal(patient, observation.PatientId);
        Assert.Equal(EndedAt, observation.StartedAt);
        Assert.Equal(EndedAt + TwoHours, observation.MinimumUntil);
        Assert.Equal(0, observation.ObservationCount);
        Assert.Null(observation.LastRound);
        Assert.Null(observation.MinimumElapsedAt);
        Assert.False(observation.IsDischarged);
        Assert.Equal(0, observation.Version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Start_NonPositiveMinimum_Throws(int minutes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PatientObservation.Start(Guid.NewGuid(), Guid.NewGuid(), EndedAt, TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void TimeLeft_BeforeAndAfterMinimum_CountsDownToZero()
    {
        var observation = Started();

        Assert.Equal(TwoHours, observation.TimeLeft(EndedAt));
        Assert.Equal(TimeSpan.FromMinutes(1), observation.TimeLeft(EndedAt.AddMinutes(119)));
        Assert.Equal(TimeSpan.Zero, observation.TimeLeft(EndedAt + TwoHours));
        Assert.Equal(TimeSpan.Zero, observation.TimeLeft(EndedAt.AddHours(5)));
    }

    [Fact]
    public void IsMinimumElapsed_ExactlyAtMinimum_IsTrue_OneTickBefore_IsFalse()
    {
        var observation = Started();

        Assert.False(observation.IsMinimumElapsed(EndedAt + TwoHours - TimeSpan.FromTicks(1)));
        Assert.True(observation.IsMinimumElapsed(EndedAt + TwoHours));
    }

    [Fact]
    public void Record_FirstAndSecondRound_CountsAndKeepsTheLast()
    {
        var first = GoodRound(EndedAt.AddMinutes(15));
        var second = first with { PainScore = 6, TakenAt = EndedAt.AddMinutes(45) };

        var observation = Started().Record(first).Record(second);

        Assert.Equal(2, observation.ObservationCount);
        Assert.Same(second, observation.LastRound);
        Assert.Equal(2, observation.Version);
    }

    [Fact]
    public void Record_AfterDischarge_RefusedAlreadyDischarged()
    {
        var discharged = Ready().DischargePatient(Home, Outline, Protocol, EndedAt + TwoHours);

        var refusal = Refused(() => discharged.Record(GoodRound(EndedAt.AddHours(3))));

        Assert.Equal(DischargeRules.AlreadyDischarged, refusal.Rule);
    }

    [Fact]
    public void UnmetCriteria_NoRound_IsNoObservation()
    {
        var observation = Started();

        Assert.Equal([DischargeCriteria.NoObservation], observation.UnmetCriteriaFor(new IrSuite.ServiceDefaults.Clinical.RecoveryCriteria()));
        Assert.NotEmpty(observation.UnmetCriteriaFor(new IrSuite.ServiceDefaults.Clinical.RecoveryCriteria()));
    }

    [Fact]
    public void UnmetCriteria_ComeFromTheLastRoundOnly()
    {
        var bad = GoodRound(EndedAt.AddMinutes(10)) with { PainScore = 8, PunctureSiteOk = false };
        var observation = Started().Record(bad);
        Assert.Equal([DischargeCriteria.PainControlled, DischargeCriteria.PunctureSiteOk], observation.UnmetCriteriaFor(new IrSuite.ServiceDefaults.Clinical.RecoveryCriteria()));

        var recovered = observation.Record(GoodRound(EndedAt.AddMinutes(40)));

        Assert.Empty(recovered.UnmetCriteriaFor(new IrSuite.ServiceDefaults.Clinical.RecoveryCriteria()));
    }

    [Fact]
    public void MarkMinimumElapsed_Twice_KeepsTheFirst()
    {
        var first = EndedAt + TwoHours;

        var observation = Started().MarkMinimumElapsed(first).MarkMinimumElapsed(first.AddMinutes(5));

        Assert.Equal(first, observation.MinimumElapsedAt);
        Assert.Equal(0, observation.Version);
    }

    [Fact]
    public void DischargePatient_AllGatesPass_RecordsTheDischarge()
    {
        var at = EndedAt + TwoHours + TimeSpan.FromMinutes(10);

        var discharged = Ready().DischargePatient(Home with { ClinicianId = "  dr-1 " }, Outline, Protocol, at);

        Assert.True(discharged.IsDischarged);
        Assert.Equal(at, discharged.Discharge!.DischargedAt);
        Assert.Equal(DischargeDestination.Home, discharged.Discharge.Destination);
        Assert.Equal("dr-1", discharged.Discharge.ClinicianId);
        Assert.Equal(["no-driving", "rest", "no-heavy-lifting", "call-for-fever", "report-skin"], discharged.Discharge.Instructions.Select(i => i.Code));
        Assert.Same(Outline, discharged.Discharge.Procedure);
        Assert.Equal(TimeSpan.FromMinutes(130), discharged.ObservationLength);
        Assert.Equal(2, discharged.Version);
    }

    [Fact]
    public void ObservationLength_NotDischarged_IsZero() => Assert.Equal(TimeSpan.Zero, Ready().ObservationLength);

    [Fact]
    public void DischargePatient_AlreadyDischarged_RefusedAlreadyDischarged()
    {
        var discharged = Ready().DischargePatient(Home, Outline, Protocol, EndedAt + TwoHours);

        var refusal = Refused(() => discharged.DischargePatient(Home, Outline, Protocol, EndedAt.AddHours(3)));

        Assert.Equal(DischargeRules.AlreadyDischarged, refusal.Rule);
    }

    [Fact]
    public void DischargePatient_OneMinuteBeforeMinimum_RefusedWithMinutesLeft()
    {
        var refusal = Refused(() => Ready().DischargePatient(Home, Outline, Protocol, EndedAt.AddMinutes(119)));

        Assert.Equal(DischargeRules.ObservationMinimumNotElapsed, refusal.Rule);
        Assert.Contains("1 minute left", refusal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void DischargePatient_PartialMinuteLeft_RoundsMinutesUp()
    {
        var refusal = Refused(() => Ready().EnsureDischargeable(Home, Protocol, EndedAt.AddMinutes(60).AddSeconds(1)));

        Assert.Contains("60 minutes left", refusal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void DischargePatient_ExactlyAtMinimum_IsAllowed() =>
        Assert.True(Ready().DischargePatient(Home, Outline, Protocol, EndedAt + TwoHours).IsDischarged);

    [Fact]
    public void DischargePatient_MinimumCheckedBeforeCriteria()
    {
        var refusal = Refused(() => Started().EnsureDischargeable(Home, Protocol, EndedAt.AddMinutes(30)));

        Assert.Equal(DischargeRules.ObservationMinimumNotElapsed, refusal.Rule);
    }

    [Fact]
    public void DischargePatient_NoObservationRound_RefusedCriteriaNotMet()
    {
        var refusal = Refused(() => Started().EnsureDischargeable(Home, Protocol, EndedAt + TwoHours));

        Assert.Equal(DischargeRules.DischargeCriteriaNotMet, refusal.Rule);
        Assert.Contains(DischargeCriteria.NoObservation, refusal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void DischargePatient_LastRoundUnstable_RefusedNamingEachUnmetCriterion()
    {
        var round = GoodRound(EndedAt.AddMinutes(90)) with { LegsNeuroNormal = false, Vitals = new VitalSigns(130, 125, 75, 97, 14, 36.8) };
        var observation = Started().Record(round);

        var refusal = Refused(() => observation.EnsureDischargeable(Home, Protocol, EndedAt + TwoHours));

        Assert.Equal(DischargeRules.DischargeCriteriaNotMet, refusal.Rule);
        Assert.Contains(DischargeCriteria.LegsNeuroNormal, refusal.Description, StringComparison.Ordinal);
        Assert.Contains(DischargeCriteria.VitalsStable, refusal.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(DischargeCriteria.PainControlled, refusal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void DischargePatient_NoDestination_RejectsDestinationField()
    {
        var error = Assert.Throws<DischargeInputException>(() => Ready().EnsureDischargeable(Home with { Destination = null }, Protocol, EndedAt + TwoHours));

        Assert.Equal("destination", error.Field);
    }

    [Fact]
    public void DischargePatient_HomeWithoutEscort_RefusedEscortRequired()
    {
        var refusal = Refused(() => Ready().EnsureDischargeable(Home with { EscortPresent = false }, Protocol, EndedAt + TwoHours));

        Assert.Equal(DischargeRules.EscortRequired, refusal.Rule);
    }

    [Fact]
    public void DischargePatient_WardWithoutEscort_IsAllowed()
    {
        var ward = new DischargeDecision(DischargeDestination.Ward, EscortPresent: false, ClinicianId: "dr-1");

        var discharged = Ready().DischargePatient(ward, Outline, Protocol, EndedAt + TwoHours);

        Assert.Equal(DischargeDestination.Ward, discharged.Discharge!.Destination);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void DischargePatient_NoClinician_RejectsClinicianField(string? clinician)
    {
        var error = Assert.Throws<DischargeInputException>(() => Ready().EnsureDischargeable(Home with { ClinicianId = clinician }, Protocol, EndedAt + TwoHours));

        Assert.Equal("clinician_id", error.Field);
    }

    [Fact]
    public void DischargePatient_EscortCheckedBeforeClinician()
    {
        var refusal = Refused(() => Ready().EnsureDischargeable(new DischargeDecision(DischargeDestination.Home, false, null), Protocol, EndedAt + TwoHours));

        Assert.Equal(DischargeRules.EscortRequired, refusal.Rule);
    }

    [Fact]
    public void DischargePatient_RecordsInstructionsVersionScoresCallAndFollowUp()
    {
        var at = EndedAt + TwoHours;

        var discharge = Ready().DischargePatient(Home, Outline, Protocol, at).Discharge!;

        Assert.Equal(new InstructionLine("no-driving", "No driving for 24 hours."), discharge.Instructions[0]);
        Assert.Equal(Protocol.AppliedVersion, discharge.ProtocolVersion);
        Assert.Equal(10, discharge.AldreteScore);
        Assert.Equal(10, discharge.PadssScore);
        Assert.True(discharge.EscortPresent);
        Assert.Equal(at.AddHours(24), discharge.PostDischargeCallDueAt);
        Assert.Equal(new DateOnly(2026, 12, 23), discharge.FollowUpDueDate);
        Assert.Equal(7, discharge.FollowUpWindowDays);
    }
}
