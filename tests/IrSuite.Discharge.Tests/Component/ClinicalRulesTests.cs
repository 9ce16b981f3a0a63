using Dapper;
using IrSuite.Contracts;
using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using DischargeRules = IrSuite.Discharge.Domain.DischargeRules;

namespace IrSuite.Discharge.Tests.Component;

/// <summary>Issue 4 over real gRPC: scores, the check schedule, leaving and going home, escalation, instructions, the document.</summary>
public sealed class ClinicalRulesTests : DischargeComponentTest
{
    private SiteProtocol Protocol => Host.Services.GetRequiredService<SiteProtocol>();

    private static RecordObservationRequest WithAldrete(RecordObservationRequest request, int consciousness)
    {
        request.Aldrete.Consciousness = consciousness;
        return request;
    }

    /// <summary>The observation's version and outbox size: a refusal leaves both as they were.</summary>
    private async Task<(long Version, int Outbox)> StateAsync(Guid referralId)
    {
        await using var connection = await Host.Database.OpenAsync();
        return (
            await connection.ExecuteScalarAsync<long>("SELECT version FROM observation WHERE referral_id = @id", new { id = referralId.ToString() }),
            await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM outbox_message"));
    }

    [Fact]
    public async Task RecordObservation_ScoreItemsOutOfRange_InvalidArgumentNamingEachItem_NothingWritten()
    {
        var (referralId, _) = await OpenObservationAsync();
        var request = GoodObservation(referralId);
        request.Aldrete = new V1.AldreteItems { Activity = 3, Respiration = -1, Circulation = 2, Consciousness = 2, OxygenSaturation = 5 };
        request.Padss = new V1.PadssItems { VitalSigns = 2, Ambulation = 2, NauseaVomiting = 3, Pain = 2, SurgicalBleeding = -2 };
        var before = await StateAsync(referralId);

        var fields = await AssertInvalidAsync(Host.RecordObservationAsync(request));

        Assert.Equal(["aldrete.activity", "aldrete.respiration", "aldrete.oxygen_saturation", "padss.nausea_vomiting", "padss.surgical_bleeding"], fields);
        Assert.Equal(before, await StateAsync(referralId));
    }

    [Fact]
    public async Task RecordObservation_Scores_TotalsOnTheStatus_LatestValues()
    {
        var (referralId, _) = await OpenObservationAsync();
        var opened = await Host.GetStatusAsync(referralId);
        Assert.False(opened.HasAldreteScore);
        Assert.False(opened.HasPadssScore);

        await Host.RecordObservationAsync(GoodObservation(referralId));
        var second = GoodObservation(referralId);
        second.Aldrete.Activity = 1;
        second.Padss.Pain = 0;
        var status = await Host.RecordObservationAsync(second);

        Assert.Equal(9, status.AldreteScore);
        Assert.Equal(8, status.PadssScore);
        Assert.Equal(Protocol.AppliedVersion, status.ProtocolVersion);
        Assert.Equal(AdmissionCodes.Ambulatory, status.Admission);
    }

    [Fact]
    public async Task GetObservationStatus_ChecksMissed_NextDueAndOverdueFlaggedWithDueTimes()
    {
        var (referralId, _) = await OpenObservationAsync();
        Assert.Equal(Start.AddMinutes(15), (await Host.GetStatusAsync(referralId)).NextCheckDue.ToDateTimeOffset());

        Clock.Advance(TimeSpan.FromMinutes(14));
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromMinutes(27));
        var status = await Host.GetStatusAsync(referralId);

        // 15 min met at 14; 30 min missed (grace 5 min passed at 41); 45 min next.
        Assert.Equal([Start.AddMinutes(30)], status.OverdueChecks.Select(t => t.ToDateTimeOffset()));
        Assert.Equal(1, status.OverdueCount);
        Assert.Equal(Start.AddMinutes(45), status.NextCheckDue.ToDateTimeOffset());
    }

