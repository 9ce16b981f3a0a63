using Dapper;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Data;
using IrSuite.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>
/// Migration 004 and the modality store on real PostgreSQL (READ COMMITTED, several connections), in a database created
/// and dropped by the test: accession numbers drawn concurrently stay unique, and a message id claimed by two
/// transactions at once is taken once. deploy/run-tests.sh starts the server and exports IRSUITE_TEST_POSTGRES.
/// </summary>
public sealed class PostgresModalityTests : IAsyncLifetime
{
    private MigratedPostgresDatabase<ProcedureRecordDatabase> _postgres = null!;
    private readonly ProcedureRecordRepository _repository = new();

    public async Task InitializeAsync()
    {
        _postgres = await MigratedPostgresDatabase<ProcedureRecordDatabase>.CreateAsync("irsuite_modality", "procedure_record", options => new ProcedureRecordDatabase(options));
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task InsertAsync_ConcurrentBookingsOnPostgres_DistinctConsecutiveAccessionNumbers()
    {
        const int bookings = 8;
        var start = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

        var records = await Task.WhenAll(Enumerable.Range(0, bookings).Select(i => Task.Run(() => _postgres.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var record = CaseRecord.Schedule(Guid.NewGuid(), Guid.NewGuid(), ["L1"], "IR-1", start.AddMinutes(i), start);
            await _repository.InsertAsync(connection, transaction, record, CancellationToken.None);
            return record;
        }))));

        Assert.Equal(Enumerable.Range(1, bookings).Select(i => (long?)i), records.Select(r => r.Modality.AccessionSeq).Order());
        await using var connection = await _postgres.Database.OpenAsync();
        var worklist = await _repository.WorklistAsync(connection, DateOnly.FromDateTime(start.UtcDateTime), "IR-1", CancellationToken.None);
        Assert.Equal(records.Select(r => r.Modality.AccessionNumber).Order(StringComparer.Ordinal), worklist.Select(r => r.Modality.AccessionNumber).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StepStore_ClaimTwiceAndSave_OnceTakenAndStepReadBack()
    {
        var record = await _postgres.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var created = CaseRecord.Schedule(Guid.NewGuid(), Guid.NewGuid(), ["L1"], "IR-1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            await _repository.InsertAsync(connection, transaction, created, CancellationToken.None);
            return created;
        });
        var now = DateTimeOffset.UtcNow;
        var step = new PerformedStep("step-pg", record.ReferralId, StepStatus.Completed, now.AddMinutes(-30), now, now, 300, 25.5, 150, "CARM_IR1", "", "or-room-1", now, now);

        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => _postgres.Database.InTransactionAsync(async (connection, transaction) =>
        {
            var claimed = await _repository.ClaimStepMessageAsync(connection, transaction, "or-room-1", "msg-1", step.StepId, "fp", now, CancellationToken.None);
            if (claimed)
            {
                Assert.True(await _repository.SaveStepAsync(connection, transaction, step, null, CancellationToken.None));
                await _repository.SettleStepMessageAsync(connection, transaction, "or-room-1", "msg-1", StepOutcome.Applied, CancellationToken.None);
            }

            return claimed;
        }))));

        Assert.Equal(1, claims.Count(c => c));
        await using var connection = await _postgres.Database.OpenAsync();
        var found = await _repository.FindAsync(connection, null, record.ReferralId, CancellationToken.None);
        var stored = Assert.Single(found!.Modality.Steps);
        Assert.Equal((StepStatus.Completed, 25.5, 300.0), (stored.Status, stored.DoseAreaProductGyCm2, stored.FluoroscopySeconds));
        Assert.Equal("Applied", await connection.ExecuteScalarAsync<string>("SELECT outcome FROM procedure_step_message WHERE message_id = 'msg-1'"));
    }
}
