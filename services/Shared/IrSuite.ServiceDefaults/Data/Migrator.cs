using System.Reflection;
using Dapper;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Data;

/// <summary>
/// Applies a service's SQL migrations in order, once each, recording them in <c>schema_migrations</c>.
/// Files are embedded resources named <c>NNN_name.sql</c>: first the shared infrastructure tables
/// (outbox, inbox, due-time), then the service's own. Type placeholders keep one file for both dialects:
/// <c>{{timestamp}}</c>, <c>{{serial}}</c>, <c>{{real}}</c>. Statements only one dialect understands (triggers) go
/// after a line <c>-- dialect: sqlite</c> or <c>-- dialect: postgres</c>; <c>-- dialect: all</c> ends the section.
/// </summary>
public sealed partial class Migrator(ILogger<Migrator> logger)
{
    public async Task<int> MigrateAsync(ServiceDatabase database, CancellationToken cancellationToken = default)
    {
        DapperSetup.Configure();
        if (database.Dialect == SqlDialect.Postgres && database.Options.Schema.Length > 0)
        {
            await using var bootstrap = await database.OpenAsync(cancellationToken);
            await bootstrap.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS \"{database.Options.Schema}\"");
        }

        var scripts = LoadScripts(typeof(Migrator).Assembly, "shared")
            .Concat(LoadScripts(database.MigrationsAssembly, database.ServiceName))
            .ToList();
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            if (database.Dialect == SqlDialect.Postgres)
            {
                // Replicas starting together must not race: one migrates, the others wait for it.
                await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext(current_schema()))", transaction: transaction);
            }

            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)", transaction: transaction);
            var applied = (await connection.QueryAsync<string>("SELECT id FROM schema_migrations", transaction: transaction)).ToHashSet(StringComparer.Ordinal);
            var count = 0;
            foreach (var (id, sql) in scripts)
            {
                if (applied.Contains(id))
                {
                    continue;
                }

                await connection.ExecuteAsync(Translate(sql, database.Dialect), transaction: transaction);
                await connection.ExecuteAsync(
                    "INSERT INTO schema_migrations (id, applied_at) VALUES (@id, @at)",
                    new { id, at = DateTimeOffset.UtcNow.ToString("O") },
                    transaction);
                LogApplied(database.ServiceName, id);
                count++;
            }

            return count;
        }, cancellationToken);
    }

    /// <summary>True when every migration has been applied (readiness).</summary>
    public static async Task<bool> IsUpToDateAsync(ServiceDatabase database, CancellationToken cancellationToken = default)
    {
        var expected = LoadScripts(typeof(Migrator).Assembly, "shared").Concat(LoadScripts(database.MigrationsAssembly, database.ServiceName)).Select(s => s.Id);
        await using var connection = await database.OpenAsync(cancellationToken);
        try
        {
            var applied = (await connection.QueryAsync<string>("SELECT id FROM schema_migrations")).ToHashSet(StringComparer.Ordinal);
            return expected.All(applied.Contains);
        }
        catch (System.Data.Common.DbException)
        {
            return false;
        }
    }

    internal static string Translate(string sql, SqlDialect dialect) => ReplaceTypes(SelectDialect(sql, dialect), dialect);

    /// <summary>Keeps the lines of <paramref name="sql"/> outside any dialect section or inside one for <paramref name="dialect"/>.</summary>
    internal static string SelectDialect(string sql, SqlDialect dialect)
    {
        const string Marker = "-- dialect:";
        if (!sql.Contains(Marker, StringComparison.Ordinal))
        {
            return sql;
        }

        var kept = new System.Text.StringBuilder(sql.Length);
        var keep = true;
        foreach (var line in sql.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.StartsWith(Marker, StringComparison.Ordinal))
            {
                var name = trimmed[Marker.Length..].Trim();
                keep = name switch
                {
                    "all" => true,
                    "sqlite" => dialect == SqlDialect.Sqlite,
                    "postgres" => dialect == SqlDialect.Postgres,
                    _ => throw new InvalidOperationException($"Unknown migration dialect '{name}' (expected sqlite, postgres or all)."),
                };
                continue;
            }

            if (keep)
            {
                kept.Append(line).Append('\n');
            }
        }

        return kept.ToString();
    }

    private static string ReplaceTypes(string sql, SqlDialect dialect) => dialect switch
    {
        SqlDialect.Postgres => sql.Replace("{{timestamp}}", "timestamptz", StringComparison.Ordinal)
            .Replace("{{serial}}", "bigserial", StringComparison.Ordinal)
            .Replace("{{real}}", "double precision", StringComparison.Ordinal),
        _ => sql.Replace("{{timestamp}}", "TEXT", StringComparison.Ordinal)
            .Replace("{{serial}}", "INTEGER", StringComparison.Ordinal)
            .Replace("{{real}}", "REAL", StringComparison.Ordinal),
    };

    private static IEnumerable<(string Id, string Sql)> LoadScripts(Assembly assembly, string prefix)
    {
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".sql", StringComparison.Ordinal) && n.Contains(".Migrations.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var file = name[(name.LastIndexOf(".Migrations.", StringComparison.Ordinal) + 12)..];
            yield return ($"{prefix}/{file}", reader.ReadToEnd());
        }
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Applied migration {Migration} to {Service}")]
    private partial void LogApplied(string service, string migration);

}
