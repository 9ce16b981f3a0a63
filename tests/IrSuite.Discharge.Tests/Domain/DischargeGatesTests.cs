using IrSuite.Contracts;
using IrSuite.Contracts.Procedure;
using IrSuite.Discharge.Domain;
using IrSuite.Discharge.Messaging;
using IrSuite.ServiceDefaults.Clinical;
using DischargeRules = IrSuite.Discharge.Domain.DischargeRules;

namespace IrSuite.Discharge.Tests.Domain;

/// <summary>The issue-4 gates: scores, escort policy, escalation, next-day rule, getting-up policy (site-local, Europe/Paris).</summary>
public sealed class DischargeGatesTests
{
    // 09:00 UTC = 10:00 in Paris (winter time).
    private static readonly DateTimeOffset EndedAt = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
    private static readonly ProcedureOutline Outline = new(["L1"], 4.5, [], EndedAt);
    private static readonly DischargeDecision Home = new(DischargeDestination.Home, EscortPresent: true, ClinicianId: "dr-1");
    private static readonly DischargeDecision Ward = new(DischargeDestination.Ward, EscortPresent: false, ClinicianId: "dr-1");

    private static ObservationRound Round(DateTimeOffset at, AldreteItems? aldrete = null, PadssItems? padss = null, bool legs = true) =>
        new(new VitalSigns(72, 125, 75, 97, 14, 36.8), 2, legs, true, at)
        {
            Aldrete = aldrete ?? new AldreteItems(2, 2, 2, 2, 2),
            Padss = padss ?? new PadssItems(2, 2, 2, 2, 2),
        };

    private static PatientObservation Started(string admission = AdmissionCodes.Ambulatory) =>
        PatientObservation.Start(Guid.NewGuid(), Guid.NewGuid(), EndedAt, TimeSpan.FromHours(2),
            ObservationContext.Unknown with { Admission = admission, ProtocolVersion = "v#1" });

    private static IReadOnlyList<string> Refusals(Action action) => Assert.Throws<DischargeGateException>(action).Violations.Select(v => v.Rule).ToList();

    [Fact]
    public void Aldrete_EightToWard_RefusedAldreteBelowMinimum_NineAllowed()
    {
        var protocol = new SiteProtocol();
        var eight = Started().Record(Round(EndedAt.AddMinutes(100), aldrete: new AldreteItems(2, 2, 2, 1, 1)));
        Assert.Equal([DischargeRules.AldreteBelowMinimum], Refusals(() => eight.EnsureDischargeable(Ward, protocol, EndedAt.AddHours(2))));

        var nine = eight.Record(Round(EndedAt.AddMinutes(110), aldrete: new AldreteItems(2, 2, 2, 2, 1)));
        Assert.True(nine.DischargePatient(Ward, Outline, protocol, EndedAt.AddHours(2)).IsDischarged);
    }

