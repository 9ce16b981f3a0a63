namespace IrSuite.ServiceDefaults.Data;

/// <summary>Where a service keeps its data: a SQLite file (embedded default) or a PostgreSQL schema (distributed).</summary>
public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>
    /// SQLite: a connection string or just a file path. PostgreSQL: an Npgsql connection string; credentials
    /// come from configuration or secrets (environment variables), never from code.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>PostgreSQL schema of the service (one schema per service).</summary>
    public string Schema { get; set; } = "";

    /// <summary>
    /// PostgreSQL: the most connections this process opens (Npgsql's own default is 100), applied unless the connection
    /// string sets a pool size itself. Several services and replicas share one server's <c>max_connections</c> (100 by
    /// default): four services at 100 each overflow it under load ("53300 too many clients"), while a call waiting a
    /// few milliseconds for a pooled connection costs less than a server juggling hundreds of backends on a few cores.
    /// </summary>
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>
    /// Most audit records one group commit appends (decision 0013). 1 commits each read's record on its own, as
    /// tests/Benchmarks/audit-bench.sh does to show what grouping saves.
    /// </summary>
    public int AuditMaxBatch { get; set; } = Audit.AuditLog.DefaultMaxBatch;

    /// <summary>Retries of transient failures (decision 0008).</summary>
    public DatabaseRetryOptions Retry { get; set; } = new();

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);
}
