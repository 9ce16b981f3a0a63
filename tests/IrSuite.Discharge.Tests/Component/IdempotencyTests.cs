using Dapper;
using IrSuite.Contracts.Clinical;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;

namespace IrSuite.Discharge.Tests.Component;

/// <summary>Client request ids (decision 0007) and the observation version over real gRPC.</summary>
public sealed class IdempotencyTests : DischargeComponentTest
{
    [Fact]
    public async Task RecordObservation_RetriedWithSameRequestId_SameStatusOneRound()
    {
        var (referralId, _) = await OpenObservationAsync();
        var request = GoodObservation(referralId);
        request.RequestId = Guid.NewGuid().ToString();

        var first = await Host.RecordObservationAsync(request);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var retried = await Host.RecordObservationAsync(request);

        Assert.Equal(first, retried);
        Assert.Equal(1, (await Host.GetStatusAsync(referralId)).ObservationCount);
        Assert.Equal(1, await RoundsAsync(referralId));
    }

    [Fact]
    public async Task RecordObservation_SameRequestIdDifferentContent_InvalidArgumentOnRequestId()
    {
        var (referralId, _) = await OpenObservationAsync();
        var request = GoodObservation(referralId);
        request.RequestId = Guid.NewGuid().ToString();
        await Host.RecordObservationAsync(request);
        var changed = request.Clone();
        changed.PainScore = 5;

        Assert.Equal(["request_id"], await AssertInvalidAsync(Host.RecordObservationAsync(changed)));
        Assert.Equal(1, await RoundsAsync(referralId));
    }

    [Fact]
    public async Task DischargePatient_RetriedWithSameRequestId_SameSummaryOnePatientDischarged()
    {
        var referralId = await ReadyToDischargeAsync();
        var request = HomeDischarge(referralId);
        request.RequestId = Guid.NewGuid().ToString();

        var first = await Host.DischargeAsync(request);
        var retried = await Host.DischargeAsync(request);

        Assert.Equal(first, retried);
        Assert.Equal(1, await Host.OutboxCountAsync("PatientDischarged"));
    }

    [Fact]
    public async Task DischargePatient_WithoutRequestIdRepeated_SecondRefusedAsAlreadyDischarged()
    {
        var referralId = await ReadyToDischargeAsync();
        await Host.DischargeAsync(HomeDischarge(referralId));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.DischargeAsync(HomeDischarge(referralId)));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(1, await Host.OutboxCountAsync("PatientDischarged"));
    }

    [Fact]
    public async Task DischargePatient_ConcurrentDuplicates_OneDischargeAllGetFirstSummary()
    {
        var referralId = await ReadyToDischargeAsync();
        var request = HomeDischarge(referralId);
        request.RequestId = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Host.DischargeAsync(request)));

        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.Equal(1, await Host.OutboxCountAsync("PatientDischarged"));
    }

    [Fact]
    public async Task ResolveEscalation_RetriedWithSameRequestId_SameStatus()
    {
        var (referralId, _) = await OpenObservationAsync();
        var deficit = GoodObservation(referralId);
        deficit.LegsNeuroNormal = false;
        await Host.RecordObservationAsync(deficit);
        var request = new ResolveEscalationRequest
        {
            ReferralId = referralId.ToString(), Outcome = EscalationOutcome.ImagingNormal, RequestId = Guid.NewGuid().ToString(),
        };

        var first = await Host.ResolveEscalationAsync(request);
        var retried = await Host.ResolveEscalationAsync(request);

        Assert.Equal(first, retried);
        Assert.Equal(1, await Host.OutboxCountOfAsync(typeof(EscalationRaised).FullName!));
    }

    [Fact]
    public async Task ResolveEscalation_RequestIdNotUuid_InvalidArgumentOnRequestId()
    {
        var (referralId, _) = await OpenObservationAsync();

        var fields = await AssertInvalidAsync(Host.ResolveEscalationAsync(new ResolveEscalationRequest
        {
            ReferralId = referralId.ToString(), Outcome = EscalationOutcome.NoDeficit, RequestId = "x",
        }));

        Assert.Equal(["request_id"], fields);
    }

    [Fact]
    public async Task RecordObservation_ParallelRounds_EachAbortedOrSerialisedNeverLost()
    {
        var (referralId, _) = await OpenObservationAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await Host.RecordObservationAsync(GoodObservation(referralId));
                return StatusCode.OK;
            }
            catch (RpcException ex)
            {
                return ex.StatusCode;
            }
        }));

        Assert.All(outcomes, o => Assert.True(o is StatusCode.OK or StatusCode.Aborted, $"unexpected {o}"));
        var applied = outcomes.Count(o => o == StatusCode.OK);
        Assert.True(applied >= 1);
        Assert.Equal(applied, (await Host.GetStatusAsync(referralId)).ObservationCount);
        Assert.Equal(applied, await RoundsAsync(referralId));
    }

    /// <summary>An observation with a good round, past the 2 h minimum.</summary>
    private async Task<Guid> ReadyToDischargeAsync()
    {
        var (referralId, _) = await OpenObservationAsync();
        Clock.Advance(TimeSpan.FromMinutes(30));
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromMinutes(95));
        return referralId;
    }

    private async Task<long> RoundsAsync(Guid referralId)
    {
        await using var connection = await Host.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM observation_round WHERE referral_id = @id", new { id = referralId.ToString() });
    }
}
