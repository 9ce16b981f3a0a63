using Dapper;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;

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

    /// <summary>Every WHO sign-in item confirmed; no intake declared (nothing since the fasting instructions).</summary>
    protected static SignInRequest FullSignIn(Guid referralId) => new()
    {
        ReferralId = referralId.ToString(),
        IdentityAndConsentConfirmed = true,
        AllergiesReviewed = true,
        AnesthesiaCheckDone = true,
        SiteMarkedOrNotApplicable = true,
        PulseOximeterOn = true,
        AirwayRiskAssessed = true,
        BloodLossRiskAssessed = true,
    };

    /// <summary>Every WHO time-out item confirmed, cefazolin given 30 minutes before the clock's now, on C-arm CARM-2.</summary>
    protected TimeOutRequest TimeOutOf(Guid referralId, params string[] levels)
    {
        var request = new TimeOutRequest
        {
            ReferralId = referralId.ToString(),
            TeamIntroduced = true,
            PatientSiteProcedureConfirmed = true,
            CriticalEventsReviewed = true,
            ImagingDisplayed = true,
            AntibioticDrug = "cefazolin 1 g IV",
            AntibioticGivenAt = Timestamp.FromDateTimeOffset(App.Clock.GetUtcNow().AddMinutes(-30)),
            EquipmentId = "CARM-2",
        };
        request.ConfirmedLevels.AddRange(levels);
        return request;
    }

    /// <summary>A second radiologist's identity (call headers).</summary>
    protected static Metadata SecondOperator => TestIdentity.As("rad-008", Roles.Radiologist);

    protected static RecordLevelTreatmentRequest TreatmentOf(Guid referralId, string level) => new()
    {
        ReferralId = referralId.ToString(),
        Level = level,
        Approach = Approach.Bipedicular,
        TrocarGauge = 11,
        CementVolumeMl = 4.5,
        CementProduct = "PMMA-Vertebro",
        CementLot = "LOT-2026-117",
        CementExpiry = "2027-06-30",
        UdiDi = "04012345678901",
        Leakage = Leakage.None,
    };

    protected static RecordDoseRequest DoseOf(Guid referralId) => new()
    {
        ReferralId = referralId.ToString(),
        DoseAreaProductGyCm2 = 32.4,
        ReferenceAirKermaMgy = 210,
        FluoroscopySeconds = 312,
        CtDlpMgyCm = 420,
        ControlCtDone = true,
    };

    /// <summary>Every WHO sign-out item confirmed, confirming <paramref name="treatedLevels"/> (default L1).</summary>
    protected static SignOutRequest FullSignOut(Guid referralId, params string[] treatedLevels)
    {
        var request = new SignOutRequest
        {
            ReferralId = referralId.ToString(),
            RecordConfirmed = true,
            HandoverDone = true,
            InstrumentCountsCorrect = true,
            SpecimensLabelled = true,
            EquipmentProblemsAddressed = true,
        };
        request.TreatedLevels.AddRange(treatedLevels.Length == 0 ? ["L1"] : treatedLevels);
        return request;
    }

    protected static string[] Subjects(RpcException ex) => ex.GetDetail<PreconditionFailure>()!.Violations.Select(v => v.Subject).ToArray();

    protected async Task<long> OutboxCountAsync(Guid referralId)
    {
        await using var connection = await App.Database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_message WHERE aggregate_id = @id", new { id = referralId.ToString() });
    }

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
        await Client.SignOutAsync(FullSignOut(referralId, levels));
        if (until == CaseStatus.SignedOut)
        {
            return referralId;
        }

        await Client.CompleteCaseAsync(new CompleteCaseRequest { ReferralId = referralId.ToString() });
        return referralId;
    }
}
