using IrSuite.Board.V1;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Data;
using IrSuite.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.Board.Tests;

/// <summary>
/// The board projection's SQL on real PostgreSQL (the distributed mode's database): migration 003, the upsert, the list
/// of the day. deploy/run-tests.sh starts the server and exports IRSUITE_TEST_POSTGRES.
/// </summary>
public sealed class BoardRepositoryPostgresTests : IAsyncLifetime
{
    private MigratedPostgresDatabase<SchedulingDatabase> _postgres = null!;

    public async Task InitializeAsync()
    {
        _postgres = await MigratedPostgresDatabase<SchedulingDatabase>.CreateAsync("irsuite_board", "scheduling", options => new SchedulingDatabase(options));
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task ApplyAsync_OnPostgres_CreatesFromTheReferralUpdatesAndListsTheDay()
    {
        var now = new DateTimeOffset(2031, 5, 6, 9, 0, 0, TimeSpan.Zero);
        var referralId = Guid.NewGuid();
        var patientId = await _postgres.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var patient = await SchedulingRepository.GetOrCreatePatientAsync(connection, transaction, new PatientIdentity
            {
                FamilyName = "Board", GivenName = "Postgres", BirthDate = "1949-02-03", MedicalRecordNumber = "MRN-PG-BOARD",
            });
            await SchedulingRepository.InsertReferralAsync(connection, transaction, new ReferralRow
            {
                ReferralId = referralId.ToString(),
                PatientId = patient.ToString(),
                Status = (int)ReferralStatus.Submitted,
                Levels = SchedulingRepository.ToJson(["L2"]),
                SubmittedAt = now,
                Version = 1,
            });
            await BoardRepository.ApplyAsync(connection, transaction, referralId, now, entry => entry);
            await BoardRepository.ApplyAsync(connection, transaction, referralId, now.AddMinutes(5), entry => entry with
            {
                Stage = (long)BoardStage.InObservation,
                MinimumUntilMs = now.AddHours(2).ToUnixTimeMilliseconds(),
                Aldrete = 9,
            });
            return patient;
        });

        await using var read = await _postgres.Database.OpenAsync();
        var stored = Assert.Single(await BoardRepository.ListAsync(read, new DateTimeOffset(now.Date, TimeSpan.Zero), CancellationToken.None));
        Assert.Equal(patientId.ToString(), stored.PatientId);
        Assert.Equal(BoardStage.InObservation, stored.BoardStage);
        Assert.Equal(now.AddHours(2).ToUnixTimeMilliseconds(), stored.MinimumUntilMs);
        Assert.Equal(9, stored.Aldrete);
        Assert.Equal(2, stored.Version);
        Assert.Equal(now.AddMinutes(5).ToUnixTimeMilliseconds(), stored.UpdatedMs);
        Assert.Equal("[\"L2\"]", stored.Levels);
    }

    [Fact]
    public async Task ApplyAsync_ConcurrentChangesOfOneReferral_NoneLost()
    {
        const int writers = 12;
        var now = new DateTimeOffset(2031, 5, 6, 9, 0, 0, TimeSpan.Zero);
        var referralId = Guid.NewGuid();
        await _postgres.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var patient = await SchedulingRepository.GetOrCreatePatientAsync(connection, transaction, new PatientIdentity
            {
                FamilyName = "Board", GivenName = "Concurrent", BirthDate = "1950-03-04", MedicalRecordNumber = "MRN-PG-BOARD-2",
            });
            await SchedulingRepository.InsertReferralAsync(connection, transaction, new ReferralRow
            {
                ReferralId = referralId.ToString(),
                PatientId = patient.ToString(),
                Status = (int)ReferralStatus.Submitted,
                Levels = SchedulingRepository.ToJson(["L3"]),
                SubmittedAt = now,
                Version = 1,
            });
            return 0;
        });

        // Each writer counts one observation round in its own transaction, all at once (as consumers of several
        // events of one referral do); a barrier holds them until every one has read its view of the entry.
        using var barrier = new Barrier(writers);
        await Task.WhenAll(Enumerable.Range(0, writers).Select(i => Task.Run(() => _postgres.Database.InTransactionAsync(async (connection, transaction) =>
        {
            await BoardRepository.ApplyAsync(connection, transaction, referralId, now.AddMinutes(i), entry =>
            {
                barrier.SignalAndWait(TimeSpan.FromMilliseconds(200)); // bounded: with the lock, later writers arrive one by one
                return entry with { CheckCount = entry.CheckCount + 1 };
            });
            return 0;
        }))));

        await using var read = await _postgres.Database.OpenAsync();
        var stored = Assert.Single(await BoardRepository.ListAsync(read, new DateTimeOffset(now.Date, TimeSpan.Zero), CancellationToken.None));
        Assert.Equal(writers, stored.CheckCount);
        Assert.Equal(writers, stored.Version);
    }
}
