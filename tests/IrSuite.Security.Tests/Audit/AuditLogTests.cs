using Dapper;
using IrSuite.Scheduling.Data;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.Security.Tests.Audit;

/// <summary>
/// <see cref="AuditLog"/>'s group commit on a SQLite file: records queued while the database's writer is busy are
/// committed together, each caller returns only once its own record is committed, and the chain stays whole.
/// </summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("irsuite-auditlog-").FullName;
    private SchedulingDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = new SchedulingDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_directory, "scheduling.db") });
        await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(_database);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task RecordsQueuedBehindABusyWriter_OneCommit_EachCallerReturnsAfterItsRecordIsCommitted()
    {
        // A call's write transaction holds the database's single writer until released.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = _database.InTransactionAsync(async (_, _) =>
        {
            entered.SetResult();
            await release.Task;
            return 0;
        });
        await entered.Task;

        // The first appender takes the log and waits for the writer with its own record; the 49 behind it queue.
        var appends = Enumerable.Range(0, 50).Select(i => _database.AuditLog.AppendAsync([Record($"reader-{i}", i)])).ToList();
        Assert.All(appends, a => Assert.False(a.IsCompleted));
        await using (var before = await _database.OpenAsync())
        {
            Assert.Equal(0, await before.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_record"));
        }

        release.SetResult();
        await held;
        await Task.WhenAll(appends);

        Assert.Equal(2, _database.AuditLog.Commits); // the first record alone, then the 49 queued behind it
        await using var check = await _database.OpenAsync();
        var chain = await AuditChain.VerifyAsync(check, "scheduling", CancellationToken.None);
        Assert.True(chain.Valid, chain.Problem);
        Assert.Equal(50, chain.RecordsChecked);
        var actors = (await check.QueryAsync<string>("SELECT actor FROM audit_record ORDER BY seq")).ToList();
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"reader-{i}"), actors); // queue order is chain order
    }

    [Fact]
    public async Task ConcurrentAppendersAndWriters_EveryRecordOnceInOneUnbrokenChain()
    {
        const int readers = 16, each = 25;
        var reads = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await _database.AuditLog.AppendAsync([Record($"reader-{r}", i)]);
            }
        }));
        var writes = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await _database.InTransactionAsync(async (connection, transaction) =>
                {
                    await AuditChain.AppendAsync(connection, transaction, "scheduling", [Record($"writer-{w}", i)]);
                    return 0;
                });
            }
        }));
        await Task.WhenAll(reads.Concat(writes));

        await using var check = await _database.OpenAsync();
        var chain = await AuditChain.VerifyAsync(check, "scheduling", CancellationToken.None);
        Assert.True(chain.Valid, chain.Problem);
        Assert.Equal((readers + 4) * each, chain.RecordsChecked);
        Assert.Equal((readers + 4) * each, await check.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT actor || '/' || occurred_at_ms) FROM audit_record"));
    }

    private static AuditRecord Record(string actor, int n) => new()
    {
        OccurredAtMs = 1_700_000_000_000 + n,
        Actor = actor,
        ActorRoles = "nurse",
        Action = "ir.scheduling.v1.SchedulingService/GetReferral",
        Access = AuditAccess.Read,
        Outcome = "OK",
    };
}