    [Fact]
    public async Task DischargePatient_AldreteEight_RefusedAldreteBelowMinimum_NothingWritten_NineAllowed()
    {
        var (referralId, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(WithAldrete(WithAldrete(GoodObservation(referralId), 1), 0));
        Clock.Advance(TimeSpan.FromHours(2));
        var ward = HomeDischarge(referralId);
        ward.Destination = Destination.Ward;
        var before = await StateAsync(referralId);

        var refused = await AssertGatesAsync(Host.DischargeAsync(ward), DischargeRules.AldreteBelowMinimum);

        Assert.Contains("9/10", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(referralId));
        Assert.Equal(0, Host.ProcedureRecord.Calls);
        await Host.RecordObservationAsync(WithAldrete(GoodObservation(referralId), 1));
        Assert.Equal(9, (await Host.DischargeAsync(ward)).AldreteScore);
    }

    [Fact]
    public async Task DischargePatient_PadssEightHome_RefusedPadssBelowMinimum_NothingWritten_WardAllowed()
    {
        var (referralId, _) = await OpenObservationAsync();
        var request = GoodObservation(referralId);
        request.Padss.Ambulation = 1;
        request.Padss.Pain = 1;
        await Host.RecordObservationAsync(request);
        Clock.Advance(TimeSpan.FromHours(2));
        var before = await StateAsync(referralId);

        await AssertGatesAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.PadssBelowMinimum);

        Assert.Equal(before, await StateAsync(referralId));
        var ward = HomeDischarge(referralId);
        ward.Destination = Destination.Ward;
        var summary = await Host.DischargeAsync(ward);
        Assert.Equal(8, summary.PadssScore);
    }

    [Fact]
    public async Task DischargePatient_HospitalisedHomeSameDay_RefusedNextDayRule_NextDayAllowed()
    {
        var (referralId, _) = await OpenObservationAsync(c => c with { Admission = AdmissionCodes.Hospitalised });
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromHours(6));
        // Start 08:00 UTC on 23 Nov; the next site-local day at 08:00 Paris is 24 Nov 07:00 UTC.
        var nextDay = new DateTimeOffset(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);
        var status = await Host.GetStatusAsync(referralId);
        Assert.Equal(AdmissionCodes.Hospitalised, status.Admission);
        Assert.Equal(nextDay, status.HomeFrom.ToDateTimeOffset());
        var before = await StateAsync(referralId);

