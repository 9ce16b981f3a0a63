using Dapper;
using IrSuite.Anesthesia.V1;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Tests.Infrastructure;
using IrSuite.Contracts.Scheduling;
using DomainSedation = IrSuite.AnesthesiaConsultation.Domain.SedationMode;

namespace IrSuite.AnesthesiaConsultation.Tests.Messaging;

/// <summary>ReferralAccepted through the in-memory bus into a real service host.</summary>
public sealed class ReferralAcceptedConsumerTests : AnesthesiaHostTest
{
    [Fact]
    public async Task Consume_ReferralAccepted_OpensTheCaseAndRemembersTheExpectedSedation()
    {
        var accepted = await Host.AcceptReferralAsync(expectedSedation: "LOCAL_WITH_SEDATION");

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.Equal(CaseStatus.AwaitingAssessment, plan.Status);
        Assert.Equal(accepted.PatientId.ToString(), plan.PatientId);
        Assert.Equal(1, plan.Version);
        var stored = await FindAsync(accepted.ReferralId);
        Assert.Equal(DomainSedation.LocalWithSedation, stored!.ExpectedSedation);
        Assert.Equal(AnesthesiaServiceHost.Start, stored.OpenedAt);
    }

    [Fact]
    public async Task Consume_ReferralAccepted_StoresTheLevelsAndTheSiteProtocolVersion()
    {
        var accepted = await Host.AcceptReferralAsync(levels: ["t12", "L1", "L1", " "]);

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());

        Assert.Equal(["T12", "L1"], plan.Levels);
        Assert.Equal(Host.Protocol.AppliedVersion, plan.ProtocolVersion);
        Assert.Equal(Host.Protocol.AppliedVersion, (await FindAsync(accepted.ReferralId))!.ProtocolVersion);
    }

    [Fact]
    public async Task Consume_SameMessageRedelivered_IsAppliedOnce()
    {
        var messageId = Guid.NewGuid();
        var accepted = await Host.AcceptReferralAsync(messageId: messageId);

        await Host.PublishAndWaitAsync(accepted, messageId);

        Assert.Equal(1, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version);
        await using var connection = await Host.Database.OpenAsync();
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM inbox_message WHERE message_id = @id", new { id = messageId.ToString() }));
    }

    [Fact]
    public async Task Consume_ReferralAcceptedAgainAfterAssessment_LeavesTheCaseAsItIs()
    {
        var accepted = await Host.AcceptReferralAsync();
        var assessed = await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        // A new message (new id) for the same referral, e.g. scheduling re-publishing: the case must not reset.
        await Host.PublishAndWaitAsync(accepted with { PatientId = Guid.NewGuid(), ExpectedSedation = "LOCAL" }, Guid.NewGuid());

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.Equal(assessed, plan);
        Assert.Equal(DomainSedation.General, (await FindAsync(accepted.ReferralId))!.ExpectedSedation);
    }

    private async Task<IrSuite.AnesthesiaConsultation.Domain.AnesthesiaCase?> FindAsync(Guid referralId)
    {
        await using var connection = await Host.Database.OpenAsync();
        return await AnesthesiaCaseRepository.FindAsync(connection, null, referralId);
    }
}
