using IrSuite.ServiceDefaults.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.TestSupport;

/// <summary>
/// A database of its own on the shared PostgreSQL server (<see cref="TestPostgres"/>) holding one service's schema with
/// its migrations applied, for tests of that service's SQL on the real server. Disposal closes it and drops the database.
/// </summary>
public sealed class MigratedPostgresDatabase<TDatabase> : IAsyncDisposable
    where TDatabase : ServiceDatabase
{
    private MigratedPostgresDatabase(string name, TDatabase database)
    {
        Name = name;
        Database = database;
    }

    /// <summary>The PostgreSQL database's name.</summary>
    public string Name { get; }

    public TDatabase Database { get; }

    /// <summary>A connection string to the database (for a monitoring connection of the test's own).</summary>
    public string ConnectionString => TestPostgres.ConnectionString(Name);

    /// <summary>Creates the database (<paramref name="prefix"/> and random digits) and migrates <paramref name="schema"/> in it.</summary>
    public static async Task<MigratedPostgresDatabase<TDatabase>> CreateAsync(string prefix, string schema, Func<DatabaseOptions, TDatabase> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var name = await TestPostgres.CreateDatabaseAsync(prefix);
        var database = create(new DatabaseOptions { Provider = "postgres", ConnectionString = TestPostgres.ConnectionString(name), Schema = schema });
        await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(database);
        return new MigratedPostgresDatabase<TDatabase>(name, database);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await TestPostgres.DropDatabasesAsync(Name);
    }
}
