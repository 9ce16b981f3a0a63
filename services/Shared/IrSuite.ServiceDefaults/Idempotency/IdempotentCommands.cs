using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Grpc;

namespace IrSuite.ServiceDefaults.Idempotency;

/// <summary>
/// Runs a mutating RPC at most once per client request id (AIP-155, decision 0007). The request's
/// <c>request_id</c> (a UUID, empty = not idempotent) is claimed in the command's own transaction, and the
/// response is stored there too, so the state change, its outbox rows and the remembered response commit or
/// roll back together. A retry with the same id and the same content replays the stored response without
/// applying anything; the same id with other content (or another method) is INVALID_ARGUMENT. Errors are not
/// remembered: a refused command rolls back its claim, so a retry after fixing the cause is evaluated again.
/// </summary>
public sealed class IdempotentCommands(ServiceDatabase database, TimeProvider time, IdempotencyOptions? options = null)
{
    public const string RequestIdField = "request_id";

    private const string SelectRow =
        "SELECT method AS Method, fingerprint AS Fingerprint, status AS Status, response AS Response, created_at_ms AS CreatedAtMs FROM idempotent_request WHERE request_id = @id";

    private readonly TimeSpan _retention = (options ?? new IdempotencyOptions()).Retention;

    /// <summary>Runs <paramref name="work"/> (the command's transaction body, returning the response) once per request id.</summary>
    public Task<TResponse> RunAsync<TRequest, TResponse>(ServerCallContext context, TRequest request, Func<DbConnection, DbTransaction, Task<TResponse>> work)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(context);
        return RunAsync(context.Method.FullName, request, work, context.CancellationToken);
    }

    /// <summary>
    /// As <see cref="RunAsync{TRequest,TResponse}(ServerCallContext,TRequest,Func{DbConnection,DbTransaction,Task{TResponse}})"/>;
    /// <paramref name="map"/> turns the transaction's result into the response inside the transaction, so the stored
    /// response is exactly the one returned.
    /// </summary>
    public Task<TResponse> RunAsync<TRequest, TResult, TResponse>(
        ServerCallContext context, TRequest request, Func<DbConnection, DbTransaction, Task<TResult>> work, Func<TResult, TResponse> map)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(map);
        return RunAsync(context, request, async (connection, transaction) => map(await work(connection, transaction)));
    }

    /// <inheritdoc cref="RunAsync{TRequest,TResponse}(ServerCallContext,TRequest,Func{DbConnection,DbTransaction,Task{TResponse}})"/>
    public async Task<TResponse> RunAsync<TRequest, TResponse>(string method, TRequest request, Func<DbConnection, DbTransaction, Task<TResponse>> work, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(work);
        var key = Key(method, request);
        if (key is null)
        {
            return await database.InTransactionAsync(work, cancellationToken);
        }

        // A plain read first: a retry of a finished command is answered without taking the write lock.
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            var stored = await connection.QuerySingleOrDefaultAsync<StoredRequest>(SelectRow, new { id = key.RequestId });
            if (stored is not null && !IsExpired(stored) && stored.Response is not null)
            {
                return Replay<TResponse>(key, stored);
            }
        }

        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await connection.ExecuteAsync(
                "DELETE FROM idempotent_request WHERE request_id = @id AND created_at_ms < @cutoff",
                new { id = key.RequestId, cutoff = now - (long)_retention.TotalMilliseconds },
                transaction);

            // The unique key is the claim: a concurrent duplicate waits here for the first transaction (PostgreSQL
            // row lock on the key, SQLite's single writer) and then finds its committed row instead of applying again.
            var claimed = await connection.ExecuteAsync(
                """
                INSERT INTO idempotent_request (request_id, method, fingerprint, status, response, created_at_ms)
                VALUES (@id, @method, @fingerprint, -1, NULL, @now) ON CONFLICT (request_id) DO NOTHING
                """,
                new { id = key.RequestId, method = key.Method, fingerprint = key.Fingerprint, now },
                transaction) == 1;
            if (!claimed)
            {
                var stored = await connection.QuerySingleOrDefaultAsync<StoredRequest>(SelectRow, new { id = key.RequestId }, transaction);
                if (stored?.Response is null)
                {
                    throw new RpcException(new Status(StatusCode.Aborted, "A request with this request_id is being processed concurrently; retry."));
                }

                return Replay<TResponse>(key, stored);
            }

            var response = await work(connection, transaction);
            await connection.ExecuteAsync(
                "UPDATE idempotent_request SET status = 0, response = @response WHERE request_id = @id",
                new { id = key.RequestId, response = Convert.ToBase64String(response.ToByteArray()) },
                transaction);
            return response;
        }, cancellationToken);
    }

    /// <summary>
    /// For commands that read state or call another service before their transaction (which then runs through
    /// <see cref="RunAsync{TRequest,TResponse}(ServerCallContext,TRequest,Func{DbConnection,DbTransaction,Task{TResponse}})"/>):
    /// a retry of an applied request is answered first; and when <paramref name="command"/> fails because a concurrent
    /// duplicate applied the change in between (a gate or version conflict seen by the second copy), the first result is
    /// returned instead of the error.
    /// </summary>
    public async Task<TResponse> ReplayOrRunAsync<TRequest, TResponse>(ServerCallContext context, TRequest request, Func<Task<TResponse>> command)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(command);
        if (await FindAsync<TRequest, TResponse>(context, request) is { } replay)
        {
            return replay;
        }

        try
        {
            return await command();
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition or StatusCode.Aborted or StatusCode.AlreadyExists)
        {
            if (await FindAsync<TRequest, TResponse>(context, request) is { } applied)
            {
                return applied;
            }

            throw;
        }
    }

    /// <summary>
    /// The stored response of an already applied request, or null. For commands that call another service
    /// before their transaction: a retry is answered without that call.
    /// </summary>
    public async Task<TResponse?> FindAsync<TRequest, TResponse>(ServerCallContext context, TRequest request)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>, new()
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = Key(context.Method.FullName, request);
        if (key is null)
        {
            return null;
        }

        await using var connection = await database.OpenAsync(context.CancellationToken);
        var stored = await connection.QuerySingleOrDefaultAsync<StoredRequest>(SelectRow, new { id = key.RequestId });
        return stored is null || IsExpired(stored) || stored.Response is null ? null : Replay<TResponse>(key, stored);
    }

    /// <summary>
    /// The request id and fingerprint (SHA-256 of the request bytes with request_id cleared), or null when the
    /// request carries no id. Throws INVALID_ARGUMENT when the id is not a UUID.
    /// </summary>
    public static RequestKey? Key<TRequest>(string method, TRequest request)
        where TRequest : IMessage<TRequest>
    {
        ArgumentNullException.ThrowIfNull(request);
        var field = RequestIdOf(request.Descriptor);
        var value = field.Accessor.GetValue(request) as string ?? "";
        if (value.Length == 0)
        {
            return null;
        }

        if (!Guid.TryParse(value, out var id) || id == Guid.Empty)
        {
            new RequestValidator().Fail(RequestIdField, "Must be a UUID chosen by the client (or empty for a non-idempotent call).").ThrowIfInvalid();
        }

        var copy = request.Clone();
        field.Accessor.Clear(copy);
        var fingerprint = Convert.ToHexString(SHA256.HashData(copy.ToByteArray()));
        return new RequestKey(id.ToString("D"), method, fingerprint);
    }

    private static FieldDescriptor RequestIdOf(MessageDescriptor descriptor) =>
        descriptor.FindFieldByName(RequestIdField) is { FieldType: FieldType.String, IsRepeated: false } field
            ? field
            : throw new InvalidOperationException($"{descriptor.FullName} has no string request_id field.");

    private static TResponse Replay<TResponse>(RequestKey key, StoredRequest stored)
        where TResponse : IMessage<TResponse>, new()
    {
        if (!string.Equals(stored.Method, key.Method, StringComparison.Ordinal) || !string.Equals(stored.Fingerprint, key.Fingerprint, StringComparison.Ordinal))
        {
            new RequestValidator().Fail(RequestIdField, "Reused with different content: this request_id was already used for another request.").ThrowIfInvalid();
        }

        var parser = new MessageParser<TResponse>(() => new TResponse());
        return parser.ParseFrom(Convert.FromBase64String(stored.Response!));
    }

    private bool IsExpired(StoredRequest stored) =>
        stored.CreatedAtMs < time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_retention.TotalMilliseconds;

    private sealed class StoredRequest
    {
        public string Method { get; set; } = "";

        public string Fingerprint { get; set; } = "";

        public long Status { get; set; }

        public string? Response { get; set; }

        public long CreatedAtMs { get; set; }
    }
}

/// <summary>A request's idempotency key: the client's id, the method and the content fingerprint.</summary>
public sealed record RequestKey(string RequestId, string Method, string Fingerprint);
