using IrSuite.Contracts;
using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Procedure;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Clinical;
using Microsoft.Extensions.Configuration;

namespace IrSuite.ProcedureRecord.Tests.Domain;

/// <summary>The issue-4 computations on the pure domain: windows, boundaries, local dates, events raised.</summary>
public sealed class ClinicalRulesDomainTests
{
    private static readonly DateTimeOffset Booked = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);
    private static readonly SiteProtocol Protocol = DomainFixtures.Protocol;

    private static CaseRecord Case(string sedation = SedationCodes.General, IReadOnlyList<string>? consented = null, IReadOnlyList<string>? allergies = null) =>
        CaseRecord.Schedule(Guid.NewGuid(), Guid.NewGuid(), ["L1"], "IR-1", Now.AddHours(1), Booked, DomainFixtures.Booking(["L1"], sedation, consented, allergies));

    private static CaseRecord TimedOut(string sedation = SedationCodes.Local)
    {
        var record = Case(sedation);
        record.RecordPreAnestheticVisit(Now.AddHours(-2));
        record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now);
        record.TimeOut(["L1"], "op-1", TimeOutChecklist.Complete, new AntibioticDose("cefazolin 1 g IV", Now.AddMinutes(-10)), "CARM-1", Protocol, Now);
        record.TakeEvents();
        return record;
    }

    private static TreatedLevel Treatment(DateTimeOffset at, DateOnly expiry, string operatorId = "op-1", CementLeakage leakage = CementLeakage.None, bool symptomatic = false) =>
        new("L1", TrocarApproach.Unipedicular, 13, 3, "PMMA-X", "LOT-1", leakage, symptomatic, at, expiry, "0401", operatorId);

    private static string[] Rules(ClinicalGateException gate) => gate.Violations.Select(v => v.Rule).ToArray();

    [Theory]
    [InlineData(24 * 60, true)]
    [InlineData(24 * 60 + 1, false)]
    [InlineData(1, true)]
    [InlineData(-1, false)]
    public void SignIn_VisitAge_AcceptedWithin24Hours(int minutesBefore, bool accepted)
    {
        var record = Case();
        record.RecordPreAnestheticVisit(Now.AddMinutes(-minutesBefore));

        var gate = Record.Exception(() => record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now));

        if (accepted)
        {
            Assert.Null(gate);
            Assert.Equal(CaseState.SignedIn, record.State);
        }
        else
        {
            Assert.Equal([GateRules.PreAnestheticVisitRequired], Rules(Assert.IsType<ClinicalGateException>(gate)));
        }
    }

    [Fact]
    public void SignIn_VisitWindowFromConfiguration_Applies()
    {
        var protocol = SiteProtocolSetup.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["SiteProtocol:Anesthesia:PreAnestheticVisitWithinHours:Value"] = "12" })
            .Build());
        var record = Case();
        record.RecordPreAnestheticVisit(Now.AddHours(-13));

        var gate = Assert.Throws<ClinicalGateException>(() => record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, protocol, Now));

        Assert.Equal(GateRules.PreAnestheticVisitRequired, gate.Rule);
    }

    [Theory]
    [InlineData(SedationCodes.LocalWithSedation)]
    [InlineData(SedationCodes.ConsciousSedation)]
    [InlineData(SedationCodes.General)]
    [InlineData("")]
    public void SignIn_AnythingButLocal_NeedsVisit(string sedation)
    {
        var gate = Assert.Throws<ClinicalGateException>(() => Case(sedation).SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now));

        Assert.Equal(GateRules.PreAnestheticVisitRequired, gate.Rule);
    }

    [Theory]
    [InlineData(120, 360, 480, new string[0])]
    [InlineData(119, 360, 480, new[] { "last_clear_liquids_at" })]
    [InlineData(120, 359, 480, new[] { "last_light_meal_at" })]
    [InlineData(120, 360, 479, new[] { "last_fatty_meal_at" })]
    [InlineData(10, 10, 10, new[] { "last_clear_liquids_at", "last_light_meal_at", "last_fatty_meal_at" })]
    public void SignIn_Fasting_ChecksEachIntakeAgainstAsaIntervals(int clearMinutes, int lightMinutes, int fattyMinutes, string[] refused)
    {
        var record = Case();
        record.RecordPreAnestheticVisit(Now.AddHours(-1));
        var fasting = new FastingReport(Now.AddMinutes(-clearMinutes), Now.AddMinutes(-lightMinutes), Now.AddMinutes(-fattyMinutes));

        var gate = Record.Exception(() => record.SignIn(SignInChecklist.Complete, fasting, Protocol, Now)) as ClinicalGateException;

        Assert.Equal(refused, gate?.Violations.Select(v => v.Subject).ToArray() ?? []);
        Assert.All(gate?.Violations ?? [], v => Assert.Equal(GateRules.FastingNotRespected, v.Rule));
        Assert.Equal(refused.Length == 0 ? CaseState.SignedIn : CaseState.Scheduled, record.State);
    }

    [Fact]
    public void SignIn_NoIntakeDeclared_FastingRespected()
    {
        var record = Case();
        record.RecordPreAnestheticVisit(Now.AddHours(-1));

        record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now);

        Assert.Equal(FastingReport.NothingSince, record.Fasting);
    }

    [Fact]
    public void SignIn_NoConsentLevels_ConsentRequired()
    {
        var record = CaseRecord.Schedule(Guid.NewGuid(), Guid.NewGuid(), ["L1"], "IR-1", Now, Booked);

        var gate = Assert.Throws<ClinicalGateException>(() => record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now));

        Assert.Contains(GateRules.ConsentRequired, Rules(gate));
    }

    [Fact]
    public void SignIn_ConsentDiffers_ConsentLevelsMismatch()
    {
        var record = Case(SedationCodes.Local, consented: ["L2"]);

        var gate = Assert.Throws<ClinicalGateException>(() => record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now));

        Assert.Equal([GateRules.ConsentLevelsMismatch], Rules(gate));
    }

    [Theory]
    [InlineData(60, false)]
    [InlineData(61, true)]
    [InlineData(0, false)]
    [InlineData(-1, true)]
    public void TimeOut_AntibioticWindow_60MinutesBefore(int minutesBefore, bool refused)
    {
        var record = Case(SedationCodes.Local);
        record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now);

        var gate = Record.Exception(() => record.TimeOut(
            ["L1"], "op-1", TimeOutChecklist.Complete, new AntibioticDose("cefazolin", Now.AddMinutes(-minutesBefore)), null, Protocol, Now));

        Assert.Equal(refused, gate is ClinicalGateException { Rule: GateRules.AntibioticWindowNotMet });
        Assert.Equal(refused ? CaseState.SignedIn : CaseState.TimedOut, record.State);
    }

    [Theory]
    [InlineData("cefazolin 1 g IV", true)]
    [InlineData("Amoxicillin", true)]
    [InlineData("clindamycin 600 mg IV", false)]
    public void TimeOut_BetaLactamAllergy_RefusesBetaLactams(string drug, bool refused)
    {
        var record = Case(SedationCodes.Local, allergies: [AllergyCodes.BetaLactam]);
        record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now);

        var gate = Record.Exception(() => record.TimeOut(["L1"], "op-1", TimeOutChecklist.Complete, new AntibioticDose(drug, Now.AddMinutes(-5)), null, Protocol, Now));

        Assert.Equal(refused, gate is ClinicalGateException { Rule: GateRules.AntibioticAllergyConflict });
    }

    [Theory]
    [InlineData("team_introduced")]
    [InlineData("patient_site_procedure_confirmed")]
    [InlineData("critical_events_reviewed")]
    [InlineData("imaging_displayed")]
    public void TimeOut_ItemMissing_RefusedNamingIt(string item)
    {
        var record = Case(SedationCodes.Local);
        record.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, Protocol, Now);

        var gate = Assert.Throws<ClinicalGateException>(() => record.TimeOut(
            ["L1"], "op-1", DomainFixtures.TimeOutWithout(item), new AntibioticDose("cefazolin", Now), null, Protocol, Now));

        Assert.Equal(GateRules.TimeOutIncomplete, gate.Rule);
        Assert.Equal(item, Assert.Single(gate.Violations).Subject);
    }

    [Fact]
    public void TimeOut_Repeated_RecordsEveryTimeOutAndRaisesStartOnce()
    {
        var record = TimedOut();

        var second = record.TimeOut(["L1"], "op-2", TimeOutChecklist.Complete, null, null, Protocol, Now.AddHours(2));

        Assert.Null(second);
        Assert.Empty(record.TakeEvents());
        Assert.Equal(["op-1", "op-2"], record.TimeOuts.Select(t => t.OperatorId));
        Assert.Equal("CARM-1", record.TimeOuts[1].EquipmentId);
        Assert.Equal("op-2", record.OperatorId);
    }

    [Fact]
    public void RecordTreatment_OperatorChanged_RefusedUntilNewTimeOut()
    {
        var record = TimedOut();

        var gate = Assert.Throws<ClinicalGateException>(() => record.RecordTreatment(Treatment(Now, new DateOnly(2027, 1, 1), "op-2"), Protocol));
        record.TimeOut(["L1"], "op-2", TimeOutChecklist.Complete, null, null, Protocol, Now.AddMinutes(5));
        record.RecordTreatment(Treatment(Now.AddMinutes(6), new DateOnly(2027, 1, 1), "op-2"), Protocol);

        Assert.Equal(GateRules.OperatorChangedTimeOutRequired, gate.Rule);
        Assert.Equal("op-2", Assert.Single(record.Treatments).OperatorId);
    }

    [Fact]
    public void RecordTreatment_ExpiryIsSiteLocalDate_LateEveningUtcIsNextDayInParis()
    {
        var record = TimedOut();
        var lateEvening = new DateTimeOffset(2026, 11, 23, 23, 30, 0, TimeSpan.Zero); // 00:30 on 24 Nov in Paris

        var gate = Assert.Throws<ClinicalGateException>(() => record.RecordTreatment(Treatment(lateEvening, new DateOnly(2026, 11, 23)), Protocol));

        Assert.Equal(GateRules.CementLotExpired, gate.Rule);
        Assert.Empty(record.Treatments);
    }

    [Fact]
    public void RecordTreatment_ExpiryOnProcedureDate_Accepted()
    {
        var record = TimedOut();

        record.RecordTreatment(Treatment(Now, new DateOnly(2026, 11, 23)), Protocol);

        Assert.Single(record.Treatments);
    }

    [Fact]
    public void RecordTreatment_NoExpiry_RefusedCementLotExpired()
    {
        var record = TimedOut();
        var treatment = Treatment(Now, new DateOnly(2027, 1, 1)) with { CementExpiry = null };

        Assert.Equal(GateRules.CementLotExpired, Assert.Throws<ClinicalGateException>(() => record.RecordTreatment(treatment, Protocol)).Rule);
    }

    [Fact]
    public void RecordTreatment_SymptomaticLeak_RaisesEscalation()
    {
        var record = TimedOut();

        record.RecordTreatment(Treatment(Now, new DateOnly(2027, 1, 1), leakage: CementLeakage.Canal, symptomatic: true), Protocol);

        var raised = Assert.IsType<EscalationRaised>(Assert.Single(record.TakeEvents()));
        Assert.Equal(EscalationCodes.SymptomaticCementLeak, raised.Reason);
        Assert.Equal(CaseRecord.ProcedureRecordSource, raised.Source);
        Assert.Equal("L1", raised.Level);
        Assert.True(record.HasOpenEscalation);
    }

    [Fact]
    public void RecordTreatment_AbandonedLevel_RefusedLevelAbandoned()
    {
        var record = TimedOut();
        record.AbandonLevel("L1", "PEDICLE_NOT_ACCESSIBLE", Now);

        Assert.Equal(GateRules.LevelAbandoned, Assert.Throws<ClinicalGateException>(() => record.RecordTreatment(Treatment(Now, new DateOnly(2027, 1, 1)), Protocol)).Rule);
    }

    [Theory]
    [InlineData(500, 3600, new string[0])]
    [InlineData(500.1, 3600, new[] { DoseAlerts.DoseAreaProduct })]
    [InlineData(500, 3601, new[] { DoseAlerts.FluoroscopyTime })]
    public void DoseAlertsFor_AlertLevels_ListsCodes(double dap, double fluoroSeconds, string[] expected)
    {
        Assert.Equal(expected, CaseRecord.DoseAlertsFor(new RadiationDose(dap, 100, fluoroSeconds, 0), Protocol));
    }

    [Fact]
    public void RecordDose_AboveSkinLevel_TaskDueIn30DaysAndEventOnce()
    {
        var record = TimedOut();
        var dose = new RadiationDose(100, 5001, 600, 300, true);

        record.RecordDose(dose, Protocol, Now);
        record.RecordDose(dose with { ReferenceAirKermaMgy = 6000 }, Protocol, Now.AddMinutes(5));

        var raised = Assert.IsType<SkinDoseFollowUpRequired>(Assert.Single(record.TakeEvents()));
        Assert.Equal(Now.AddDays(30), raised.DueBy);
        Assert.Equal(Now.AddDays(30), record.SkinFollowUp!.DueBy);
    }

    [Fact]
    public void SignOut_LevelsDifferFromTreated_Refused()
    {
        var record = TimedOut();
        record.RecordTreatment(Treatment(Now, new DateOnly(2027, 1, 1)), Protocol);

        var gate = Assert.Throws<ClinicalGateException>(() => record.SignOut(SignOutChecklist.Complete, ["L2"], "rn-1", Now));

        Assert.Equal(GateRules.SignOutLevelsMismatch, gate.Rule);
        Assert.Equal(CaseState.TimedOut, record.State);
    }

    [Fact]
    public void Complete_CarriesBookingAndFlags_AndNeurologicalDeficitEscalates()
    {
        var record = TimedOut(SedationCodes.General);
        record.RecordTreatment(Treatment(Now, new DateOnly(2027, 1, 1), leakage: CementLeakage.Venous, symptomatic: true), Protocol);
        record.RecordDose(new RadiationDose(10, 5500, 100, 0), Protocol, Now);
        record.SignOut(SignOutChecklist.Complete, ["L1"], "rn-1", Now);
        record.TakeEvents();

        record.Complete([new RecordedComplication(ComplicationCodes.NewNeurologicalDeficit, 4)], Now.AddMinutes(1));

        var events = record.TakeEvents();
        var escalation = Assert.Single(events.OfType<EscalationRaised>());
        Assert.Equal(EscalationCodes.NewNeurologicalDeficit, escalation.Reason);
        var completed = Assert.Single(events.OfType<ProcedureCompleted>());
        Assert.Equal(AdmissionCodes.Hospitalised, completed.Admission);
        Assert.Equal(SedationCodes.General, completed.SedationMode);
        Assert.Equal("TUMOUR", completed.Indication);
        Assert.True(completed.SymptomaticLeak);
        Assert.True(completed.SkinDoseFollowUp);
        Assert.Equal(2, record.Escalations.Count);
    }

    [Fact]
    public void ProcedureReportDocument_Escape_EscapesMarkupKeepsUnits()
    {
        Assert.Equal("&lt;b&gt;&amp;&quot;&#39; Gy·cm²", ProcedureReportDocument.Escape("<b>&\"' Gy·cm²"));
    }

    [Fact]
    public void ComplicationCodes_Vocabulary_KnownOnly()
    {
        Assert.True(ComplicationCodes.IsKnown("PUNCTURE_SITE_HAEMATOMA"));
        Assert.False(ComplicationCodes.IsKnown("HAEMATOMA"));
        Assert.Equal(8, ComplicationCodes.All.Count);
    }
}
