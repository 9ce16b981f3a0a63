using Dapper;
using IrSuite.Anesthesia.V1;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Tests.Infrastructure;
using IrSuite.Common.V1;
using IrSuite.Grpc;

namespace IrSuite.AnesthesiaConsultation.Tests.Grpc;

/// <summary>Client request ids (decision 0007) and the case version over real gRPC.</summary>
public sealed class IdempotencyTests : AnesthesiaHostTest
{
    private const string ClearanceSignedType = "IrSuite.Contracts.Anesthesia.ClearanceSigned, IrSuite.Contracts";

    [Fact]
    public async Task SignClearance_RetriedWithSameRequestId_SamePlanOneClearanceSigned()
    {
        var accepted = await ReadyToSignAsync();
        var request = Requests.Clearance(accepted.ReferralId);
        request.RequestId = Guid.NewGuid().ToString();

        var first = await Host.SignClearanceAsync(request);
        Host.Clock.Advance(TimeSpan.FromMinutes(5));
        var retried = await Host.SignClearanceAsync(request);

        Assert.Equal(first, retried);
        Assert.Equal(first.Version, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version);
        Assert.Single(await RpcAssert.OutboxTypesAsync(Host), t => t == ClearanceSignedType);
    }

    [Fact]
    public async Task SignClearance_ConcurrentDuplicates_OneAppliedAllGetFirstPlan()
    {
        var accepted = await ReadyToSignAsync();
        var request = Requests.Clearance(accepted.ReferralId);
        request.RequestId = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Host.SignClearanceAsync(request)));

        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.Single(await RpcAssert.OutboxTypesAsync(Host), t => t == ClearanceSignedType);
    }

    [Fact]
    public async Task RecordAssessment_SameRequestIdDifferentContent_InvalidArgumentOnRequestId()
    {
        var accepted = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.RequestId = Guid.NewGuid().ToString();
        var first = await Host.RecordAssessmentAsync(request);
        var changed = request.Clone();
        changed.Labs.Inr = 1.3;

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordAssessmentAsync(changed));

        RpcAssert.Invalid(ex, "request_id");
        Assert.Equal(first, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
    }

    [Fact]
    public async Task PlanSedation_RequestIdNotUuid_InvalidArgumentOnRequestId()
    {
        var accepted = await ReadyToSignAsync();
        var request = Requests.Sedation(accepted.ReferralId);
        request.RequestId = "retry-1";

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.PlanSedationAsync(request));

        RpcAssert.Invalid(ex, "request_id");
    }

    [Fact]
    public async Task RecordPreAnestheticVisit_RetriedWithSameRequestId_OneVisitRecordedEvent()
    {
        var accepted = await ReadyToSignAsync();
        await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));
        var visit = Requests.Visit(accepted.ReferralId, Host.Clock.GetUtcNow());
        visit.RequestId = Guid.NewGuid().ToString();

        var first = await Host.RecordPreAnestheticVisitAsync(visit);
        var retried = await Host.RecordPreAnestheticVisitAsync(visit);

        Assert.Equal(first, retried);
        Assert.Single(await RpcAssert.OutboxTypesAsync(Host), t => t.StartsWith("IrSuite.Contracts.Anesthesia.PreAnestheticVisitRecorded,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlanSedation_ParallelUpdatesOfOneCase_EachAbortedOrSerialisedNeverLost()
    {
        var accepted = await ReadyToSignAsync();
        var before = (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version;
        var modes = new[] { SedationMode.General, SedationMode.ConsciousSedation };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId, modes[i % 2]));
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
        Assert.Equal(before + applied, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version);
    }

    [Fact]
    public async Task UpdateAsync_StaleVersion_ReturnsNullSoTheCallerAnswersAborted()
    {
        var accepted = await ReadyToSignAsync();

        var (first, second) = await Host.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var read = (await AnesthesiaCaseRepository.FindAsync(connection, transaction, accepted.ReferralId))!;
            var saved = await AnesthesiaCaseRepository.UpdateAsync(connection, transaction, read);
            var stale = await AnesthesiaCaseRepository.UpdateAsync(connection, transaction, read);
            return (saved, stale);
        });

        Assert.NotNull(first);
        Assert.Null(second);
        await using var connection = await Host.Database.OpenAsync();
        Assert.Equal(first.Version, await connection.ExecuteScalarAsync<long>(
            "SELECT version FROM anesthesia_case WHERE referral_id = @id", new { id = accepted.ReferralId.ToString() }));
    }

    private async Task<IrSuite.Contracts.Scheduling.ReferralAccepted> ReadyToSignAsync()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        await Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId));
        return accepted;
    }
}
