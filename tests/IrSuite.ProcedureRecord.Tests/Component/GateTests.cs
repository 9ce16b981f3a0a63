using Dapper;
using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>Every clinical gate over the wire: FAILED_PRECONDITION, the rule in ErrorInfo, nothing written.</summary>
public sealed class GateTests : ComponentTestBase
{
    [Fact]
    public async Task SignIn_ItemMissing_SignInIncompleteNamingItems()
    {
        var referralId = await CaseAtAsync(CaseStatus.Scheduled);
        var request = FullSignIn(referralId);
        request.AllergiesReviewed = false;
        request.AnesthesiaCheckDone = false;

        var ex = await AssertGateAsync("WHO_SIGN_IN_INCOMPLETE", () => Client.SignInAsync(request));

        Assert.Equal(["anesthesia_check_done", "allergies_reviewed"], Subjects(ex));
        Assert.All(ex.GetDetail<PreconditionFailure>()!.Violations, v => Assert.Equal("WHO_SIGN_IN_INCOMPLETE", v.Type));
    }

    [Fact]
    public async Task SignIn_AlreadySignedIn_SignInNotAllowed()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        await AssertGateAsync("SIGN_IN_NOT_ALLOWED", () => Client.SignInAsync(FullSignIn(referralId)));
    }

    [Fact]
    public async Task TimeOut_BeforeSignIn_SignInRequired()
    {
        var referralId = await CaseAtAsync(CaseStatus.Scheduled);

        await AssertGateAsync("SIGN_IN_REQUIRED", () => Client.TimeOutAsync(TimeOutOf(referralId, "L1")));
    }

    [Fact]
    public async Task TimeOut_WrongLevel_LevelsMismatchAndNothingWritten()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn, "T12", "L1");
        var before = await Client.GetProcedureSummaryAsync(referralId.ToString());

        await AssertGateAsync("LEVELS_MISMATCH", () => Client.TimeOutAsync(TimeOutOf(referralId, "L1", "L2")));

        var after = await Client.GetProcedureSummaryAsync(referralId.ToString());
        Assert.Equal(before, after);
        await using var connection = await App.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_message"));
    }

    [Fact]
    public async Task TimeOut_MissingLevel_LevelsMismatch()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn, "T12", "L1");

        await AssertGateAsync("LEVELS_MISMATCH", () => Client.TimeOutAsync(TimeOutOf(referralId, "L1")));
    }

    [Theory]
    [InlineData(CaseStatus.Scheduled)]
    [InlineData(CaseStatus.SignedIn)]
    public async Task RecordLevelTreatment_BeforeTimeOut_TimeOutRequired(CaseStatus status)
    {
        var referralId = await CaseAtAsync(status);

        await AssertGateAsync("TIME_OUT_REQUIRED", () => Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1")));

        Assert.Empty((await Client.GetProcedureSummaryAsync(referralId.ToString())).Treatments);
    }

    [Fact]
    public async Task RecordLevelTreatment_LevelNotConfirmed_LevelNotConfirmed()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "L1");

        await AssertGateAsync("LEVEL_NOT_CONFIRMED", () => Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L2")));
    }

    [Fact]
    public async Task RecordLevelTreatment_LevelTwice_LevelAlreadyTreated()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "L1");
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));

        await AssertGateAsync("LEVEL_ALREADY_TREATED", () => Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1")));
    }

    [Theory]
    [InlineData(CaseStatus.SignedOut)]
    [InlineData(CaseStatus.Completed)]
    public async Task RecordLevelTreatment_AfterSignOut_CaseClosed(CaseStatus status)
    {
        var referralId = await CaseAtAsync(status, "L1");

        await AssertGateAsync("CASE_CLOSED", () => Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1")));
    }

    [Fact]
    public async Task RecordDose_BeforeTimeOut_TimeOutRequired()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        await AssertGateAsync("TIME_OUT_REQUIRED", () => Client.RecordDoseAsync(DoseOf(referralId)));
    }

    [Fact]
    public async Task RecordDose_AfterCompletion_CaseClosed()
    {
        var referralId = await CaseAtAsync(CaseStatus.Completed);

        await AssertGateAsync("CASE_CLOSED", () => Client.RecordDoseAsync(DoseOf(referralId)));
    }

    [Fact]
    public async Task SignOut_BeforeTimeOut_TimeOutRequired()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        await AssertGateAsync("TIME_OUT_REQUIRED", () => Client.SignOutAsync(FullSignOut(referralId)));
    }

    [Fact]
    public async Task CompleteCase_LevelUntreated_LevelsNotTreatedAndNothingWritten()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "T12", "L1");
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));
        await Client.RecordDoseAsync(DoseOf(referralId));
        await Client.SignOutAsync(FullSignOut(referralId, "L1"));
        var before = await Client.GetProcedureSummaryAsync(referralId.ToString());
        var outbox = await OutboxCountAsync(referralId);

        var ex = await AssertGateAsync("LEVELS_NOT_TREATED", () => Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() }));

        Assert.Equal(["T12"], Subjects(ex));
        Assert.Equal(before, await Client.GetProcedureSummaryAsync(referralId.ToString()));
        Assert.Equal(outbox, await OutboxCountAsync(referralId));
    }

    [Fact]
    public async Task CompleteCase_LevelAbandonedWithReason_CompletesWithTreatedLevelsOnly()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "T12", "L1");
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));
        var abandoned = await Client.AbandonLevelAsync(new AbandonLevelRequest { ReferralId = referralId.ToString(), Level = "t12", Reason = "PEDICLE_NOT_ACCESSIBLE" });
        await Client.RecordDoseAsync(DoseOf(referralId));
        await Client.SignOutAsync(FullSignOut(referralId, "L1"));

        var completed = await Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() });

        Assert.Equal("T12", Assert.Single(abandoned.AbandonedLevels).Level);
        Assert.Equal(CaseStatus.Completed, completed.Status);
        Assert.Equal(["L1"], completed.Treatments.Select(t => t.Level));
    }

    [Fact]
    public async Task CompleteCase_NoDose_DoseRequired()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "L1");
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));
        await Client.SignOutAsync(FullSignOut(referralId, "L1"));

        await AssertGateAsync("DOSE_REQUIRED", () => Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() }));

        Assert.Equal(CaseStatus.SignedOut, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Fact]
    public async Task SignOut_ItemsNotDone_WhoSignOutIncompleteOneViolationPerItem()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "L1");
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));
        await Client.RecordDoseAsync(DoseOf(referralId));
        var request = FullSignOut(referralId, "L1");
        request.HandoverDone = false;
        request.InstrumentCountsCorrect = false;

        var ex = await AssertGateAsync("WHO_SIGN_OUT_INCOMPLETE", () => Client.SignOutAsync(request));

        Assert.Equal(["instrument_counts_correct", "handover_done"], Subjects(ex));
        Assert.Equal(CaseStatus.TimedOut, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Fact]
    public async Task SignOut_LevelsDifferFromTreated_SignOutLevelsMismatch()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "T12", "L1");
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));
        await Client.RecordDoseAsync(DoseOf(referralId));

        await AssertGateAsync("SIGN_OUT_LEVELS_MISMATCH", () => Client.SignOutAsync(FullSignOut(referralId, "T12", "L1")));

        Assert.Equal(CaseStatus.TimedOut, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Fact]
    public async Task SignOut_TreatedLevelsConfirmed_SignsOut()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut, "T12", "L1");
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "L1"));
        await Client.RecordDoseAsync(DoseOf(referralId));

        var signedOut = await Client.SignOutAsync(FullSignOut(referralId, "l1"));

        Assert.Equal(CaseStatus.SignedOut, signedOut.Status);
    }

    [Fact]
    public async Task CompleteCase_BeforeSignOut_SignOutRequiredAndNoEvent()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);

        await AssertGateAsync("SIGN_OUT_REQUIRED", () => Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() }));

        await using var connection = await App.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM outbox_message WHERE message_type LIKE '%ProcedureCompleted%'"));
    }

    [Fact]
    public async Task CompleteCase_Twice_CaseClosed()
    {
        var referralId = await CaseAtAsync(CaseStatus.Completed);

        await AssertGateAsync("CASE_CLOSED", () => Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() }));
    }

    [Fact]
    public async Task DiscontinueCase_NotStarted_DiscontinueNotAllowed()
    {
        var referralId = await CaseAtAsync(CaseStatus.Scheduled);

        await AssertGateAsync("DISCONTINUE_NOT_ALLOWED", () => Client.DiscontinueCaseAsync(new DiscontinueCaseRequest { ReferralId = referralId.ToString(), Reason = "PATIENT_UNSTABLE" }));
    }

    [Fact]
    public async Task DiscontinueCase_Completed_CaseClosed()
    {
        var referralId = await CaseAtAsync(CaseStatus.Completed);

        await AssertGateAsync("CASE_CLOSED", () => Client.DiscontinueCaseAsync(new DiscontinueCaseRequest { ReferralId = referralId.ToString(), Reason = "PATIENT_UNSTABLE" }));
    }

    [Fact]
    public async Task Commands_UnknownReferral_NotFound()
    {
        var unknown = Guid.NewGuid().ToString();

        var summary = await Assert.ThrowsAsync<RpcException>(() => Client.GetProcedureSummaryAsync(unknown));
        var signIn = await Assert.ThrowsAsync<RpcException>(() => Client.SignInAsync(FullSignIn(Guid.Parse(unknown))));

        Assert.Equal(StatusCode.NotFound, summary.StatusCode);
        Assert.Equal(unknown, summary.GetDetail<ResourceInfo>()?.ResourceName);
        Assert.Equal(StatusCode.NotFound, signIn.StatusCode);
    }
}
