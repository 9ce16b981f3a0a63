using IrSuite.Grpc;
using IrSuite.Procedure.V1;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>Bad input: INVALID_ARGUMENT with a BadRequest naming the field, checked before any gate or lookup.</summary>
public sealed class ValidationTests : ComponentTestBase
{
    public static TheoryData<string, Action<RecordLevelTreatmentRequest>> BadTreatments() => new()
    {
        { "level", r => r.Level = "L9" },
        { "approach", r => r.Approach = Approach.Unspecified },
        { "trocar_gauge", r => r.TrocarGauge = 7 },
        { "trocar_gauge", r => r.TrocarGauge = 16 },
        { "cement_volume_ml", r => r.CementVolumeMl = -1 },
        { "cement_volume_ml", r => r.CementVolumeMl = 0 },
        { "cement_volume_ml", r => r.CementVolumeMl = 20.5 },
        { "cement_volume_ml", r => r.CementVolumeMl = double.NaN },
        { "cement_product", r => r.CementProduct = "" },
        { "cement_product", r => r.CementProduct = new string('x', 101) },
        { "cement_lot", r => r.CementLot = " " },
        { "leakage", r => r.Leakage = Leakage.Unspecified },
        { "leakage_symptomatic", r => r.LeakageSymptomatic = true },
        { "referral_id", r => r.ReferralId = "not-a-uuid" },
    };

    [Theory]
    [MemberData(nameof(BadTreatments))]
    public async Task RecordLevelTreatment_BadField_InvalidArgumentNamingIt(string field, Action<RecordLevelTreatmentRequest> spoil)
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        spoil(request);

        await AssertInvalidAsync(field, () => Client.RecordLevelTreatmentAsync(request));

        Assert.Empty((await Client.GetProcedureSummaryAsync(referralId.ToString())).Treatments);
    }

    [Fact]
    public async Task RecordLevelTreatment_SymptomaticVenousLeak_IsAccepted()
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = TreatmentOf(referralId, "L1");
        request.Leakage = Leakage.Venous;
        request.LeakageSymptomatic = true;

        var updated = await Client.RecordLevelTreatmentAsync(request);

        Assert.True(Assert.Single(updated.Treatments).LeakageSymptomatic);
    }

    [Fact]
    public async Task TimeOut_UnknownLevel_InvalidArgumentNamingIndex()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        await AssertInvalidAsync("confirmed_levels[1]", () => Client.TimeOutAsync(TimeOutOf(referralId, "L1", "L9")));
    }

    [Fact]
    public async Task TimeOut_NoLevels_InvalidArgument()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        await AssertInvalidAsync("confirmed_levels", () => Client.TimeOutAsync(TimeOutOf(referralId)));
    }

    [Fact]
    public async Task TimeOut_ByNurse_PermissionDenied_TheOperatorIsTheSigningRadiologist()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.TimeOutAsync(TimeOutOf(referralId, "L1"), TestIdentity.As("nurse-5", Roles.Nurse)));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal(CaseStatus.SignedIn, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    public static TheoryData<string, Action<RecordDoseRequest>> BadDoses() => new()
    {
        { "dose_area_product_gy_cm2", r => r.DoseAreaProductGyCm2 = -0.1 },
        { "dose_area_product_gy_cm2", r => r.DoseAreaProductGyCm2 = 10_001 },
        { "reference_air_kerma_mgy", r => r.ReferenceAirKermaMgy = double.PositiveInfinity },
        { "reference_air_kerma_mgy", r => r.ReferenceAirKermaMgy = 100_001 },
        { "fluoroscopy_seconds", r => r.FluoroscopySeconds = 36_001 },
        { "ct_dlp_mgy_cm", r => r.CtDlpMgyCm = double.NaN },
        { "ct_dlp_mgy_cm", r => r.CtDlpMgyCm = -5 },
    };

    [Theory]
    [MemberData(nameof(BadDoses))]
    public async Task RecordDose_BadValue_InvalidArgumentNamingIt(string field, Action<RecordDoseRequest> spoil)
    {
        var referralId = await CaseAtAsync(CaseStatus.TimedOut);
        var request = DoseOf(referralId);
        spoil(request);

        await AssertInvalidAsync(field, () => Client.RecordDoseAsync(request));

        Assert.Null((await Client.GetProcedureSummaryAsync(referralId.ToString())).Dose);
    }

    [Theory]
    [InlineData(0, "complications[1].cirse_grade")]
    [InlineData(7, "complications[1].cirse_grade")]
    public async Task CompleteCase_BadCirseGrade_InvalidArgumentAndNotCompleted(int grade, string field)
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedOut);
        var request = new CompleteCaseRequest { ReferralId = referralId.ToString() };
        request.Complications.Add(new Complication { Code = "PUNCTURE_SITE_HAEMATOMA", CirseGrade = 1 });
        request.Complications.Add(new Complication { Code = "OTHER", CirseGrade = grade });

        await AssertInvalidAsync(field, () => Client.CompleteCaseAsync(request));

        Assert.Equal(CaseStatus.SignedOut, (await Client.GetProcedureSummaryAsync(referralId.ToString())).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("A_CODE_LONGER_THAN_FIFTY_CHARACTERS_IS_NOT_A_SHORT_CODE")]
    [InlineData("PAIN")]
    [InlineData("HAEMATOMA")]
    public async Task CompleteCase_BadComplicationCode_InvalidArgument(string code)
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedOut);
        var request = new CompleteCaseRequest { ReferralId = referralId.ToString() };
        request.Complications.Add(new Complication { Code = code, CirseGrade = 2 });

        await AssertInvalidAsync("complications[0].code", () => Client.CompleteCaseAsync(request));
    }

    [Theory]
    [InlineData("")]
    [InlineData("A_REASON_LONGER_THAN_FIFTY_CHARACTERS_IS_NOT_A_SHORT_CODE")]
    [InlineData("patient said stop")]
    public async Task DiscontinueCase_BadReason_InvalidArgument(string reason)
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);

        await AssertInvalidAsync("reason", () => Client.DiscontinueCaseAsync(new DiscontinueCaseRequest { ReferralId = referralId.ToString(), Reason = reason }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("2026-13-01")]
    [InlineData("23/11/2026")]
    [InlineData("2026-11-23T00:00:00Z")]
    public async Task GetWorklist_BadDate_InvalidArgument(string date)
    {
        await AssertInvalidAsync("date", () => Client.GetWorklistAsync(new GetWorklistRequest { Date = date }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("123")]
    public async Task GetProcedureSummary_BadReferralId_InvalidArgument(string referralId)
    {
        await AssertInvalidAsync("referral_id", () => Client.GetProcedureSummaryAsync(referralId));
    }
}
