using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using IrSuite.Grpc.Server;

namespace IrSuite.ServiceDefaults.Audit;

/// <summary>
/// The audit record a call owes (decision 0013), opened by <see cref="AuditInterceptor"/>: who (the token's subject and
/// roles), what (the RPC, read or write), when, the trace id. The patient and resource are taken from the call's result:
/// every <c>patient_id</c> and <c>referral_id</c> field in it (one record per patient for a list), else the request's
/// <c>referral_id</c>. A write appends the record inside its own transaction, just before the commit
/// (<see cref="Data.ServiceDatabase.InTransactionAsync{T}"/>); anything not written by then is appended by the
/// interceptor after the call, with the final status.
/// </summary>
public sealed class AuditScope
{
    private readonly ServerCallContext _call;

    internal AuditScope(ServerCallContext call, string store, string actor, string roles, string action, string access, TimeProvider time)
    {
        _call = call;
        Store = store;
        Actor = actor;
        Roles = roles;
        Action = action;
        Access = access;
        Time = time;
        TraceId = Activity.Current?.TraceId.ToHexString();
    }

    /// <summary>The audit store (service database name, e.g. <c>scheduling</c>) this call's records go to.</summary>
    public string Store { get; }

    public string Actor { get; }

    public string Roles { get; }

    public string Action { get; }

    public string Access { get; private set; }

    /// <summary>True for a stream of commands: every transaction of the call appends its own record (see <see cref="RecordEachTransaction"/>).</summary>
    public bool PerTransaction { get; private set; }

    public string? TraceId { get; }

    internal TimeProvider Time { get; }

    private IMessage? Request => _call.RequestMessage;

    /// <summary>True once the call's records have been committed.</summary>
    public bool Written { get; internal set; }

    /// <summary>The scope of the call on this async flow, or null outside an audited call.</summary>
    public static AuditScope? Current =>
        ServerCallContext.Current is { } call && call.UserState.TryGetValue(typeof(AuditScope), out var value) ? (AuditScope)value : null;

    internal void AttachTo(ServerCallContext context) => context.UserState[typeof(AuditScope)] = this;

    /// <summary>
    /// For a streaming call whose messages each change state (decision 0016): each transaction of the call appends a write
    /// record naming what that transaction returned, instead of only the first one; the interceptor still appends one
    /// record when the call ends, with its final status.
    /// </summary>
    public void RecordEachTransaction()
    {
        PerTransaction = true;
        Access = AuditAccess.Write;
    }

    private Func<IReadOnlyList<AuditRecord>, Task>? _appendStreamed;
    private readonly HashSet<(string?, string?)> _streamed = [];

    /// <summary>True once a server-streaming call recorded what it sent (<see cref="RecordStreamedAsync"/>).</summary>
    internal bool Streamed { get; private set; }

    internal void AllowStreaming(Func<IReadOnlyList<AuditRecord>, Task> append) => _appendStreamed = append;

    /// <summary>
    /// For a server-streaming read: records, as the stream goes, each patient a message shows that this call has not shown
    /// before (the first message, even without a patient, records the stream's opening). Call it before writing the
    /// message: a record that cannot be written fails the call UNAVAILABLE instead of sending untraced data.
    /// </summary>
    public async Task RecordStreamedAsync(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_appendStreamed is null)
        {
            return;
        }

        var fresh = RecordsFor(message, "OK").Where(r => _streamed.Add((r.PatientId, r.Resource))).ToList();
        if (Streamed && fresh.All(r => r.PatientId is null))
        {
            return;
        }

        Streamed = true;
        Written = true;
        if (fresh.Count == 0)
        {
            return;
        }

        try
        {
            await _appendStreamed(fresh).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            throw new IrSuite.Grpc.RpcException(new IrSuite.Grpc.Status(IrSuite.Grpc.StatusCode.Unavailable, "The audit trail could not be written; retry."));
        }
    }

    /// <summary>The records for <paramref name="result"/> (a response message, or anything else) with <paramref name="outcome"/>.</summary>
    internal IReadOnlyList<AuditRecord> RecordsFor(object? result, string outcome)
    {
        var subjects = new List<(string? Patient, string? Resource)>();
        if (result is IMessage message)
        {
            Collect(message, subjects, depth: 0);
        }

        var requestReferral = Request is null ? null : Field(Request, "referral_id");
        if (subjects.Count == 0)
        {
            subjects.Add((null, requestReferral));
        }

        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        return subjects
            .Distinct()
            .Select(s => new AuditRecord
            {
                OccurredAtMs = now,
                Actor = Actor,
                ActorRoles = Roles,
                Action = Action,
                Access = Access,
                PatientId = s.Patient,
                Resource = s.Resource ?? requestReferral,
                Outcome = outcome,
                TraceId = TraceId,
            })
            .ToList();
    }

    // Depth-first: a message carrying patient_id is one subject (with its referral_id); repeated messages give several.
    private static void Collect(IMessage message, List<(string?, string?)> subjects, int depth)
    {
        if (depth > 4)
        {
            return;
        }

        var patient = Field(message, "patient_id");
        if (patient is not null)
        {
            subjects.Add((patient, Field(message, "referral_id")));
            return;
        }

        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.FieldType != FieldType.Message)
            {
                continue;
            }

            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated && value is System.Collections.IEnumerable items)
            {
                foreach (var item in items)
                {
                    if (item is IMessage child)
                    {
                        Collect(child, subjects, depth + 1);
                    }
                }
            }
            else if (!field.IsMap && value is IMessage child)
            {
                Collect(child, subjects, depth + 1);
            }
        }
    }

    private static string? Field(IMessage message, string name) =>
        message.Descriptor.FindFieldByName(name) is { FieldType: FieldType.String, IsRepeated: false } field
        && field.Accessor.GetValue(message) is string { Length: > 0 } value
            ? value
            : null;
}
