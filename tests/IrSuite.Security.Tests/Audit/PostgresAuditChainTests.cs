using Dapper;
using IrSuite.Scheduling.Data;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Data;
using IrSuite.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IrSuite.Security.Tests.Audit;

/// <summary>
/// The hash chain on real PostgreSQL (READ COMMITTED, many connections), in a database created and dropped by the test
/// (deploy/run-tests.sh starts the server and exports IRSUITE_TEST_POSTGRES): concurrent appenders queue on the head
/// row and leave one gap-free chain; a rolled-back transaction leaves nothing; the trigger refuses changes.
/// </summary>
public sealed class PostgresAuditChainTests : IAsyncLifetime
{
    private MigratedPostgresDatabase<SchedulingDatabase> _postgres = null!;

    public async Task InitializeAsync()
    {
        _postgres = await MigratedPostgresDatabase<SchedulingDatabase>.CreateAsync("irsuite_audit", "scheduling", options => new SchedulingDatabase(options));
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task ConcurrentAppenders_OneUnbrokenChain_RollbackLeavesNothing_TriggerRefusesChanges()
    {
        const int writers = 8, each = 50;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await _postgres.Database.InTransactionAsync(async (connection, transaction) =>
                {
                    await AuditChain.AppendAsync(connection, transaction, "scheduling", [Record($"writer-{w}", i)]);
                    return 0;
                });
            }
        })));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _postgres.Database.InTransactionAsync<int>(async (connection, transaction) =>
        {
            await AuditChain.AppendAsync(connection, transaction, "scheduling", [Record("rolled-back", 0)]);
            throw new InvalidOperationException("the audited write fails after its record was appended");
        }));

        await using var check = await _postgres.Database.OpenAsync();
        var result = await AuditChain.VerifyAsync(check, "scheduling", CancellationToken.None);
        Assert.True(result.Valid, result.Problem);
        Assert.Equal(writers * each, result.RecordsChecked);
        Assert.Equal(writers * each, await check.ExecuteScalarAsync<long>("SELECT MAX(seq) FROM audit_record"));
        Assert.Equal(0, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_record WHERE actor = 'rolled-back'"));
        await Assert.ThrowsAsync<PostgresException>(() => check.ExecuteAsync("UPDATE audit_record SET actor = 'x' WHERE seq = 1"));
        await Assert.ThrowsAsync<PostgresException>(() => check.ExecuteAsync("DELETE FROM audit_record WHERE seq = 1"));
    }

    [Fact]
    public async Task TwoReplicasGroupCommitting_OneUnbrokenChain()
    {
        // Two replicas of the service (two databases objects, two pools, two audit logs) append reads concurrently:
        // their batches queue on the head row, and the chain holds every record once.
        await using var replica = new SchedulingDatabase(_postgres.Database.Options);
        const int tasks = 8, each = 40;
        await Task.WhenAll(new[] { _postgres.Database, replica }.SelectMany((db, d) => Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await db.AuditLog.AppendAsync([Record($"replica-{d}-task-{t}", i)]);
            }
        }))));

        await using var check = await _postgres.Database.OpenAsync();
        var result = await AuditChain.VerifyAsync(check, "scheduling", CancellationToken.None);
        Assert.True(result.Valid, result.Problem);
        Assert.Equal(2 * tasks * each, result.RecordsChecked);
        Assert.Equal(2 * tasks * each, await check.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT (actor, occurred_at_ms)) FROM audit_record"));
    }

    private static AuditRecord Record(string actor, int n) => new()
    {
        OccurredAtMs = 1_700_000_000_000 + n,
        Actor = actor,
        ActorRoles = "nurse",
        Action = "ir.scheduling.v1.SchedulingService/GetReferral",
        Access = AuditAccess.Read,
        PatientId = Guid.NewGuid().ToString(),
        Outcome = "OK",
    };
}
