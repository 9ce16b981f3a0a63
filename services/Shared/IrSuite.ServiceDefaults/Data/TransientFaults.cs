using System.Net.Sockets;
using IrSuite.Grpc;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IrSuite.ServiceDefaults.Data;

/// <summary>
/// Which failures are worth another attempt (the database pipeline and the consumers' message retry share it):
/// a lost or refused connection, a server shutting down, a lock or serialization conflict, a timeout. Everything
/// else (bad data, a broken rule, a bug) fails the same way every time and is not retried.
/// </summary>
public static class TransientFaults
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        RpcException rpc => rpc.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded,
        _ => IsTransientDatabase(exception) || (exception.InnerException is { } inner && IsTransient(inner)),
    };

    /// <summary>
    /// The database's own transient faults, the only ones the database pipeline retries: a gRPC call made inside a
    /// transaction has its own retry in the channel and must not be multiplied by re-running the transaction.
    /// </summary>
    public static bool IsTransientDatabase(Exception exception) => exception switch
    {
        PostgresException postgres => IsTransientSqlState(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || IsConnectionBroken(npgsql),
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        TimeoutException or SocketException => true,
        RpcException => false,
        _ => exception.InnerException is { } inner && IsTransientDatabase(inner),
    };

    /// <summary>The pooled connections to this server are likely dead (it restarted or terminated them): clear the pool.</summary>
    public static bool IsConnectionBroken(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState is "57P01" or "57P02" or "57P03" || postgres.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.InnerException is IOException or SocketException || (npgsql.InnerException is { } inner && IsConnectionBroken(inner)),
        IOException or SocketException => true,
        _ => exception.InnerException is { } inner && IsConnectionBroken(inner),
    };

    // 08xxx connection exceptions, 57P01-03 admin/crash shutdown and cannot-connect-now, 40001 serialization
    // failure, 40P01 deadlock, 53300 too many connections: the same statement can succeed on a new attempt.
    private static bool IsTransientSqlState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "40001" or "40P01" or "53300";
}
