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

    /// <summary>Retries of transient failures (decision 0008).</summary>
    public DatabaseRetryOptions Retry { get; set; } = new();

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);
}