        await AssertGatesAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.NextDayDischargeRule);

        Assert.Equal(before, await StateAsync(referralId));
        Clock.Advance(nextDay - Clock.GetUtcNow());
        await Host.RecordObservationAsync(GoodObservation(referralId));
        var summary = await Host.DischargeAsync(HomeDischarge(referralId));
        Assert.Equal(AdmissionCodes.Hospitalised, summary.Admission);
        var discharged = await Host.Events.WaitForAsync<PatientDischarged>(e => e.ReferralId == referralId);
        Assert.Equal(AdmissionCodes.Hospitalised, discharged.Admission);
    }

    [Fact]
    public async Task NeurologicalDeficit_EscalationRaisedOnce_HomeRefusedUntilResolved()
    {
        var (referralId, patientId) = await OpenObservationAsync();
        var deficit = GoodObservation(referralId);
        deficit.LegsNeuroNormal = false;
        Clock.Advance(TimeSpan.FromMinutes(15));
        var raised = await Host.RecordObservationAsync(deficit);
        Clock.Advance(TimeSpan.FromMinutes(15));
        await Host.RecordObservationAsync(deficit);

        Assert.True(raised.EscalationOpen);
        Assert.Equal(EscalationCodes.NewNeurologicalDeficit, raised.Escalation.Reason);
        var escalation = await Host.Events.WaitForAsync<EscalationRaised>(e => e.ReferralId == referralId);
        Assert.Equal(patientId, escalation.PatientId);
        Assert.Equal(EscalationCodes.NewNeurologicalDeficit, escalation.Reason);
        Assert.Equal("discharge", escalation.Source);
        Assert.Equal(Start.AddMinutes(15), escalation.OccurredAt);
        Assert.Equal(1, await Host.OutboxCountOfAsync(typeof(EscalationRaised).FullName!));

        Clock.Advance(TimeSpan.FromHours(2));
        await Host.RecordObservationAsync(GoodObservation(referralId));
        var before = await StateAsync(referralId);
        await AssertGatesAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.EscalationOpen);
        Assert.Equal(before, await StateAsync(referralId));

        // The reviewer recorded is the caller's token subject.
        var resolved = await Host.ResolveEscalationAsync(
            new ResolveEscalationRequest { ReferralId = referralId.ToString(), Outcome = EscalationOutcome.ImagingNormal },
            TestIdentity.As("dr-neuro", Roles.Radiologist));
        Assert.False(resolved.EscalationOpen);
        Assert.Equal(EscalationOutcome.ImagingNormal, resolved.Escalation.Outcome);
        Assert.Equal("dr-neuro", resolved.Escalation.ResolvedBy);
        var summary = await Host.DischargeAsync(HomeDischarge(referralId));
        Assert.Equal(EscalationOutcome.ImagingNormal, summary.Escalation.Outcome);
        Assert.Equal(1, await Host.OutboxCountOfAsync(typeof(EscalationRaised).FullName!));
    }

    [Fact]
    public async Task ResolveEscalation_NoneOpen_RefusedNoOpenEscalation_MissingOutcome_InvalidArgument()
    {
        var (referralId, _) = await OpenObservationAsync();
        var request = new ResolveEscalationRequest { ReferralId = referralId.ToString(), Outcome = EscalationOutcome.NoDeficit };

        await AssertGateAsync(Host.ResolveEscalationAsync(request), DischargeRules.NoOpenEscalation);

        var deficit = GoodObservation(referralId);
        deficit.LegsNeuroNormal = false;
        await Host.RecordObservationAsync(deficit);
        request.Outcome = EscalationOutcome.Unspecified;
        Assert.Equal(["outcome"], await AssertInvalidAsync(Host.ResolveEscalationAsync(request)));
        Assert.True((await Host.GetStatusAsync(referralId)).EscalationOpen);
    }

    [Fact]
    public async Task ProcedureCompleted_SymptomaticLeak_CloseNeuroWatchOnStatusAndBoard()
    {
        var (referralId, _) = await OpenObservationAsync(c => c with { SymptomaticLeak = true, SkinDoseFollowUp = true, SedationMode = SedationCodes.General });

        var status = await Host.GetStatusAsync(referralId);

        Assert.True(status.CloseNeuroWatch);
        Assert.True(status.SkinDoseFollowUp);
        Assert.Equal(SedationCodes.General, status.SedationMode);
        Assert.True(Assert.Single((await Host.ListObservationsAsync()).Observations).CloseNeuroWatch);
    }

    [Fact]
    public async Task ListObservations_InProgressOnly_WithTimeLeftNextCheckOverdueAndEscalation()
    {
        var (first, _) = await OpenObservationAsync();
        Clock.Advance(TimeSpan.FromMinutes(10));
        var (second, _) = await OpenObservationAsync();
        var deficit = GoodObservation(second);
        deficit.LegsNeuroNormal = false;
        await Host.RecordObservationAsync(deficit);
        Clock.Advance(TimeSpan.FromMinutes(11));
        var (gone, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(gone));
        Clock.Advance(TimeSpan.FromHours(2));
        await Host.RecordObservationAsync(GoodObservation(gone));
        await Host.DischargeAsync(HomeDischarge(gone));

        var board = (await Host.ListObservationsAsync()).Observations;

        Assert.Equal([first.ToString(), second.ToString()], board.Select(r => r.ReferralId));
        Assert.Equal(TimeSpan.Zero, board[0].TimeLeft.ToTimeSpan());
        Assert.True(board[0].OverdueCount > 0);
        Assert.NotNull(board[0].NextCheckDue);
        Assert.False(board[0].EscalationOpen);
        Assert.True(board[1].EscalationOpen);
    }

    [Fact]
    public async Task DischargeSummary_VersionedCodedInstructions_CallAndFollowUp()
    {
        var (referralId, _) = await OpenObservationAsync(c => c with { Admission = AdmissionCodes.Ambulatory, Indication = "OSTEOPOROTIC_FRACTURE" });
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromHours(2));

        var summary = await Host.DischargeAsync(HomeDischarge(referralId));

        Assert.Equal(["no-driving", "rest", "no-heavy-lifting", "call-for-fever", "report-skin"], summary.CodedInstructions.Select(i => i.Code));
        Assert.Equal(DefaultInstructionTexts, summary.CodedInstructions.Select(i => i.Text));
        Assert.Equal(Protocol.AppliedVersion, summary.ProtocolVersion);
        Assert.Equal(Start.AddHours(26), summary.PostDischargeCallDueAt.ToDateTimeOffset());
        Assert.Equal("2026-12-23", summary.FollowUpDueDate);
        Assert.Equal(7, summary.FollowUpWindowDays);
        Assert.Equal("scheduling", summary.FollowUpBookedBy);
        Assert.Equal(10, summary.AldreteScore);
        Assert.Equal(10, summary.PadssScore);
        Assert.True(summary.EscortPresent);
        Assert.Equal(summary, await Host.GetSummaryAsync(referralId));
        var discharged = await Host.Events.WaitForAsync<PatientDischarged>(e => e.ReferralId == referralId);
        Assert.Equal("OSTEOPOROTIC_FRACTURE", discharged.Indication);
        Assert.Equal(Protocol.AppliedVersion, discharged.ProtocolVersion);
        Assert.Equal(Start.AddHours(26), discharged.PostDischargeCallDueAt);
    }

    [Fact]
    public async Task GetDischargeSummaryDocument_BeforeDischarge_RefusedNotDischarged_AfterIsEscapedHtml()
    {
        var (referralId, patientId) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(referralId));
        await AssertGateAsync(Host.GetDocumentAsync(referralId), DischargeRules.NotDischarged);
        await AssertNotFoundAsync(Host.GetDocumentAsync(Guid.NewGuid()));
        Clock.Advance(TimeSpan.FromHours(2));
        // The discharging clinician comes from the token; a subject with markup is printed escaped.
        await Host.DischargeAsync(HomeDischarge(referralId), TestIdentity.As("<b>dr-42</b>", Roles.Radiologist));

        var document = await Host.GetDocumentAsync(referralId);

        Assert.Equal("text/html; charset=utf-8", document.ContentType);
        Assert.Equal(await Host.GetSummaryAsync(referralId), document.Summary);
        Assert.Contains(patientId.ToString(), document.Content, StringComparison.Ordinal);
        Assert.Contains("L1, L2", document.Content, StringComparison.Ordinal);
        Assert.Contains("HAEMATOMA", document.Content, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;dr-42&lt;/b&gt;", document.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", document.Content, StringComparison.Ordinal);
    }
}

/// <summary>A site whose patients get up at the end of the afternoon (17:00 Europe/Paris).</summary>
public sealed class GettingUpPolicyTests : DischargeComponentTest
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["SiteProtocol:Observation:GettingUp"] = "EndOfAfternoon",
    };

    [Fact]
    public async Task DischargePatient_HomeBeforeEndOfAfternoon_RefusedGettingUpNotYetAllowed_AtFivePmAllowed()
    {
        var (referralId, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(referralId));
        var fivePm = new DateTimeOffset(2026, 11, 23, 16, 0, 0, TimeSpan.Zero);
        Assert.Equal(fivePm, (await Host.GetStatusAsync(referralId)).GettingUpFrom.ToDateTimeOffset());
        Clock.Advance(TimeSpan.FromHours(3));

        await AssertGatesAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.GettingUpNotYetAllowed);

        Assert.False((await Host.GetStatusAsync(referralId)).Discharged);
        Clock.Advance(fivePm - Clock.GetUtcNow());
        Assert.Equal(Destination.Home, (await Host.DischargeAsync(HomeDischarge(referralId))).Destination);
    }
}