    [Fact]
    public void Aldrete_NeverScored_RefusedAldreteBelowMinimum()
    {
        var observation = Started().Record(Round(EndedAt.AddMinutes(100)) with { Aldrete = null });

        var refusal = Assert.Throws<DischargeGateException>(() => observation.EnsureDischargeable(Ward, new SiteProtocol(), EndedAt.AddHours(2)));

        Assert.Equal(DischargeRules.AldreteBelowMinimum, refusal.Rule);
        Assert.Contains("not recorded", refusal.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Aldrete_LatestScoredRoundCounts_NotTheBest()
    {
        var observation = Started().Record(Round(EndedAt.AddMinutes(30))).Record(Round(EndedAt.AddMinutes(60), aldrete: new AldreteItems(1, 1, 2, 2, 2)));

        Assert.Equal(8, observation.LatestAldrete);
        Assert.Equal([DischargeRules.AldreteBelowMinimum], Refusals(() => observation.EnsureDischargeable(Ward, new SiteProtocol(), EndedAt.AddHours(2))));
    }

    [Fact]
    public void Padss_EightHome_RefusedPadssBelowMinimum_WardAllowed()
    {
        var protocol = new SiteProtocol();
        var observation = Started().Record(Round(EndedAt.AddMinutes(100), padss: new PadssItems(2, 1, 2, 1, 2)));

        Assert.Equal([DischargeRules.PadssBelowMinimum], Refusals(() => observation.EnsureDischargeable(Home, protocol, EndedAt.AddHours(2))));
        Assert.True(observation.DischargePatient(Ward, Outline, protocol, EndedAt.AddHours(2)).IsDischarged);
    }

    [Fact]
    public void Padss_SiteMinimumLowered_EightAllowedHome()
    {
        var protocol = new SiteProtocol();
        protocol.Discharge.PadssMinimum = new(8, "test");
        var observation = Started().Record(Round(EndedAt.AddMinutes(100), padss: new PadssItems(2, 1, 2, 1, 2)));

        Assert.True(observation.DischargePatient(Home, Outline, protocol, EndedAt.AddHours(2)).IsDischarged);
    }

    [Fact]
    public void Escort_SiteDoesNotRequireIt_HomeWithoutEscortAllowed()
    {
        var protocol = new SiteProtocol();
        protocol.Discharge.EscortRequired = new(false, "test");
        var observation = Started().Record(Round(EndedAt.AddMinutes(100)));

        Assert.Equal([DischargeRules.EscortRequired], Refusals(() => observation.EnsureDischargeable(Home with { EscortPresent = false }, new SiteProtocol(), EndedAt.AddHours(2))));
        Assert.True(observation.DischargePatient(Home with { EscortPresent = false }, Outline, protocol, EndedAt.AddHours(2)).IsDischarged);
    }

    [Fact]
    public void Gates_SeveralRefused_AllReportedInOrder()
    {
        var observation = Started(AdmissionCodes.Hospitalised).Record(Round(EndedAt.AddMinutes(10), aldrete: new AldreteItems(1, 1, 1, 1, 1), padss: new PadssItems(1, 1, 1, 1, 1)));

        var rules = Refusals(() => observation.EnsureDischargeable(Home with { EscortPresent = false }, new SiteProtocol(), EndedAt.AddMinutes(30)));

        Assert.Equal(
            [DischargeRules.ObservationMinimumNotElapsed, DischargeRules.AldreteBelowMinimum, DischargeRules.PadssBelowMinimum,
             DischargeRules.EscortRequired, DischargeRules.NextDayDischargeRule],
            rules);
    }

    [Fact]
    public void Escalation_NewDeficit_RaisedOncePerEpisode()
    {
        var (first, raisedFirst) = Started().Observe(Round(EndedAt.AddMinutes(15), legs: false));
        var (second, raisedSecond) = first.Observe(Round(EndedAt.AddMinutes(30), legs: false));
        var (normal, _) = second.Observe(Round(EndedAt.AddMinutes(45)));

        Assert.True(raisedFirst);
        Assert.False(raisedSecond);
        Assert.True(normal.EscalationOpen);
        Assert.Equal(EscalationCodes.NewNeurologicalDeficit, normal.Escalation!.Reason);
        Assert.Equal(EndedAt.AddMinutes(15), normal.Escalation.RaisedAt);
    }

    [Fact]
    public void Escalation_Open_HomeRefusedEscalationOpen_WardAllowed()
    {
        var protocol = new SiteProtocol();
        var observation = Started().Record(Round(EndedAt.AddMinutes(15), legs: false)).Record(Round(EndedAt.AddMinutes(100)));

        Assert.Equal([DischargeRules.EscalationOpen], Refusals(() => observation.EnsureDischargeable(Home, protocol, EndedAt.AddHours(2))));
        Assert.True(observation.DischargePatient(Ward, Outline, protocol, EndedAt.AddHours(2)).IsDischarged);
    }

    [Fact]
    public void Escalation_Resolved_HomeAllowed_AndANewDeficitRaisesAgain()
    {
        var protocol = new SiteProtocol();
        var observation = Started().Record(Round(EndedAt.AddMinutes(15), legs: false)).Record(Round(EndedAt.AddMinutes(100)));

        var resolved = observation.ResolveEscalation(" dr-9 ", EscalationOutcomes.NoDeficit, EndedAt.AddMinutes(105));

        Assert.False(resolved.EscalationOpen);
        Assert.Equal("dr-9", resolved.Escalation!.ResolvedBy);
        Assert.Equal(EscalationOutcomes.NoDeficit, resolved.Escalation.Outcome);
        Assert.True(resolved.DischargePatient(Home, Outline, protocol, EndedAt.AddHours(2)).IsDischarged);
        Assert.True(resolved.Observe(Round(EndedAt.AddMinutes(110), legs: false)).EscalationRaised);
    }

    [Fact]
    public void ResolveEscalation_NoneOpen_RefusedNoOpenEscalation() =>
        Assert.Equal([DischargeRules.NoOpenEscalation], Refusals(() => Started().ResolveEscalation("dr-1", EscalationOutcomes.NoDeficit, EndedAt)));

    [Theory]
    [InlineData(null, EscalationOutcomes.NoDeficit, "clinician_id")]
    [InlineData("dr-1", null, "outcome")]
    [InlineData("dr-1", "MAYBE", "outcome")]
    public void ResolveEscalation_MissingField_RejectsTheField(string? clinician, string? outcome, string field)
    {
        var observation = Started().Record(Round(EndedAt.AddMinutes(15), legs: false));

        Assert.Equal(field, Assert.Throws<DischargeInputException>(() => observation.ResolveEscalation(clinician, outcome, EndedAt)).Field);
    }

    [Fact]
    public void NextDay_HospitalisedHomeSameDay_RefusedNextDayDischargeRule_NextDayAtEightParisAllowed()
    {
        var protocol = new SiteProtocol();
        var observation = Started(AdmissionCodes.Hospitalised).Record(Round(EndedAt.AddMinutes(100)));
        // 2026-11-24 08:00 Europe/Paris = 07:00 UTC.
        var nextDay = new DateTimeOffset(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);

        Assert.Equal(nextDay, observation.NextDayEarliest(protocol));
        Assert.Equal([DischargeRules.NextDayDischargeRule], Refusals(() => observation.EnsureDischargeable(Home, protocol, EndedAt.AddHours(8))));
        Assert.Equal([DischargeRules.NextDayDischargeRule], Refusals(() => observation.EnsureDischargeable(Home, protocol, nextDay.AddMinutes(-1))));
        Assert.True(observation.DischargePatient(Home, Outline, protocol, nextDay).IsDischarged);
    }

    [Fact]
    public void NextDay_HospitalisedToWardSameDay_Allowed() =>
        Assert.True(Started(AdmissionCodes.Hospitalised).Record(Round(EndedAt.AddMinutes(100)))
            .DischargePatient(Ward, Outline, new SiteProtocol(), EndedAt.AddHours(2)).IsDischarged);

    [Fact]
    public void NextDay_AmbulatorySameDay_NoNextDayRule()
    {
        var observation = Started().Record(Round(EndedAt.AddMinutes(100)));

        Assert.Null(observation.NextDayEarliest(new SiteProtocol()));
        Assert.Equal(EndedAt.AddHours(2), observation.HomeFrom(new SiteProtocol()));
    }

    [Fact]
    public void GettingUp_AfterMinimumPolicy_IsTheMinimumEnd() =>
        Assert.Equal(EndedAt.AddHours(2), Started().GettingUpFrom(new SiteProtocol()));

    [Fact]
    public void GettingUp_EndOfAfternoon_RefusedBeforeFivePmParis_AllowedAt()
    {
        var protocol = new SiteProtocol();
        protocol.Observation.GettingUp = GettingUpPolicy.EndOfAfternoon;
        var observation = Started().Record(Round(EndedAt.AddMinutes(100)));
        var fivePm = new DateTimeOffset(2026, 11, 23, 16, 0, 0, TimeSpan.Zero);

        Assert.Equal(fivePm, observation.GettingUpFrom(protocol));
        Assert.Equal([DischargeRules.GettingUpNotYetAllowed], Refusals(() => observation.EnsureDischargeable(Home, protocol, fivePm.AddMinutes(-1))));
        Assert.True(observation.DischargePatient(Home, Outline, protocol, fivePm).IsDischarged);
    }

    [Fact]
    public void GettingUp_EndOfAfternoonButProcedureEndsLate_NotBeforeTheMinimum()
    {
        var protocol = new SiteProtocol();
        protocol.Observation.GettingUp = GettingUpPolicy.EndOfAfternoon;
        var late = PatientObservation.Start(Guid.NewGuid(), Guid.NewGuid(), new DateTimeOffset(2026, 11, 23, 15, 30, 0, TimeSpan.Zero), TimeSpan.FromHours(2));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 17, 30, 0, TimeSpan.Zero), late.GettingUpFrom(protocol));
    }

