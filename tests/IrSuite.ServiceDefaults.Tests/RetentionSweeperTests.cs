using Dapper;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.ServiceDefaults.Tests;

/// <summary>
/// The retention sweep (decision 0020) on SQLite and on the real PostgreSQL: each bookkeeping table loses exactly the
/// rows past its retention, unsent outbox rows and unfired timers stay whatever their age, and a service's own rule
/// (with its condition) applies to its rows only.
/// </summary>
public sealed class RetentionSweeperTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task SweepOnce_RowsPastTheirRetention_DeletedOthersKept(string provider)
    {
        var directory = Directory.CreateTempSubdirectory("irsuite-retention-").FullName;
        MigratedPostgresDatabase<TestDatabase>? postgres = null;
        TestDatabase database;
        if (provider == "postgres")
        {
            postgres = await MigratedPostgresDatabase<TestDatabase>.CreateAsync("irsuite_retention", "test_service", o => new TestDatabase(o));
            database = postgres.Database;
        }
        else
        {
            database = new TestDatabase(new DatabaseOptions { ConnectionString = Path.Combine(directory, "retention.db") });
            await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(database);
        }

        try
        {
            await SeedAsync(database);
            var services = new ServiceCollection()
                .Configure<RetentionOptions>(_ => { })
                .Configure<IdempotencyOptions>(o => o.Retention = TimeSpan.FromDays(7))
                .AddRetentionRule<TestDatabase>(new RetentionRule("inbox_message", "received_at_ms", _ => TimeSpan.FromDays(1), "consumer = 'short-lived'"))
                .BuildServiceProvider();
            var sweeper = new RetentionSweeper<TestDatabase>(database, services, new ManualTimeProvider(Now), NullLogger<RetentionSweeper<TestDatabase>>.Instance);

            var deleted = await sweeper.SweepOnceAsync(CancellationToken.None);

            Assert.Equal(1, deleted["outbox_message"]);
            Assert.Equal(1, deleted["due_timer"]);
            Assert.Equal(1, deleted["idempotent_request"]);
            await using var connection = await database.OpenAsync();
            Assert.Equal(["published-6d", "unsent-30d"], await connection.QueryAsync<string>("SELECT message_type FROM outbox_message ORDER BY message_type"));
            Assert.Equal(["fired-10d", "unfired-200d"], await connection.QueryAsync<string>("SELECT timer_id FROM due_timer ORDER BY timer_id"));
            Assert.Equal(["request-6d"], await connection.QueryAsync<string>("SELECT request_id FROM idempotent_request ORDER BY request_id"));
            // 91 days (shared rule) and the short-lived consumer's 2 days (its own rule) go; 89 days and another
            // consumer's 2 days stay.
            Assert.Equal(["inbox-2d-other", "inbox-89d"], await connection.QueryAsync<string>("SELECT message_id FROM inbox_message ORDER BY message_id"));

            // Nothing left past its retention: a second sweep deletes nothing.
            Assert.All((await sweeper.SweepOnceAsync(CancellationToken.None)).Values, count => Assert.Equal(0, count));
        }
        finally
        {
            if (postgres is not null)
            {
                await postgres.DisposeAsync();
            }
            else
            {
                await database.DisposeAsync();
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static long DaysAgo(double days) => (Now - TimeSpan.FromDays(days)).ToUnixTimeMilliseconds();

    private static Task SeedAsync(TestDatabase database) => database.InTransactionAsync(async (connection, transaction) =>
    {
        const string outbox = "INSERT INTO outbox_message (message_id, message_type, body, created_at_ms, not_before_ms, dispatched_at_ms) VALUES (@id, @type, '{}', @created, @created, @dispatched)";
        await connection.ExecuteAsync(outbox, new { id = Guid.NewGuid().ToString(), type = "published-8d", created = DaysAgo(8), dispatched = (long?)DaysAgo(8) }, transaction);
        await connection.ExecuteAsync(outbox, new { id = Guid.NewGuid().ToString(), type = "published-6d", created = DaysAgo(6), dispatched = (long?)DaysAgo(6) }, transaction);
        await connection.ExecuteAsync(outbox, new { id = Guid.NewGuid().ToString(), type = "unsent-30d", created = DaysAgo(30), dispatched = (long?)null }, transaction);

        const string inbox = "INSERT INTO inbox_message (message_id, consumer, received_at_ms) VALUES (@id, @consumer, @at)";
        await connection.ExecuteAsync(inbox, new { id = "inbox-91d", consumer = "c", at = DaysAgo(91) }, transaction);
        await connection.ExecuteAsync(inbox, new { id = "inbox-89d", consumer = "c", at = DaysAgo(89) }, transaction);
        await connection.ExecuteAsync(inbox, new { id = "inbox-2d-short", consumer = "short-lived", at = DaysAgo(2) }, transaction);
        await connection.ExecuteAsync(inbox, new { id = "inbox-2d-other", consumer = "c", at = DaysAgo(2) }, transaction);

        const string timer = "INSERT INTO due_timer (timer_id, kind, aggregate_id, due_at_ms, fired_at_ms, payload) VALUES (@id, 'k', 'a', @due, @fired, '{}')";
        await connection.ExecuteAsync(timer, new { id = "fired-91d", due = DaysAgo(92), fired = (long?)DaysAgo(91) }, transaction);
        await connection.ExecuteAsync(timer, new { id = "fired-10d", due = DaysAgo(10), fired = (long?)DaysAgo(10) }, transaction);
        await connection.ExecuteAsync(timer, new { id = "unfired-200d", due = DaysAgo(200), fired = (long?)null }, transaction);

        const string request = "INSERT INTO idempotent_request (request_id, method, fingerprint, status, response, created_at_ms) VALUES (@id, 'm', 'f', 0, NULL, @at)";
        await connection.ExecuteAsync(request, new { id = "request-8d", at = DaysAgo(8) }, transaction);
        await connection.ExecuteAsync(request, new { id = "request-6d", at = DaysAgo(6) }, transaction);
        return 0;
    });
}
