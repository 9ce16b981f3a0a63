using Dapper;
using IrSuite.Grpc;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.V1;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Tests.Component;

/// <summary>Client request ids (AIP-155, decision 0007) and optimistic concurrency on the referral, over real gRPC.</summary>
public sealed class IdempotencyTests : SchedulingComponentTest
{
    [Fact]
    public async Task SubmitReferral_RetriedWithSameRequestId_ReturnsFirstResponseAndAppliesOnce()
    {
        var request = NewReferral();
        request.RequestId = Guid.NewGuid().ToString();

        var first = await Host.SubmitReferralAsync(request);
        var retried = await Host.SubmitReferralAsync(request);

        Assert.Equal(first, retried);
        Assert.Equal(1, await Host.CountAsync("referral"));
        Assert.Equal(1, await Host.OutboxCountAsync("ReferralSubmitted"));
        Assert.Equal(1, await Host.CountAsync("idempotent_request"));
    }

    [Fact]
    public async Task SubmitReferral_RequestIdReusedAfterRetention_AppliedAsNew()
    {
        var request = NewReferral();
        request.RequestId = Guid.NewGuid().ToString();
        var first = await Host.SubmitReferralAsync(request);

        Clock.Advance(new IrSuite.ServiceDefaults.Idempotency.IdempotencyOptions().Retention + TimeSpan.FromMinutes(1));
        var later = await Host.SubmitReferralAsync(request);

        Assert.NotEqual(first.ReferralId, later.ReferralId);
        Assert.Equal(2, await Host.OutboxCountAsync("ReferralSubmitted"));
        Assert.Equal(1, await Host.CountAsync("idempotent_request"));
    }

    [Fact]
    public async Task SubmitReferral_NoRequestId_AppliesEachCall()
    {
        var request = NewReferral();

        var first = await Host.SubmitReferralAsync(request);
        var second = await Host.SubmitReferralAsync(request);

        Assert.NotEqual(first.ReferralId, second.ReferralId);
        Assert.Equal(2, await Host.OutboxCountAsync("ReferralSubmitted"));
        Assert.Equal(0, await Host.CountAsync("idempotent_request"));
    }

    [Fact]
    public async Task SubmitReferral_SameRequestIdDifferentContent_InvalidArgumentOnRequestId()
    {
        var request = NewReferral();
        request.RequestId = Guid.NewGuid().ToString();
        await Host.SubmitReferralAsync(request);
        var changed = request.Clone();
        changed.Levels.Add("L3");

        var fields = await AssertInvalidAsync(Host.SubmitReferralAsync(changed));

        Assert.Equal(["request_id"], fields);
        Assert.Equal(1, await Host.CountAsync("referral"));
        Assert.Equal(1, await Host.OutboxCountAsync("ReferralSubmitted"));
    }

    [Fact]
    public async Task RecordIrConsult_RequestIdOfAnotherMethod_InvalidArgumentOnRequestId()
    {
        var submit = NewReferral();
        submit.RequestId = Guid.NewGuid().ToString();
        var referral = await Host.SubmitReferralAsync(submit);

        var fields = await AssertInvalidAsync(Host.RecordIrConsultAsync(new RecordIrConsultRequest
        {
            ReferralId = referral.ReferralId, Accepted = true, ExpectedSedation = CommonV1.SedationMode.General, RequestId = submit.RequestId,
        }));

        Assert.Equal(["request_id"], fields);
        Assert.Equal(ReferralStatus.Submitted, (await Host.GetReferralAsync(referral.ReferralId)).Status);
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task SubmitReferral_RequestIdNotUuid_InvalidArgumentOnRequestId(string requestId)
    {
        var request = NewReferral();
        request.RequestId = requestId;

        var fields = await AssertInvalidAsync(Host.SubmitReferralAsync(request));

        Assert.Equal(["request_id"], fields);
        Assert.Equal(0, await Host.CountAsync("referral"));
    }

    [Fact]
    public async Task SubmitReferral_ConcurrentDuplicates_OneAppliedAllGetFirstResponse()
    {
        var request = NewReferral();
        request.RequestId = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Host.SubmitReferralAsync(request)));

