using IrSuite.Grpc;
using IrSuite.Procedure.V1;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>Client request ids (decision 0007) and the case version over real gRPC.</summary>
public sealed class IdempotencyTests : ComponentTestBase
{
    [Fact]
    public async Task SignIn_RetriedWithSameRequestId_SameCaseNoSecondChange()
    {
        var referralId = await CaseAtAsync(CaseStatus.Scheduled);
        var request = FullSignIn(referralId);
        request.RequestId = Guid.NewGuid().ToString();

        var first = await Client.SignInAsync(request);
        var outbox = await OutboxCountAsync(referralId);
        var retried = await Client.SignInAsync(request);

        Assert.Equal(first, retried);
        Assert.Equal(first.Version, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Version);
        Assert.Equal(outbox, await OutboxCountAsync(referralId));
    }

    [Fact]
    public async Task RecordLevelTreatment_RetriedWithSameRequestId_OneTreatmentRecorded()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        request.RequestId = Guid.NewGuid().ToString();

        var first = await Client.RecordLevelTreatmentAsync(request);
        var retried = await Client.RecordLevelTreatmentAsync(request);

        Assert.Equal(first, retried);
        Assert.Single((await Client.GetProcedureSummaryAsync(referralId.ToString())).Treatments);
    }

    [Fact]
    public async Task CompleteCase_ConcurrentDuplicates_OneCompletionOneEvent()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedOut);
        var outbox = await OutboxCountAsync(referralId);
        var request = new CompleteCaseRequest { ReferralId = referralId.ToString(), RequestId = Guid.NewGuid().ToString() };

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Client.CompleteCaseAsync(request)));

        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.Equal(CaseStatus.Completed, responses[0].Status);
        Assert.Equal(outbox + 1, await OutboxCountAsync(referralId));
    }

    [Fact]
    public async Task RecordDose_SameRequestIdDifferentContent_InvalidArgumentOnRequestId()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = DoseOf(referralId);
        request.RequestId = Guid.NewGuid().ToString();
        var first = await Client.RecordDoseAsync(request);
        var changed = request.Clone();
        changed.FluoroscopySeconds += 30;

        await AssertInvalidAsync("request_id", () => Client.RecordDoseAsync(changed));

        Assert.Equal(first, await Client.GetProcedureSummaryAsync(referralId.ToString()));
    }

    [Fact]
    public async Task DiscontinueCase_RequestIdNotUuid_InvalidArgumentOnRequestId()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        await AssertInvalidAsync("request_id", () => Client.DiscontinueCaseAsync(new DiscontinueCaseRequest
        {
            ReferralId = referralId.ToString(), Reason = "EQUIPMENT_FAILURE", RequestId = "12345",
        }));

        Assert.Equal(CaseStatus.SignedIn, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Fact]
    public async Task CompleteCase_RefusedThenRetriedAfterSignOut_RefusalNotRememberedCompletes()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));
        await Client.RecordDoseAsync(DoseOf(referralId));
        var complete = new CompleteCaseRequest { ReferralId = referralId.ToString(), RequestId = Guid.NewGuid().ToString() };
        var refused = await Assert.ThrowsAsync<RpcException>(() => Client.CompleteCaseAsync(complete));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);

        await Client.SignOutAsync(FullSignOut(referralId, "L1"));
        var completed = await Client.CompleteCaseAsync(complete);

        Assert.Equal(CaseStatus.Completed, completed.Status);
    }

    [Fact]
    public async Task RecordDose_ParallelUpdatesOfOneCase_EachAbortedOrSerialisedNeverLost()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var before = (await Client.GetProcedureSummaryAsync(referralId.ToString())).Version;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            var dose = DoseOf(referralId);
            dose.FluoroscopySeconds += i;
            try
            {
                await Client.RecordDoseAsync(dose);
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
        Assert.Equal(before + applied, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Version);
    }
}
