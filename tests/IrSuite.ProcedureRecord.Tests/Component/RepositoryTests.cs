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
        Assert.Equal(["T12", "L1"], stored.Booking.ConsentedLevels);
        Assert.Equal("LOCAL", stored.Booking.SedationMode);
        Assert.Equal("AMBULATORY", stored.Booking.Admission);
        Assert.Equal("OSTEOPOROTIC_FRACTURE", stored.Booking.Indication);
        Assert.Equal(60, stored.Booking.DurationMinutes);
        Assert.Equal("scheduling-test#1", stored.Booking.ScheduledProtocolVersion);
        Assert.Equal(App.Services.GetRequiredService<IrSuite.ServiceDefaults.Clinical.SiteProtocol>().AppliedVersion, stored.ProtocolVersion);
        var timeOut = Assert.Single(stored.TimeOuts);
        Assert.Equal("cefazolin 1 g IV", timeOut.AntibioticDrug);
        Assert.Equal(App.Clock.GetUtcNow().AddMinutes(-30), timeOut.AntibioticGivenAt);
        Assert.Equal("CARM-2", timeOut.EquipmentId);
        Assert.All(stored.Treatments, t =>
        {
            Assert.Equal(new DateOnly(2027, 6, 30), t.CementExpiry);
            Assert.Equal("04012345678901", t.UdiDi);
            Assert.Equal("rad-007", t.OperatorId);
        });
    }
}
