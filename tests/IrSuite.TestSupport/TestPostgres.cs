using Npgsql;

namespace IrSuite.TestSupport;

/// <summary>
/// The shared PostgreSQL server of deploy/local-infra.sh, which deploy/run-tests.sh starts and names in
/// IRSUITE_TEST_POSTGRES, and the databases tests create on it for themselves. A test never restarts or reconfigures
/// the server.
/// </summary>
public static class TestPostgres
{
    /// <summary>The server's connection string (no database).</summary>
    public static string Server => Environment.GetEnvironmentVariable("IRSUITE_TEST_POSTGRES")
        ?? throw new InvalidOperationException("IRSUITE_TEST_POSTGRES is not set: run the tests with deploy/run-tests.sh (it starts PostgreSQL and RabbitMQ).");

    /// <summary>The connection string of <paramref name="database"/> on the server.</summary>
    public static string ConnectionString(string database) => Server + $";Database={database}";

    /// <summary>Creates a database named <paramref name="prefix"/>_ and 12 random hex digits, and returns its name.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
        await create.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>Drops the pools (their connections would hold the database) and then the databases, ending their sessions.</summary>
    public static async Task DropDatabasesAsync(params IEnumerable<string> names)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ConnectionString("postgres"));
        await admin.OpenAsync();
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            try
            {
                await drop.ExecuteNonQueryAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // FORCE refuses to end a session of a role the tests' user may not signal (e.g. an autovacuum worker
                // that just entered the database); a plain DROP cancels autovacuum itself and waits a few seconds for
                // other sessions to leave.
                await using var plain = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}", admin);
                await plain.ExecuteNonQueryAsync();
            }
        }
    }
}
