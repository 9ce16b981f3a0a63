using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Audit;

/// <summary>
/// Opens the call's <see cref="AuditScope"/> after authentication and before the role matrix, so refused attempts are
/// audited too. After the call it appends, through the database's <see cref="AuditLog"/> (group commit), whatever the call's own transaction did not:
/// reads (OK) and every refused or failed call (its final status). A read whose record cannot be written fails
/// UNAVAILABLE rather than serve data nobody can trace. A server-streaming read is recorded as it goes
/// (<see cref="AuditScope.RecordStreamedAsync"/>); its end adds a record only when it failed. Health, reflection, the site protocol and the audit service
/// itself are not audited (no patient data).
/// </summary>
public sealed partial class AuditInterceptor(AuditStores stores, TimeProvider time, ILogger<AuditInterceptor> logger) : IServerInterceptor
{
    public async Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
    {
        var database = stores.For(context.Method.ServiceName);
        if (database is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var caller = context.Caller();
        var access = context.Method.Type == MethodType.Unary && IsCommand(context.Method) ? AuditAccess.Write : AuditAccess.Read;
        var scope = new AuditScope(context, database.ServiceName, caller.Subject, caller.RoleList, AccessPolicy.KeyOf(context.Method), access, time);
        scope.AttachTo(context);
        if (context.Method.Type == MethodType.ServerStreaming)
        {
            // A stream may run for hours: the service records each patient as it first sends it (decision 0015).
            scope.AllowStreaming(records => database.AuditLog.AppendAsync(records));
        }

        await next(context).ConfigureAwait(false);
        var code = context.Status.StatusCode;
        // A stream that was audited as it went adds a record at its end only when it failed (not when the watcher left).
        if (scope.Written && !(scope.Streamed && code is not (StatusCode.OK or StatusCode.Cancelled)))
        {
            return;
        }

        var records = scope.RecordsFor(code == StatusCode.OK ? context.ResponseMessage : null, Name(code));
        scope.Written = true; // the transaction below must not append the scope's in-transaction record as well
        try
        {
            await database.AuditLog.AppendAsync(records).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            LogAuditFailed(context.Method.FullName, ex.GetType().Name);
            if (code == StatusCode.OK)
            {
                context.Status = new Status(StatusCode.Unavailable, "The audit trail could not be written; retry.");
            }
        }
    }

    private static bool IsCommand(Method method) => method.Descriptor.InputType.FindFieldByName("request_id") is not null;

    /// <summary>The status code's canonical name, e.g. PERMISSION_DENIED (and OK, not O_K: a word starts after a lower-case letter).</summary>
    internal static string Name(StatusCode code)
    {
        var name = code.ToString();
        return string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) && char.IsLower(name[i - 1]) ? "_" + c : c.ToString())).ToUpperInvariant();
    }

    [LoggerMessage(EventId = 6100, Level = LogLevel.Error, Message = "Audit record of {Method} could not be written ({Exception})")]
    private partial void LogAuditFailed(string method, string exception);
}
