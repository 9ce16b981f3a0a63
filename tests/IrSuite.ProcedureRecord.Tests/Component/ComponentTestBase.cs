using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Tests.Infrastructure;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>A fresh service (own database, bus, clock) per test, and the steps of the WHO checklist as helpers.</summary>
public abstract class ComponentTestBase : IAsyncLifetime
{
    protected ProcedureRecordApp App { get; private set; } = null!;

    protected ProcedureClient Client => App.Client;

    public async Task InitializeAsync() => App = await ProcedureRecordApp.StartAsync();

    public async Task DisposeAsync()
    {
        var errors = App.Errors.Entries;
        await App.DisposeAsync();
        Assert.Empty(errors);
    }

    protected static async Task<RpcException> AssertGateAsync(string rule, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(rule, ex.GetDetail<ErrorInfo>()?.Type);
        return ex;
    }

    protected static async Task AssertInvalidAsync(string field, Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Contains(field, badRequest.FieldViolations.Select(v => v.Field));
    }

    protected static SignInRequest FullSignIn(Guid referralId) => new()
    {
        ReferralId = referralId.ToString(),
        IdentityAndConsentConfirmed = true,
        AllergiesReviewed = true,
        AnesthesiaCheckDone = true,
    };

    protected static TimeOutRequest TimeOutOf(Guid referralId, params string[] levels)
    {
        var request = new TimeOutRequest { ReferralId = referralId.ToString(), OperatorId = "rad-007" };
        request.ConfirmedLevels.AddRange(levels);
        return request;
    }

    protected static RecordLevelTreatmentRequest TreatmentOf(Guid referralId, string level) => new()
    {
        ReferralId = referralId.ToString(),
        Level = level,
        Approach = Approach.Bipedicular,
        TrocarGauge = 11,
        CementVolumeMl = 4.5,
        CementProduct = "PMMA-Vertebro",
        CementLot = "LOT-2026-117",
        Leakage = Leakage.None,
    };

    protected static RecordDoseRequest DoseOf(Guid referralId) => new()
    {
        ReferralId = referralId.ToString(),
        DoseAreaProductGyCm2 = 32.4,
        ReferenceAirKermaMgy = 210,
        FluoroscopySeconds = 312,
        CtDlpMgyCm = 420,
    };

    protected static SignOutRequest FullSignOut(Guid referralId) => new() { ReferralId = referralId.ToString(), RecordConfirmed = true, HandoverDone = true };

    /// <summary>A booked case for L1, taken through the checklist up to <paramref name="until"/>.</summary>
    protected async Task<Guid> CaseAtAsync(CaseStatus until, params string[] levels)
    {
        levels = levels.Length == 0 ? ["L1"] : levels;
        var referralId = Guid.NewGuid();
        await App.ScheduleAsync(referralId, levels);
        if (until == CaseStatus.Scheduled)
        {
            return referralId;
        }

        await Client.SignInAsync(FullSignIn(referralId));
        if (until == CaseStatus.SignedIn)
        {
            return referralId;
        }

        await Client.TimeOutAsync(TimeOutOf(referralId, levels));
        if (until == CaseStatus.TimedOut)
        {
            return referralId;
        }

        foreach (var level in levels)
        {
            await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, level));
        }

        await Client.RecordDoseAsync(DoseOf(referralId));
        await Client.SignOutAsync(FullSignOut(referralId));
        if (until == CaseStatus.SignedOut)
        {
            return referralId;
        }

        await Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() });
        return referralId;
    }
}
