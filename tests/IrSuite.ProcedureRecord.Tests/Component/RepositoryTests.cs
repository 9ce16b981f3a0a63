using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>The store on the service's real SQLite database.</summary>
public sealed class RepositoryTests : ComponentTestBase
{
    [Fact]
    public async Task UpdateAsync_StaleVersion_ThrowsConcurrencyConflictAndKeepsFirstWrite()
    {
        var referralId = await CaseAtAsync(CaseStatus.Scheduled);
        var repository = App.Services.GetRequiredService<ProcedureRecordRepository>();
        await using var reader = await App.Database.OpenAsync();
        var first = (await repository.FindAsync(reader, null, referralId, CancellationToken.None))!;
        var second = (await repository.FindAsync(reader, null, referralId, CancellationToken.None))!;
        first.SignIn(SignInChecklist.Complete, FastingReport.NothingSince, App.Services.GetRequiredService<IrSuite.ServiceDefaults.Clinical.SiteProtocol>(), App.Clock.GetUtcNow());
        second.ApplySchedule(second.PatientId, ["L2"], "IR-9", second.ScheduledStart, App.Clock.GetUtcNow());

        await App.Database.InTransactionAsync(async (c, t) =>
        {
            await repository.UpdateAsync(c, t, first, CancellationToken.None);
            return 0;
        });
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => App.Database.InTransactionAsync(async (c, t) =>
        {
            await repository.UpdateAsync(c, t, second, CancellationToken.None);
            return 0;
        }));

        var stored = (await repository.FindAsync(reader, null, referralId, CancellationToken.None))!;
        Assert.Equal(CaseState.SignedIn, stored.State);
        Assert.Equal("IR-1", stored.Room);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task FindAsync_CompletedCase_RoundTripsEveryField()
    {
        var referralId = await CaseAtAsync(CaseStatus.Completed, "T12", "L1");
        var repository = App.Services.GetRequiredService<ProcedureRecordRepository>();
        await using var connection = await App.Database.OpenAsync();

        var stored = (await repository.FindAsync(connection, null, referralId, CancellationToken.None))!;

        Assert.Equal(CaseState.Completed, stored.State);
        Assert.Equal(["T12", "L1"], stored.ConfirmedLevels);
        Assert.Equal(["L1", "T12"], stored.Treatments.Select(t => t.Level).Order(StringComparer.Ordinal));
        Assert.All(stored.Treatments, t => Assert.Equal(App.Clock.GetUtcNow(), t.RecordedAt));
        Assert.Equal(new RadiationDose(32.4, 210, 312, 420, true), stored.Dose);
        Assert.Equal(App.Clock.GetUtcNow(), stored.EndedAt);
        Assert.Equal("rad-007", stored.OperatorId);
    }
}
