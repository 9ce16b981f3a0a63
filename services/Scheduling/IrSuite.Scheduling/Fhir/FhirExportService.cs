using Google.Protobuf;
using IrSuite.Discharge.V1;
using IrSuite.Fhir.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Server;
using IrSuite.Procedure.V1;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Logging;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Fhir;

/// <summary>
/// ir.fhir.v1.FhirExportService: one case as a FHIR R4 Bundle. Scheduling's own records (identity, referral, consent,
/// labs, allergies, the procedure booking) are read first and the connection closed; then procedure-record and
/// discharge are asked as role service (deadline and cancellation of this call propagate). A peer that has nothing yet
/// (NOT_FOUND) leaves its resources out; a peer that cannot be reached fails the export UNAVAILABLE rather than
/// hand hospital IT a silently partial case.
/// </summary>
public sealed partial class FhirExportService(SchedulingDatabase database, ServiceChannels channels, SiteProtocol protocol, TimeProvider time, ILogger<FhirExportService> logger)
{
    private static readonly Method<GetProcedureSummaryRequest, ProcedureCase> GetProcedureSummary =
        Method<GetProcedureSummaryRequest, ProcedureCase>.Create(ProcedureReflection.Descriptor.Services[0], "GetProcedureSummary");

    private static readonly Method<GetDischargeSummaryRequest, DischargeSummary> GetDischargeSummary =
        Method<GetDischargeSummaryRequest, DischargeSummary>.Create(DischargeReflection.Descriptor.Services[0], "GetDischargeSummary");

    private static readonly Method<GetObservationStatusRequest, ObservationStatus> GetObservationStatus =
        Method<GetObservationStatusRequest, ObservationStatus>.Create(DischargeReflection.Descriptor.Services[0], "GetObservationStatus");

    public async Task<ExportCaseResponse> ExportCase(ExportCaseRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        v.ThrowIfInvalid();

        CaseFacts facts;
        await using (var connection = await database.OpenAsync(context.CancellationToken))
        {
            var referral = await SchedulingRepository.FindReferralAsync(connection, null, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
            var submitted = JsonParser.Default.Parse<SubmitReferralRequest>(referral.Details);
            var consent = await SchedulingRepository.FindConsentAsync(connection, null, id);
            var labs = await SchedulingRepository.FindLabsAsync(connection, null, id);
            var booking = (await SchedulingRepository.ListAppointmentsAsync(connection, id))
                .LastOrDefault(a => a.Kind == (int)AppointmentKind.Procedure && a.Cancelled == 0);

            // Identity only for the roles GetReferral shows it to (decision 0014); everyone else gets the pseudonym.
            var caller = context.Caller();
            var showIdentity = caller.IsInRole(Roles.Scheduler) || caller.IsInRole(Roles.Radiologist);
            facts = new CaseFacts
            {
                ReferralId = id,
                PatientId = referral.PatientId,
                Identity = showIdentity ? submitted.Patient : null,
                Status = (ReferralStatus)referral.Status,
                Indication = (Indication)referral.Indication,
                Levels = SchedulingRepository.FromJson(referral.Levels),
                SubmittedAt = referral.SubmittedAt,
                AllergyClasses = AllergyClassifier.Classify(submitted.Allergies, protocol.Antibiotics),
                Consent = consent is null ? null : new ConsentFacts(consent.SignedAt, consent.ProtocolVersion),
                Labs = labs is null ? null : new LabFacts(labs.Inr, labs.Platelets, labs.TakenAt),
                Booking = booking is null ? null : new BookingFacts(booking.StartAt, booking.DurationMinutes, (CommonV1.AdmissionType)booking.Admission),
                ExportedAt = time.GetUtcNow(),
            };
        }

        // Nothing happens downstream before the booking's ProcedureScheduled event, so a case never booked is not asked for.
        if (facts.Booking is not null || facts.Status is ReferralStatus.ProcedureDone or ReferralStatus.Discharged)
        {
            var referralId = id.ToString();
            var procedure = await CallPeerAsync("procedure-record", GetProcedureSummary, new GetProcedureSummaryRequest { ReferralId = referralId });
            var observation = procedure is null ? null : await CallPeerAsync("discharge", GetObservationStatus, new GetObservationStatusRequest { ReferralId = referralId });
            var discharge = observation is { Discharged: true } ? await CallPeerAsync("discharge", GetDischargeSummary, new GetDischargeSummaryRequest { ReferralId = referralId }) : null;
            facts = facts with
            {
                Procedure = procedure,
                Discharge = discharge,
                Pain = observation?.PainScores.ToList() ?? [],
            };
        }

        var (json, types) = CaseBundle.Write(facts);
        LogExported(id, types.Count);
        var response = new ExportCaseResponse
        {
            ReferralId = id.ToString(),
            PatientId = facts.PatientId,
            BundleJson = json,
            ContentType = CaseBundle.ContentType,
        };
        response.ResourceCounts.AddRange(types.CountBy(t => t, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));
        return response;
    }

    private async Task<TResponse?> CallPeerAsync<TRequest, TResponse>(string peer, Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            return await channels.Get(peer).UnaryAsync(method, request, new CallOptions().WithTimeout(TimeSpan.FromSeconds(5)));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
        {
            return null;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
        {
            LogPeerUnavailable(peer, method.Name, ex.StatusCode);
            throw new RpcException(new Status(StatusCode.Unavailable, $"The {peer} service is unreachable; the case cannot be exported whole. Retry later."));
        }
    }

    [LoggerMessage(EventId = 1701, Level = LogLevel.Information, Message = "FHIR export of referral {ReferralId}: {Resources} resources")]
    private partial void LogExported(Guid referralId, int resources);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "FHIR export: {Peer} {Method} answered {Status}")]
    private partial void LogPeerUnavailable(string peer, string method, StatusCode status);
}
