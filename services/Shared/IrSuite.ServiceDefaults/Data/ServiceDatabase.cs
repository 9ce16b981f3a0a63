using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Polly;

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
    private readonly ResiliencePipeline _resilience;

    // SQLite has one writer per file. Writers of this process queue here, asynchronously, instead of each taking a
    // thread-pool thread into Microsoft.Data.Sqlite's busy-retry sleep (which starved the pool under load).
    private readonly SemaphoreSlim? _sqliteWriter;

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

            if (!options.ConnectionString.Contains("Pool Size", StringComparison.OrdinalIgnoreCase)
                && !options.ConnectionString.Contains("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
            {
                builder.MaxPoolSize = options.MaxPoolSize;
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
            _sqliteWriter = new SemaphoreSlim(1, 1);
        }

        _resilience = DatabaseResilience.Build(_ => ClearPool(), options.Retry);
        AuditLog = new Audit.AuditLog(this);
    }

    /// <summary>This database's audit chain: appends of records that no transaction of the call carried (decision 0013).</summary>
    public Audit.AuditLog AuditLog { get; }

    public DatabaseOptions Options { get; }

    /// <summary>Kebab-case service name, e.g. <c>procedure-record</c>.</summary>
    public string ServiceName { get; }

    public SqlDialect Dialect => _postgres is not null ? SqlDialect.Postgres : SqlDialect.Sqlite;

    /// <summary>The assembly holding this service's <c>Migrations/NNN_name.sql</c> resources.</summary>
    public virtual System.Reflection.Assembly MigrationsAssembly => GetType().Assembly;

    /// <summary>Opens a connection, retrying transient failures (a restarting server, a full pool).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _resilience.ExecuteAsync(static async (database, token) => await database.OpenOnceAsync(token), this, cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction; commits when it returns, rolls back when it throws. A transient
    /// failure before the commit runs the whole transaction again on a new connection, so <paramref name="work"/> must
    /// only touch the database; a failed commit is never retried (its outcome is unknown).
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken = default) =>
        InTransactionAsync(work, TransactionKind.Call, cancellationToken);

    /// <summary>
    /// <see cref="InTransactionAsync{T}(Func{DbConnection, DbTransaction, Task{T}}, CancellationToken)"/> for a
    /// transaction that only appends audit records: it carries no call's record and wakes no outbox relay.
    /// </summary>
    internal Task<T> InAuditTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken cancellationToken) =>
        InTransactionAsync(work, TransactionKind.AuditOnly, cancellationToken);

    private async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, TransactionKind kind, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            var result = await _resilience.ExecuteAsync(
                static async (ctx, state) => await state.Database.TransactionOnceAsync(state.Work, state.Kind, ctx),
                context,
                (Database: this, Work: work, Kind: kind));
            if (kind == TransactionKind.AuditOnly)
            {
                return result;
            }

            if (Audit.AuditScope.Current is { Written: false, PerTransaction: false } scope && scope.Store == ServiceName)
            {
                scope.Written = true;
            }

            AfterCommit?.Invoke();
            return result;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Drops the pooled PostgreSQL connections (they are dead after a server restart or a terminated backend).</summary>
    public void ClearPool() => _postgres?.Clear();

    /// <summary>Raised after each commit (wakes the outbox relay without waiting for its poll).</summary>
    public event Action? AfterCommit;

    private async Task<DbConnection> OpenOnceAsync(CancellationToken cancellationToken)
    {
        DbConnection connection = _postgres is not null ? _postgres.CreateConnection() : new SqliteConnection(_sqlite);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (connection is SqliteConnection sqlite)
            {
                using var pragma = sqlite.CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task<T> TransactionOnceAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, TransactionKind kind, ResilienceContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (_sqliteWriter is not null)
        {
            await _sqliteWriter.WaitAsync(cancellationToken);
        }

        try
        {
            await using var connection = await OpenOnceAsync(cancellationToken);
            // SQLite: BEGIN IMMEDIATE (serializable) takes the write lock up front, so writers of other processes queue
            // (busy retry) instead of deadlocking.
            await using var transaction = await connection.BeginTransactionAsync(
                _postgres is not null ? IsolationLevel.ReadCommitted : IsolationLevel.Serializable, cancellationToken);
            var result = await work(connection, transaction);
            // The audit record of the call this transaction serves commits with it (decision 0013).
            if (kind == TransactionKind.Call && Audit.AuditScope.Current is { Written: false } scope && scope.Store == ServiceName)
            {
                await Audit.AuditChain.AppendAsync(connection, transaction, ServiceName, scope.RecordsFor(result, "OK"));
            }

            context.Properties.Set(DatabaseResilience.CommitSent, true);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            _sqliteWriter?.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        AuditLog.Dispose();
        _sqliteWriter?.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>What a transaction is for: a call's work (carries its audit record, wakes the relay), or audit only.</summary>
internal enum TransactionKind
{
    Call,
    AuditOnly,
}

/// <summary>The SQL dialects IrSuite writes for.</summary>
public enum SqlDialect
{
    Sqlite,
    Postgres,
}
