using Dapper;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Anesthesia.V1;
using IrSuite.AnesthesiaConsultation.Tests.Infrastructure;
using IrSuite.Common.V1;
using IrSuite.Grpc;
using IrSuite.TestSupport;

namespace IrSuite.AnesthesiaConsultation.Tests.Grpc;

/// <summary>The service over real HTTP/2, a fresh database per test, events in through the bus and out through the outbox.</summary>
public sealed class AnesthesiaConsultationServiceTests : AnesthesiaHostTest
{
    [Fact]
    public async Task Pathway_AcceptAssessPlanSign_ClearsThePlanAndPublishesClearanceSigned()
    {
        var accepted = await Host.AcceptReferralAsync(expectedSedation: "CONSCIOUS_SEDATION");
        var referralId = accepted.ReferralId.ToString();

        var opened = await Host.GetPlanAsync(referralId);
        Assert.Equal(CaseStatus.AwaitingAssessment, opened.Status);
        Assert.Equal(accepted.PatientId.ToString(), opened.PatientId);
        Assert.Equal(1, opened.Version);
        Assert.Equal(SedationMode.Unspecified, opened.Sedation);

        var assessed = await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        Assert.Equal(CaseStatus.Assessed, assessed.Status);
        Assert.Equal(AsaClass.Iii, assessed.AsaClass);
        Assert.Equal(["I10", "E11"], assessed.Comorbidities);
        Assert.Equal(["latex", "iodinated contrast"], assessed.Allergies);
        Assert.Equal(Requests.Assessment(accepted.ReferralId).MedicationPlan, assessed.MedicationPlan);
        Assert.Equal(Requests.Assessment(accepted.ReferralId).Labs, assessed.Labs);
        Assert.Equal(2, assessed.Version);

        Host.Clock.Advance(TimeSpan.FromMinutes(20));
        var planned = await Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId, SedationMode.General));
        Assert.Equal(SedationMode.General, planned.Sedation);
        Assert.Equal(CaseStatus.Assessed, planned.Status);
        Assert.Equal(3, planned.Version);

        Host.Clock.Advance(TimeSpan.FromMinutes(10));
        var signed = await Host.SignClearanceAsync(
            Requests.Clearance(accepted.ReferralId, ClearanceDecision.FitWithConditions, "recheck INR the day before"));
        var signedAt = AnesthesiaServiceHost.Start.AddMinutes(30);
        Assert.Equal(CaseStatus.Cleared, signed.Status);
        Assert.Equal(ClearanceDecision.FitWithConditions, signed.Clearance);
        Assert.Equal(["recheck INR the day before"], signed.Conditions);
        Assert.Equal(TestIdentity.DefaultSubject, signed.AnesthesiologistId); // the token's subject, not a request field
        Assert.Equal(Timestamp.FromDateTimeOffset(signedAt), signed.SignedAt);
        Assert.Equal(4, signed.Version);
        Assert.Equal(signed, await Host.GetPlanAsync(referralId));

        var published = await Host.NextClearanceSignedAsync();
        Assert.Equal(accepted.ReferralId, published.ReferralId);
        Assert.Equal(accepted.PatientId, published.PatientId);
        Assert.Equal("FIT_WITH_CONDITIONS", published.Decision);
        Assert.Equal("GENERAL", published.SedationMode);
        Assert.Equal(signedAt, published.OccurredAt);
    }

    [Fact]
    public async Task SignClearance_Signed_WritesOneClearanceSignedToTheOutbox()
    {
        var accepted = await ReadyToSignAsync();

        await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId));

        var rows = await OutboxRowsAsync();
        var row = Assert.Single(rows);
        Assert.StartsWith("IrSuite.Contracts.Anesthesia.ClearanceSigned,", row.MessageType, StringComparison.Ordinal);
        Assert.Equal(accepted.ReferralId.ToString(), row.AggregateId);
        Assert.Contains("\"decision\":\"FIT\"", row.Body, StringComparison.Ordinal);
        Assert.Contains("\"sedationMode\":\"GENERAL\"", row.Body, StringComparison.Ordinal);
        var published = await Host.NextClearanceSignedAsync();
        Assert.Equal("FIT", published.Decision);
    }

    [Fact]
    public async Task RecordAssessment_AgainBeforeClearance_ReplacesTheAssessment()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        var again = Requests.Assessment(accepted.ReferralId);
        again.AsaClass = AsaClass.Ii;
        again.Emergency = true;
        again.Allergies.Clear();
        again.MedicationPlan.Clear();
        again.Labs = null;

        var reassessed = await Host.RecordAssessmentAsync(again);

        Assert.Equal(CaseStatus.Assessed, reassessed.Status);
        Assert.Equal(AsaClass.Ii, reassessed.AsaClass);
        Assert.True(reassessed.Emergency);
        Assert.Empty(reassessed.Allergies);
        Assert.Empty(reassessed.MedicationPlan);
        Assert.Null(reassessed.Labs);
        Assert.Equal(3, reassessed.Version);
    }

    [Fact]
    public async Task PlanSedation_NotAssessed_FailsAssessmentRequired()
    {
        var accepted = await Host.AcceptReferralAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId)));

        AssertGate(ex, "ASSESSMENT_REQUIRED");
        Assert.Equal(1, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version);
    }

    [Fact]
    public async Task SignClearance_NotAssessed_FailsAssessmentRequired()
    {
        var accepted = await Host.AcceptReferralAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId)));

        AssertGate(ex, "ASSESSMENT_REQUIRED");
    }

    [Fact]
    public async Task SignClearance_NoSedationPlan_FailsSedationPlanRequired()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId)));

        AssertGate(ex, "SEDATION_PLAN_REQUIRED");
        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.Equal(CaseStatus.Assessed, plan.Status);
        Assert.Equal(2, plan.Version);
        Assert.Empty(await OutboxRowsAsync());
    }

    [Fact]
    public async Task AnyChange_AfterClearanceSigned_FailsClearanceAlreadySignedAndWritesNothing()
    {
        var accepted = await ReadyToSignAsync();
        var signed = await Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId, ClearanceDecision.NotFit));

        var signAgain = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId)));
        var reassess = await Assert.ThrowsAsync<RpcException>(() => Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId)));
        var replan = await Assert.ThrowsAsync<RpcException>(() => Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId, SedationMode.Local)));

        AssertGate(signAgain, "CLEARANCE_ALREADY_SIGNED");
        AssertGate(reassess, "CLEARANCE_ALREADY_SIGNED");
        AssertGate(replan, "CLEARANCE_ALREADY_SIGNED");
        Assert.Equal(signed, await Host.GetPlanAsync(accepted.ReferralId.ToString()));
        Assert.Single(await OutboxRowsAsync());
    }

    [Fact]
    public async Task EveryRpc_UnknownReferral_FailsNotFound()
    {
        var unknown = Guid.NewGuid();

        var calls = new Func<Task<AnesthesiaPlan>>[]
        {
            () => Host.GetPlanAsync(unknown.ToString()),
            () => Host.RecordAssessmentAsync(Requests.Assessment(unknown)),
            () => Host.PlanSedationAsync(Requests.Sedation(unknown)),
            () => Host.SignClearanceAsync(Requests.Clearance(unknown)),
        };

        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(call);
            Assert.Equal(StatusCode.NotFound, ex.StatusCode);
            var resource = ex.GetDetail<ResourceInfo>();
            Assert.NotNull(resource);
            Assert.Equal("Anesthesia case", resource.ResourceType);
            Assert.Equal(unknown.ToString(), resource.ResourceName);
        }
    }

    [Fact]
    public async Task RecordAssessment_InvalidFields_FailsInvalidArgumentNamingEachAndWritesNothing()
    {
        var accepted = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(accepted.ReferralId);
        request.AsaClass = AsaClass.Unspecified;
        request.Comorbidities.Add(new string('x', 101));
        request.Comorbidities.Add(" ");
        request.Allergies.AddRange(Enumerable.Range(0, 49).Select(i => $"allergen-{i}"));
        request.MedicationPlan[0].StopFrom = null;
        request.MedicationPlan[1].Action = MedicationAction.Unspecified;
        request.MedicationPlan.Add(new MedicationInstruction { Medication = new Medication { Name = "" }, Action = MedicationAction.Continue });
        request.MedicationPlan.Add(new MedicationInstruction { Action = MedicationAction.Continue });
        request.Labs = new Labs { Inr = 0, PlateletsGPerL = 2000.5 };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordAssessmentAsync(request));

        AssertInvalid(
            ex,
            "asa_class",
            "comorbidities[2]",
            "comorbidities[3]",
            "allergies",
            "medication_plan[0].stop_from",
            "medication_plan[1].action",
            "medication_plan[2].medication.name",
            "medication_plan[3].medication",
            "labs.inr",
            "labs.platelets_g_per_l",
            "labs.taken_at");
        Assert.Equal(1, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Version);
    }

    [Theory]
    [InlineData(10.0, 2000.0, true)]
    [InlineData(0.01, 0.0, true)]
    [InlineData(10.01, 100.0, false)]
    [InlineData(-1.0, 100.0, false)]
    [InlineData(1.0, -0.5, false)]
    public async Task RecordAssessment_LabBounds_InrAboveZeroToTenPlateletsZeroTo2000(double inr, double platelets, bool accepted)
    {
        var referral = await Host.AcceptReferralAsync();
        var request = Requests.Assessment(referral.ReferralId);
        request.Labs.Inr = inr;
        request.Labs.PlateletsGPerL = platelets;

        if (accepted)
        {
            var plan = await Host.RecordAssessmentAsync(request);
            Assert.Equal(inr, plan.Labs.Inr);
            Assert.Equal(platelets, plan.Labs.PlateletsGPerL);
        }
        else
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordAssessmentAsync(request));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        }
    }

    [Fact]
    public async Task RecordAssessment_BadReferralId_FailsInvalidArgument()
    {
        var request = Requests.Assessment(Guid.NewGuid());
        request.ReferralId = "not-a-uuid";

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RecordAssessmentAsync(request));

        AssertInvalid(ex, "referral_id");
    }

    [Fact]
    public async Task PlanSedation_NoMode_FailsInvalidArgument()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId, SedationMode.Unspecified)));

        AssertInvalid(ex, "mode");
    }

    [Fact]
    public async Task SignClearance_FitWithConditionsWithoutConditions_FailsInvalidArgumentAndWritesNothing()
    {
        var accepted = await ReadyToSignAsync();
        var request = Requests.Clearance(accepted.ReferralId, ClearanceDecision.FitWithConditions);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(request));

        AssertInvalid(ex, "conditions");
        Assert.Equal(CaseStatus.Assessed, (await Host.GetPlanAsync(accepted.ReferralId.ToString())).Status);
        Assert.Empty(await OutboxRowsAsync());
    }

    [Fact]
    public async Task SignClearance_InvalidFields_FailsInvalidArgumentNamingEach()
    {
        var request = new SignClearanceRequest
        {
            ReferralId = "",
            Decision = ClearanceDecision.Unspecified,
            Conditions = { "" },
        };

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(request));

        AssertInvalid(ex, "referral_id", "decision", "conditions[0]");
    }

    [Fact]
    public async Task SignClearance_FitWithConditionsListed_ForFitDecision_FailsInvalidArgument()
    {
        var accepted = await ReadyToSignAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.SignClearanceAsync(Requests.Clearance(accepted.ReferralId, ClearanceDecision.Fit, "fasting")));

        AssertInvalid(ex, "conditions");
    }

    [Fact]
    public async Task GetPlan_BadReferralId_FailsInvalidArgument()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.GetPlanAsync("12"));

        AssertInvalid(ex, "referral_id");
    }

    private static void AssertGate(RpcException ex, string rule)
    {
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(rule, ex.GetDetail<ErrorInfo>()?.Type);
        Assert.Equal(rule, Assert.Single(ex.GetDetail<PreconditionFailure>()!.Violations).Subject);
    }

    private static void AssertInvalid(RpcException ex, params string[] fields)
    {
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(fields.Order(StringComparer.Ordinal), badRequest.FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
    }

    private async Task<IrSuite.Contracts.Scheduling.ReferralAccepted> ReadyToSignAsync()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.RecordAssessmentAsync(Requests.Assessment(accepted.ReferralId));
        await Host.PlanSedationAsync(Requests.Sedation(accepted.ReferralId));
        return accepted;
    }

    private async Task<List<OutboxRow>> OutboxRowsAsync()
    {
        await using var connection = await Host.Database.OpenAsync();
        return (await connection.QueryAsync<OutboxRow>(
            "SELECT message_type AS MessageType, aggregate_id AS AggregateId, body AS Body FROM outbox_message ORDER BY seq")).ToList();
    }

    private sealed class OutboxRow
    {
        public string MessageType { get; init; } = "";

        public string? AggregateId { get; init; }

        public string Body { get; init; } = "";
    }
}