    [Fact]
    public void GettingUp_NextDayPolicy_NextMorningParis()
    {
        var protocol = new SiteProtocol();
        protocol.Observation.GettingUp = GettingUpPolicy.NextDay;
        var observation = Started().Record(Round(EndedAt.AddMinutes(100)));
        var nextMorning = new DateTimeOffset(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);

        Assert.Equal(nextMorning, observation.GettingUpFrom(protocol));
        Assert.Equal([DischargeRules.GettingUpNotYetAllowed], Refusals(() => observation.EnsureDischargeable(Home, protocol, EndedAt.AddHours(3))));
        Assert.True(observation.DischargePatient(Ward, Outline, protocol, EndedAt.AddHours(3)).IsDischarged);
    }

    [Fact]
    public void ContextOf_OldCompletionWithoutAdmission_SiteDefault_NewFieldsCarried()
    {
        var protocol = new SiteProtocol();
        var old = new ProcedureCompleted(Guid.NewGuid(), Guid.NewGuid(), ["L1"], 0, 0, EndedAt, EndedAt);
        Assert.Equal(AdmissionCodes.Ambulatory, ProcedureCompletedConsumer.ContextOf(old, protocol).Admission);

        protocol.Scheduling.DefaultAdmission = AdmissionKind.Hospitalised;
        Assert.Equal(AdmissionCodes.Hospitalised, ProcedureCompletedConsumer.ContextOf(old, protocol).Admission);

        var context = ProcedureCompletedConsumer.ContextOf(
            old with { Admission = AdmissionCodes.Ambulatory, SedationMode = SedationCodes.General, SymptomaticLeak = true, SkinDoseFollowUp = true, Indication = "OSTEOPOROTIC_FRACTURE" },
            protocol);
        Assert.Equal(new ObservationContext(AdmissionCodes.Ambulatory, SedationCodes.General, true, true, "OSTEOPOROTIC_FRACTURE", protocol.AppliedVersion), context);
    }
}
