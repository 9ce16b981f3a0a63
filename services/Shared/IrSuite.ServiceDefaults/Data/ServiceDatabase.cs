using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IrSuite.ServiceDefaults.Data;

/// <summary>
/// One service's database. Each service derives its own sealed type (so four can live in one process),
/// names its migrations, and runs its writes through <see cref="InTransactionAsync{T}"/> so the state change,
/// its outbox rows and its inbox row commit together.
/// </summary>
public abstract class ServiceDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    protected ServiceDatabase(DatabaseOptions options, string serviceName)
    {
        Options = options;
        ServiceName = serviceName;
        if (options.IsPostgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (options.Schema.Length > 0)
            {
                builder.SearchPath = options.Schema;
            }

            _postgres = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        }
        else
        {
            var builder = options.ConnectionString.Contains('=', StringComparison.Ordinal)
                ? new SqliteConnectionStringBuilder(options.ConnectionString)
                : new SqliteConnectionStringBuilder { DataSource = options.ConnectionString };
            builder.DefaultTimeout = 30;
            builder.Pooling = true;
            var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            _sqlite = builder.ConnectionString;
        }
    }

    public DatabaseOptions Options { get; }

    /// <summary>Kebab-case service name, e.g. <c>procedure-record</c>.</summary>
    public string ServiceName { get; }

    public SqlDialect Dialect => _postgres is not null ? SqlDialect.Postgres : SqlDialect.Sqlite;

    /// <summary>The assembly holding this service's <c>Migrations/NNN_name.sql</c> resources.</summary>
    public virtual System.Reflection.Assembly MigrationsAssembly => GetType().Assembly;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = _postgres is not null ? _postgres.CreateConnection() : new SqliteConnection(_sqlite);
        await connection.OpenAsync(cancellationToken);
        if (connection is SqliteConnection sqlite)
        {
            using var pragma = sqlite.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in one transaction; commits when it returns, rolls back when it throws.</summary>
    public async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // SQLite: BEGIN IMMEDIATE (serializable) takes the write lock up front, so concurrent writers queue instead of deadlocking.
        await using var transaction = await connection.BeginTransactionAsync(
            _postgres is not null ? IsolationLevel.ReadCommitted : IsolationLevel.Serializable, cancellationToken);
        var result = await work(connection, transaction);
        await transaction.CommitAsync(cancellationToken);
        AfterCommit?.Invoke();
        return result;
    }

    /// <summary>Raised after each commit (wakes the outbox relay without waiting for its poll).</summary>
    public event Action? AfterCommit;

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>The SQL dialects IrSuite writes for.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}