        Assert.Single(responses.Select(r => r.ReferralId).Distinct());
        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.Equal(1, await Host.CountAsync("referral"));
        Assert.Equal(1, await Host.OutboxCountAsync("ReferralSubmitted"));
    }

    [Fact]
    public async Task BookAppointment_RetriedWithSameRequestId_SameAppointmentOneProcedureScheduled()
    {
        var referral = await ReadyReferralAsync();
        var request = Procedure(referral.ReferralId);
        request.RequestId = Guid.NewGuid().ToString();

        var first = await Host.BookAsync(request);
        var retried = await Host.BookAsync(request);

        Assert.Equal(first, retried);
        Assert.Single((await Host.GetPathwayAsync(referral.ReferralId)).Appointments);
        Assert.Equal(1, await Host.OutboxCountAsync("ProcedureScheduled", referral.ReferralId));
    }

    [Fact]
    public async Task BookAppointment_ConcurrentDuplicates_OneBooking()
    {
        var referral = await ReadyReferralAsync();
        var request = Procedure(referral.ReferralId);
        request.RequestId = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Host.BookAsync(request)));

        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.Single((await Host.GetPathwayAsync(referral.ReferralId)).Appointments);
        Assert.Equal(1, await Host.OutboxCountAsync("ProcedureScheduled", referral.ReferralId));
    }

    [Fact]
    public async Task BookAppointment_RefusedThenRetriedAfterFix_RefusalNotRememberedBooks()
    {
        var referral = await AcceptedReferralAsync();
        SetPlan(referral.ReferralId);
        await LabsAsync(referral.ReferralId);
        var request = Procedure(referral.ReferralId);
        request.RequestId = Guid.NewGuid().ToString();
        await AssertGateAsync(Host.BookAsync(request), "CONSENT_REQUIRED");
        Assert.Equal(0, await Host.CountAsync("idempotent_request"));

        await ConsentAsync(referral.ReferralId);
        var booked = await Host.BookAsync(request);

        Assert.Equal(referral.ReferralId, booked.ReferralId);
        Assert.Equal(1, await Host.OutboxCountAsync("ProcedureScheduled", referral.ReferralId));
    }

    [Fact]
    public async Task CancelAppointment_RetriedWithSameRequestId_SameAnswerOneProcedureCancelled()
    {
        var referral = await ReadyReferralAsync();
        var booked = await Host.BookAsync(Procedure(referral.ReferralId));
        var cancel = new CancelAppointmentRequest { AppointmentId = booked.AppointmentId, Reason = "patient unwell", RequestId = Guid.NewGuid().ToString() };

        var first = await Host.CancelAsync(cancel);
        var retried = await Host.CancelAsync(cancel);

        Assert.True(retried.Cancelled);
        Assert.Equal(first, retried);
        Assert.Equal(1, await Host.OutboxCountAsync("ProcedureCancelled", referral.ReferralId));
    }

    [Fact]
    public async Task RecordConsentLabsAndPlan_RetriedWithSameRequestId_OneTimelineEntryEach()
    {
        var referral = await AcceptedReferralAsync();
        var consent = ConsentRequest(referral.ReferralId, ["L1", "L2"]);
        consent.RequestId = Guid.NewGuid().ToString();
        var labs = new RecordLabsRequest
        {
            ReferralId = referral.ReferralId, Inr = 1.1, PlateletsGPerL = 210, RequestId = Guid.NewGuid().ToString(),
            TakenAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Clock.GetUtcNow().AddHours(-1)),
        };
        var plan = new PlanAnticoagulationRequest { ReferralId = referral.ReferralId, RequestId = Guid.NewGuid().ToString() };
        var pregnancy = new UpdatePregnancyStatusRequest
        {
            ReferralId = referral.ReferralId, Pregnancy = CommonV1.PregnancyStatus.Excluded, RequestId = Guid.NewGuid().ToString(),
        };

        Assert.Equal(await Host.RecordConsentAsync(consent), await Host.RecordConsentAsync(consent));
        Assert.Equal(await Host.RecordLabsAsync(labs), await Host.RecordLabsAsync(labs));
        Assert.Equal(await Host.PlanAnticoagulationAsync(plan), await Host.PlanAnticoagulationAsync(plan));
        Assert.Equal(await Host.UpdatePregnancyAsync(pregnancy), await Host.UpdatePregnancyAsync(pregnancy));

        var events = (await Host.GetPathwayAsync(referral.ReferralId)).Timeline.Select(t => t.Event).ToList();
        Assert.Single(events, e => e == "ConsentRecorded");
        Assert.Single(events, e => e == "LabsRecorded");
        Assert.Single(events, e => e == "AnticoagulantPlanRecorded");
        Assert.Single(events, e => e == "PregnancyStatusUpdated");
        Assert.Equal(4, await Host.CountAsync("idempotent_request"));
    }

    [Fact]
    public async Task UpdateReferral_StaleVersion_Aborted()
    {
        var referral = await AcceptedReferralAsync();
        var id = Guid.Parse(referral.ReferralId);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var row = (await SchedulingRepository.FindReferralAsync(connection, transaction, id))!;
            await SchedulingRepository.UpdateReferralAsync(connection, transaction, row, ReferralStatus.Accepted, row.Version);
            await SchedulingRepository.UpdateReferralAsync(connection, transaction, row, ReferralStatus.Accepted, row.Version);
            return 0;
        }));

        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
    }

    [Fact]
    public async Task UpdatePregnancyStatus_ParallelUpdates_EachAbortedOrSerialisedNeverLost()
    {
        var referral = await AcceptedReferralAsync();
        var versionBefore = await VersionAsync(referral.ReferralId);
        var statuses = new[] { CommonV1.PregnancyStatus.Excluded, CommonV1.PregnancyStatus.NotApplicable };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await Host.UpdatePregnancyAsync(new UpdatePregnancyStatusRequest { ReferralId = referral.ReferralId, Pregnancy = statuses[i % 2] });
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
        Assert.Equal(versionBefore + applied, await VersionAsync(referral.ReferralId));
        var timeline = (await Host.GetPathwayAsync(referral.ReferralId)).Timeline;
        Assert.Equal(applied, timeline.Count(t => t.Event == "PregnancyStatusUpdated"));
    }

    private async Task<long> VersionAsync(string referralId)
    {
        await using var connection = await Host.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT version FROM referral WHERE referral_id = @referralId", new { referralId });
    }
}
