using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Hosting;
using Microsoft.Extensions.Logging;
using ProcedureOutline = IrSuite.Discharge.Domain.ProcedureOutline;

namespace IrSuite.Discharge.Grpc;

/// <summary>
/// Reads the procedure summary from procedure-record for the discharge summary. The rpc is NO_SIDE_EFFECTS, so
/// the channel retries it on UNAVAILABLE (jittered back-off) within the call's deadline.
/// </summary>
public sealed partial class ProcedureRecordClient(ServiceChannels channels, ILogger<ProcedureRecordClient> logger)
{
    public const string ServiceName = "procedure-record";

    /// <summary>The procedure-record case is unknown: nothing to summarise the discharge with.</summary>
    public const string ProcedureRecordMissing = "PROCEDURE_RECORD_MISSING";

    private static readonly Method<GetProcedureSummaryRequest, ProcedureCase> GetProcedureSummary =
        Method<GetProcedureSummaryRequest, ProcedureCase>.Create(ProcedureReflection.Descriptor.Services[0], nameof(GetProcedureSummary));

    /// <summary>Deadline of one read, retries included (the incoming call's own deadline applies when shorter).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The outline of the case; UNAVAILABLE when procedure-record cannot answer.</summary>
    public async Task<ProcedureOutline> GetOutlineAsync(Guid referralId, CancellationToken cancellationToken)
    {
        ProcedureCase summary;
        try
        {
            // Transport deadlines are measured on the channel's clock (the system clock), not the clinical one.
            summary = await channels.Get(ServiceName).UnaryAsync(
                GetProcedureSummary,
                new GetProcedureSummaryRequest { ReferralId = referralId.ToString() },
                new CallOptions(cancellationToken: cancellationToken).WithTimeout(Timeout));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            throw Rpc.Gate(ProcedureRecordMissing, "procedure-record has no case for this referral.");
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            LogUnavailable(referralId, ex.StatusCode, ex.Status.Detail);
            throw new RpcException(new Status(StatusCode.Unavailable, "procedure-record is unavailable; retry the discharge."));
        }

        return ToOutline(summary);
    }

    /// <summary>Treated levels (in treatment order), total cement, complication codes and the end time.</summary>
    public static ProcedureOutline ToOutline(ProcedureCase summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var levels = summary.Treatments.Select(t => t.Level).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var cement = Math.Round(summary.Treatments.Sum(t => t.CementVolumeMl), 2);
        var complications = summary.Complications.Select(c => c.Code).ToList();
        return new ProcedureOutline(levels, cement, complications, summary.EndedAt?.ToDateTimeOffset());
    }

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "Procedure summary of referral {ReferralId} unavailable: {StatusCode} {Detail}")]
    private partial void LogUnavailable(Guid referralId, StatusCode statusCode, string detail);
}
