using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;

namespace IrSuite.ProcedureRecord.Tests.Infrastructure;

/// <summary>A typed client over the descriptors (as other services call procedure-record).</summary>
public sealed class ProcedureClient(GrpcChannel channel)
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = ProcedureReflection.Descriptor.Services[0];
    private static readonly Method<GetWorklistRequest, GetWorklistResponse> GetWorklistMethod = Method<GetWorklistRequest, GetWorklistResponse>.Create(Service, "GetWorklist");
    private static readonly Method<SignInRequest, ProcedureCase> SignInMethod = Method<SignInRequest, ProcedureCase>.Create(Service, "SignIn");
    private static readonly Method<TimeOutRequest, ProcedureCase> TimeOutMethod = Method<TimeOutRequest, ProcedureCase>.Create(Service, "TimeOut");
    private static readonly Method<RecordLevelTreatmentRequest, ProcedureCase> RecordLevelTreatmentMethod = Method<RecordLevelTreatmentRequest, ProcedureCase>.Create(Service, "RecordLevelTreatment");
    private static readonly Method<RecordDoseRequest, ProcedureCase> RecordDoseMethod = Method<RecordDoseRequest, ProcedureCase>.Create(Service, "RecordDose");
    private static readonly Method<SignOutRequest, ProcedureCase> SignOutMethod = Method<SignOutRequest, ProcedureCase>.Create(Service, "SignOut");
    private static readonly Method<CompleteCaseRequest, ProcedureCase> CompleteCaseMethod = Method<CompleteCaseRequest, ProcedureCase>.Create(Service, "CompleteCase");
    private static readonly Method<DiscontinueCaseRequest, ProcedureCase> DiscontinueCaseMethod = Method<DiscontinueCaseRequest, ProcedureCase>.Create(Service, "DiscontinueCase");
    private static readonly Method<GetProcedureSummaryRequest, ProcedureCase> GetProcedureSummaryMethod = Method<GetProcedureSummaryRequest, ProcedureCase>.Create(Service, "GetProcedureSummary");

    private static readonly Method<AbandonLevelRequest, ProcedureCase> AbandonLevelMethod = Method<AbandonLevelRequest, ProcedureCase>.Create(Service, "AbandonLevel");
    private static readonly Method<FindCementLotRecipientsRequest, FindCementLotRecipientsResponse> FindCementLotRecipientsMethod =
        Method<FindCementLotRecipientsRequest, FindCementLotRecipientsResponse>.Create(Service, "FindCementLotRecipients");
    private static readonly Method<GetProcedureReportRequest, ProcedureReport> GetProcedureReportMethod = Method<GetProcedureReportRequest, ProcedureReport>.Create(Service, "GetProcedureReport");

    private static readonly Method<GetModalityWorklistRequest, GetModalityWorklistResponse> GetModalityWorklistMethod =
        Method<GetModalityWorklistRequest, GetModalityWorklistResponse>.Create(Service, "GetModalityWorklist");
    private static readonly Method<ReportProcedureStepsRequest, ReportProcedureStepsResponse> ReportProcedureStepsMethod =
        Method<ReportProcedureStepsRequest, ReportProcedureStepsResponse>.Create(Service, "ReportProcedureSteps");

    public Task<GetModalityWorklistResponse> GetModalityWorklistAsync(string room, string date, Metadata? headers = null) =>
        Call(GetModalityWorklistMethod, new GetModalityWorklistRequest { Room = room, Date = date }, headers);

    /// <summary>
    /// Sends <paramref name="reports"/> on one ReportProcedureSteps stream as <paramref name="headers"/>' identity, one at a
    /// time (each report waits for its ack, so the acks line up with the reports); returns the acks and the final status.
    /// </summary>
    public async Task<(IReadOnlyList<ReportProcedureStepsResponse> Acks, Status Status)> ReportStepsAsync(
        IEnumerable<ReportProcedureStepsRequest> reports, Metadata headers)
    {
        using var call = channel.DuplexStreamingCall(ReportProcedureStepsMethod, new CallOptions(headers).WithTimeout(TimeSpan.FromSeconds(30)));
        var acks = new List<ReportProcedureStepsResponse>();
        try
        {
            foreach (var report in reports)
            {
                await call.RequestStream.WriteAsync(report);
                if (!await call.ResponseStream.MoveNext())
                {
                    return (acks, call.GetStatus());
                }

                acks.Add(call.ResponseStream.Current);
            }

            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext())
            {
                acks.Add(call.ResponseStream.Current);
            }

            return (acks, call.GetStatus());
        }
        catch (RpcException ex)
        {
            return (acks, ex.Status);
        }
    }

    public Task<ProcedureCase> AbandonLevelAsync(AbandonLevelRequest request) => Call(AbandonLevelMethod, request);

    public Task<FindCementLotRecipientsResponse> FindCementLotRecipientsAsync(string lot, string product = "") =>
        Call(FindCementLotRecipientsMethod, new FindCementLotRecipientsRequest { Lot = lot, Product = product });

    public Task<ProcedureReport> GetProcedureReportAsync(string referralId) =>
        Call(GetProcedureReportMethod, new GetProcedureReportRequest { ReferralId = referralId });

    public Task<GetWorklistResponse> GetWorklistAsync(GetWorklistRequest request) => Call(GetWorklistMethod, request);

    public Task<ProcedureCase> SignInAsync(SignInRequest request) => Call(SignInMethod, request);

    /// <summary>The time-out, signed by the channel's caller or by the identity in <paramref name="headers"/> (TestIdentity.As).</summary>
    public Task<ProcedureCase> TimeOutAsync(TimeOutRequest request, Metadata? headers = null) => Call(TimeOutMethod, request, headers);

    public Task<ProcedureCase> RecordLevelTreatmentAsync(RecordLevelTreatmentRequest request, Metadata? headers = null) =>
        Call(RecordLevelTreatmentMethod, request, headers);

    public Task<ProcedureCase> RecordDoseAsync(RecordDoseRequest request) => Call(RecordDoseMethod, request);

    public Task<ProcedureCase> SignOutAsync(SignOutRequest request, Metadata? headers = null) => Call(SignOutMethod, request, headers);

    public Task<ProcedureCase> CompleteCaseAsync(CompleteCaseRequest request) => Call(CompleteCaseMethod, request);

    public Task<ProcedureCase> DiscontinueCaseAsync(DiscontinueCaseRequest request) => Call(DiscontinueCaseMethod, request);

    public Task<ProcedureCase> GetProcedureSummaryAsync(string referralId) =>
        Call(GetProcedureSummaryMethod, new GetProcedureSummaryRequest { ReferralId = referralId });

    private Task<TResponse> Call<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, Metadata? headers = null)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        channel.UnaryAsync(method, request, new CallOptions(headers).WithTimeout(TimeSpan.FromSeconds(10)));
}
