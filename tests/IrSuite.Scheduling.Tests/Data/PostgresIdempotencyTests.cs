using Dapper;
using IrSuite.Contracts.Scheduling;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace IrSuite.Scheduling.Tests.Data;

/// <summary>
/// The idempotent-command mechanism on real PostgreSQL (READ COMMITTED, several connections), in a database created
/// and dropped by the test. deploy/run-tests.sh starts the server and exports IRSUITE_TEST_POSTGRES.
/// </summary>
public sealed class PostgresIdempotencyTests : IAsyncLifetime
{
    private const string Method = "/ir.scheduling.v1.SchedulingService/SubmitReferral";
    private MigratedPostgresDatabase<SchedulingDatabase> _postgres = null!;

    public async Task InitializeAsync()
    {
        _postgres = await MigratedPostgresDatabase<SchedulingDatabase>.CreateAsync("irsuite_idem", "scheduling", options => new SchedulingDatabase(options));
    }

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_ConcurrentDuplicatesOnPostgres_OneAppliedOthersReplayFirstResponse()
    {
        const int copies = 6;
        var commands = new IdempotentCommands(_postgres.Database, TimeProvider.System);
        var outbox = new OutboxWriter(TimeProvider.System);
        var request = new SubmitReferralRequest { Levels = { "L1" }, RequestId = Guid.NewGuid().ToString() };
        var applications = 0;

        var responses = await Task.WhenAll(Enumerable.Range(0, copies).Select(_ => Task.Run(() => commands.RunAsync(Method, request, async (connection, transaction) =>
        {
            Interlocked.Increment(ref applications);
            var referralId = Guid.NewGuid();
            await outbox.AddAsync(connection, transaction, new ReferralSubmitted(referralId, Guid.NewGuid(), "OSTEOPOROTIC_FRACTURE", ["L1"], DateTimeOffset.UtcNow), referralId);

            // Hold the claim until every other copy is blocked on it (observable in pg_stat_activity), so the copies
            // really overlap inside their transactions rather than one after another.
            await WaitForBlockedClaimsAsync(copies - 1);
            return new Referral { ReferralId = referralId.ToString() };
        }, CancellationToken.None))));

        Assert.Equal(1, applications);
        Assert.Single(responses.Select(r => r.ReferralId).Distinct());
        await using var check = await _postgres.Database.OpenAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM outbox_message"));
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotent_request WHERE status = 0"));
    }

    [Fact]
    public async Task RunAsync_FailedCommandOnPostgres_ClaimRolledBackAndRetryApplies()
    {
        var commands = new IdempotentCommands(_postgres.Database, TimeProvider.System);
        var request = new SubmitReferralRequest { Levels = { "L1" }, RequestId = Guid.NewGuid().ToString() };

        await Assert.ThrowsAsync<InvalidOperationException>(() => commands.RunAsync<SubmitReferralRequest, Referral>(
            Method, request, (_, _) => throw new InvalidOperationException("refused"), CancellationToken.None));
        var response = await commands.RunAsync(Method, request, (_, _) => Task.FromResult(new Referral { ReferralId = "applied" }), CancellationToken.None);

        Assert.Equal("applied", response.ReferralId);
        await using var check = await _postgres.Database.OpenAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotent_request"));
    }

    private async Task WaitForBlockedClaimsAsync(int expected)
    {
        await using var monitor = new NpgsqlConnection(_postgres.ConnectionString);
        await monitor.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var blocked = await monitor.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO idempotent_request%'");
            if (blocked >= expected)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"only {blocked} of {expected} duplicate claims blocked within 30 s");
            await Task.Delay(20);
        }
    }
}
