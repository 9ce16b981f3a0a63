using System.Globalization;
using Dapper;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Audit.V1;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Grpc;

namespace IrSuite.ServiceDefaults.Audit;

/// <summary>
/// <c>ir.audit.v1.AuditService</c> (role auditor, decision 0013): the records about a patient or by an actor across the
/// audit stores of this process, oldest first, and the verification of every hash chain.
/// </summary>
public sealed class AuditGrpcService(AuditStores stores)
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    // One verification at a time per process (see VerifyAuditChain).
    private static readonly SemaphoreSlim Verifying = new(1, 1);

    public async Task<QueryAuditTrailResponse> QueryAuditTrail(QueryAuditTrailRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        if (request.PatientId.Length == 0 && request.Actor.Length == 0)
        {
            v.Fail("patient_id", "patient_id or actor is required.");
        }

        if (request.PatientId.Length > 0)
        {
            v.Id("patient_id", request.PatientId); // the patient's pseudonymous id
        }

        if (request.Actor.Length > 200)
        {
            v.Fail("actor", "At most 200 characters.");
        }

        if (request.PageSize is < 0 or > MaxPageSize)
        {
            v.Fail("page_size", $"Between 0 and {MaxPageSize}.");
        }

        var offset = 0;
        if (request.PageToken.Length > 0 && (!int.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            v.Fail("page_token", "Not a page token returned by this service.");
        }

        var from = request.From is null ? long.MinValue : v.Timestamp("from", request.From).ToUnixTimeMilliseconds();
        var until = request.Until is null ? long.MaxValue : v.Timestamp("until", request.Until).ToUnixTimeMilliseconds();
        v.ThrowIfInvalid();
        var size = request.PageSize == 0 ? DefaultPageSize : request.PageSize;
        var found = new List<(string Service, AuditRecord Record)>();
        foreach (var database in stores.All)
        {
            await using var connection = await database.OpenAsync(context.CancellationToken);
            var rows = await connection.QueryAsync<AuditRecord>(new CommandDefinition(
                $"SELECT {AuditChain.SelectColumns} FROM audit_record WHERE (@patient = '' OR patient_id = @patient) AND (@actor = '' OR actor = @actor) "
                + "AND occurred_at_ms >= @from AND occurred_at_ms < @until ORDER BY occurred_at_ms, seq LIMIT @limit",
                new { patient = request.PatientId, actor = request.Actor, from, until, limit = offset + size + 1 },
                cancellationToken: context.CancellationToken));
            found.AddRange(rows.Select(r => (database.ServiceName, r)));
        }

        var ordered = found.OrderBy(f => f.Record.OccurredAtMs).ThenBy(f => f.Service, StringComparer.Ordinal).ThenBy(f => f.Record.Seq).ToList();
        var response = new QueryAuditTrailResponse();
        response.Records.AddRange(ordered.Skip(offset).Take(size).Select(f => ToMessage(f.Service, f.Record)));
        if (ordered.Count > offset + size)
        {
            response.NextPageToken = (offset + size).ToString(CultureInfo.InvariantCulture);
        }

        return response;
    }

    public async Task<VerifyAuditChainResponse> VerifyAuditChain(VerifyAuditChainRequest request, ServerCallContext context)
    {
        // One verification at a time per process: each rehashes whole chains, and several at once would only share
        // the same cores (the others wait, within their deadlines).
        await Verifying.WaitAsync(context.CancellationToken);
        try
        {
            return await VerifyAllAsync(context.CancellationToken);
        }
        finally
        {
            Verifying.Release();
        }
    }

    private async Task<VerifyAuditChainResponse> VerifyAllAsync(CancellationToken cancellationToken)
    {
        var response = new VerifyAuditChainResponse();
        foreach (var database in stores.All)
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var result = await AuditChain.VerifyAsync(connection, database.ServiceName, cancellationToken);
            response.Chains.Add(new ChainVerification
            {
                Service = result.Service,
                RecordsChecked = result.RecordsChecked,
                Valid = result.Valid,
                FirstBrokenSeq = result.FirstBrokenSeq,
                Problem = result.Problem,
                HeadHash = result.HeadHash,
            });
        }

        return response;
    }

    private static IrSuite.Audit.V1.AuditRecord ToMessage(string service, AuditRecord r) => new()
    {
        Service = service,
        Seq = r.Seq,
        OccurredAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(r.OccurredAtMs)),
        Actor = r.Actor,
        ActorRoles = r.ActorRoles,
        Action = r.Action,
        Access = r.Access,
        PatientId = r.PatientId ?? "",
        Resource = r.Resource ?? "",
        Outcome = r.Outcome,
        TraceId = r.TraceId ?? "",
        PrevHash = r.PrevHash,
        Hash = r.Hash,
    };
}
