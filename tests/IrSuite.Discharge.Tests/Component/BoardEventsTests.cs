using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.V1;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;

namespace IrSuite.Discharge.Tests.Component;

/// <summary>What discharge tells scheduling's department board (decision 0015): check due times, scores, the escalation's review.</summary>
public sealed class BoardEventsTests : DischargeComponentTest
{
    [Fact]
    public async Task Observation_StartedAndRounds_PublishFirstAndNextCheckDueWithScores()
    {
        var (referralId, patientId) = await OpenObservationAsync();
        var started = await Host.Events.WaitForAsync<ObservationStarted>(e => e.ReferralId == referralId);
        Assert.Equal(Start.AddMinutes(15), started.FirstCheckDue);

        Clock.Advance(TimeSpan.FromMinutes(14));
        await Host.RecordObservationAsync(GoodObservation(referralId));

        var round = await Host.Events.WaitForAsync<ObservationRoundRecorded>(e => e.ReferralId == referralId);
        Assert.Equal(patientId, round.PatientId);
        Assert.Equal(Start.AddMinutes(14), round.TakenAt);
        Assert.Equal(1, round.RoundCount);
        Assert.Equal(Start.AddMinutes(30), round.NextCheckDue);
        Assert.Equal(10, round.Aldrete);
        Assert.Equal(10, round.Padss);
    }

    [Fact]
    public async Task ResolveEscalation_Reviewed_PublishesEscalationResolvedWithTheOutcomeCode()
    {
        var (referralId, patientId) = await OpenObservationAsync();
        var deficit = GoodObservation(referralId);
        deficit.LegsNeuroNormal = false;
        await Host.RecordObservationAsync(deficit);
        Clock.Advance(TimeSpan.FromMinutes(10));

        await Host.ResolveEscalationAsync(
            new ResolveEscalationRequest { ReferralId = referralId.ToString(), Outcome = EscalationOutcome.NoDeficit },
            TestIdentity.As("dr-neuro", Roles.Radiologist));

        var resolved = await Host.Events.WaitForAsync<EscalationResolved>(e => e.ReferralId == referralId);
        Assert.Equal(patientId, resolved.PatientId);
        Assert.Equal("NO_DEFICIT", resolved.Outcome);
        Assert.Equal(Clock.GetUtcNow(), resolved.OccurredAt);
    }
}
