using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using IrSuite.Grpc;
using Xunit.Abstractions;

namespace IrSuite.Fuzz.Tests;

/// <summary>
/// Every RPC of every ir.* service, enumerated from the served descriptors: an empty request and each malformed
/// required id answer INVALID_ARGUMENT with a google.rpc.BadRequest naming the fields; reads of a well-formed
/// unknown id answer NOT_FOUND, lists an empty page. A new RPC fails <see cref="Matrix_EveryServedRpc_HasAnExpectation"/>
/// until its row is added below.
/// </summary>
public sealed partial class ValidationMatrixTests(FuzzSuite suite, ITestOutputHelper output) : IClassFixture<FuzzSuite>
{
    private static readonly string[] MalformedIds = ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "   ", "12345", "{zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz}"];

    /// <summary>RPC (Service.Method) -> what it is, the fields an empty request's violations name, its required UUID ids.</summary>
    private static readonly Dictionary<string, Expectation> Matrix = new(StringComparer.Ordinal)
    {
        // ir.scheduling.v1
        ["SchedulingService.SubmitReferral"] = new(RpcKind.Command, ["patient", "referrer", "indication", "levels", "pregnancy"], []),
        ["SchedulingService.GetReferral"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        ["SchedulingService.ListReferrals"] = new(RpcKind.List, [], []),
        ["SchedulingService.RecordIrConsult"] = new(RpcKind.Command, ["referral_id", "decline_reason"], ["referral_id"]),
        ["SchedulingService.BookAppointment"] = new(RpcKind.Command, ["referral_id", "kind", "start", "duration_minutes"], ["referral_id"]),
        ["SchedulingService.CancelAppointment"] = new(RpcKind.Command, ["appointment_id", "reason"], ["appointment_id"]),
        ["SchedulingService.GetPathway"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        ["SchedulingService.GetReadiness"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        ["SchedulingService.RecordConsent"] = new(RpcKind.Command, ["referral_id", "procedure_information_given", "anesthesia_information_given", "radiation_information_given", "consented_levels", "signed_at"], ["referral_id"]),
        ["SchedulingService.RecordLabs"] = new(RpcKind.Command, ["referral_id", "inr", "taken_at"], ["referral_id"]),
        ["SchedulingService.PlanAnticoagulation"] = new(RpcKind.Command, ["referral_id"], ["referral_id"]),
        ["SchedulingService.UpdatePregnancyStatus"] = new(RpcKind.Command, ["referral_id", "pregnancy"], ["referral_id"]),

        // ir.anesthesia.v1
        ["AnesthesiaConsultationService.RecordAssessment"] = new(RpcKind.Command, ["referral_id", "asa_class", "anxiety", "prone_tolerance"], ["referral_id"]),
        ["AnesthesiaConsultationService.PlanSedation"] = new(RpcKind.Command, ["referral_id", "mode"], ["referral_id"]),
        ["AnesthesiaConsultationService.SignClearance"] = new(RpcKind.Command, ["referral_id", "decision"], ["referral_id"]),
        ["AnesthesiaConsultationService.RecordPreAnestheticVisit"] = new(RpcKind.Command, ["referral_id", "visited_at"], ["referral_id"]),
        ["AnesthesiaConsultationService.GetPlan"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),

        // ir.procedure.v1
        ["ProcedureRecordService.GetWorklist"] = new(RpcKind.List, ["date"], []) { ReadFields = [("date", "2031-01-15")] },
        ["ProcedureRecordService.SignIn"] = new(RpcKind.Command, ["referral_id"], ["referral_id"]),
        ["ProcedureRecordService.TimeOut"] = new(RpcKind.Command, ["referral_id", "confirmed_levels"], ["referral_id"]),
        ["ProcedureRecordService.RecordLevelTreatment"] = new(RpcKind.Command, ["referral_id", "level", "approach", "trocar_gauge", "cement_volume_ml", "cement_product", "cement_lot", "cement_expiry", "leakage"], ["referral_id"]),
        ["ProcedureRecordService.RecordDose"] = new(RpcKind.Command, ["referral_id", "dose_area_product_gy_cm2", "reference_air_kerma_mgy", "fluoroscopy_seconds"], ["referral_id"]),
        ["ProcedureRecordService.SignOut"] = new(RpcKind.Command, ["referral_id"], ["referral_id"]),
        ["ProcedureRecordService.CompleteCase"] = new(RpcKind.Command, ["referral_id"], ["referral_id"]),
        ["ProcedureRecordService.DiscontinueCase"] = new(RpcKind.Command, ["referral_id", "reason"], ["referral_id"]),
        ["ProcedureRecordService.GetProcedureSummary"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        ["ProcedureRecordService.AbandonLevel"] = new(RpcKind.Command, ["referral_id", "level", "reason"], ["referral_id"]),
        ["ProcedureRecordService.FindCementLotRecipients"] = new(RpcKind.List, ["lot"], []) { ReadFields = [("lot", "LOT-NEVER-USED")] },
        ["ProcedureRecordService.GetProcedureReport"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        ["ProcedureRecordService.GetModalityWorklist"] = new(RpcKind.List, ["room", "date"], []) { ReadFields = [("room", "IR-NEVER-USED"), ("date", "2031-01-15")] },
        // A stream of reports: a malformed report is refused in its ack and the stream ends OK (decision 0016).
        ["ProcedureRecordService.ReportProcedureSteps"] = new(RpcKind.Command, [], []),

        // ir.discharge.v1
        ["DischargeService.RecordObservation"] = new(RpcKind.Command, ["referral_id", "vitals"], ["referral_id"]),
        ["DischargeService.GetObservationStatus"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        ["DischargeService.DischargePatient"] = new(RpcKind.Command, ["referral_id"], ["referral_id"]),
        ["DischargeService.GetDischargeSummary"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        ["DischargeService.ListObservations"] = new(RpcKind.List, [], []),
        ["DischargeService.ResolveEscalation"] = new(RpcKind.Command, ["referral_id"], ["referral_id"]),
        ["DischargeService.GetDischargeSummaryDocument"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),

        // ir.fhir.v1 (hosted by scheduling)
        ["FhirExportService.ExportCase"] = new(RpcKind.Read, ["referral_id"], ["referral_id"]),
        // ir.board.v1 (WatchBoard is server streaming: see CallAsync)
        ["DepartmentBoardService.GetBoard"] = new(RpcKind.List, [], []),
        ["DepartmentBoardService.WatchBoard"] = new(RpcKind.List, [], []),

        // ir.protocol.v1
        ["SiteProtocolService.GetSiteProtocol"] = new(RpcKind.Read, [], []),

        // ir.audit.v1 (called with the auditor role)
        ["AuditService.QueryAuditTrail"] = new(RpcKind.List, ["patient_id"], ["patient_id"]),
        ["AuditService.VerifyAuditChain"] = new(RpcKind.List, [], []),
    };

    [Fact]
    public void Matrix_EveryServedRpc_HasAnExpectation()
    {
        var served = suite.Methods.Select(Key).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(served.Except(Matrix.Keys));
        Assert.Empty(Matrix.Keys.Except(served));
    }

    [Fact]
    public async Task EveryRpc_EmptyRequest_InvalidArgumentNamingEachRequiredFieldOrServed()
    {
        var failures = new List<string>();
        foreach (var method in suite.Methods)
        {
            var outcome = await CallAsync(method, NewRequest(method));
            output.WriteLine($"{Key(method)}: {outcome.Code} [{string.Join(", ", Violations(outcome))}]");
            if (!Matrix.TryGetValue(Key(method), out var expected))
            {
                failures.Add($"{Key(method)}: no expectation declared");
                continue;
            }

            if (expected.EmptyViolations.Length == 0)
            {
                Check(failures, method, "empty request", IsServed(method, outcome), outcome);
                continue;
            }

            Check(failures, method, "empty request", outcome.Code == StatusCode.InvalidArgument && Violations(outcome).Order(StringComparer.Ordinal).SequenceEqual(expected.EmptyViolations.Order(StringComparer.Ordinal)), outcome);
            var described = outcome.Detail<BadRequest>()?.FieldViolations.All(v => FieldPath().IsMatch(v.Field) && v.Description.Length > 0) == true;
            Check(failures, method, "violations are snake_case paths with a description", described, outcome);
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task EveryRpc_MalformedRequiredId_InvalidArgumentNamingTheId()
    {
        var failures = new List<string>();
        var checkedIds = 0;
        foreach (var method in suite.Methods)
        {
            foreach (var id in Matrix.GetValueOrDefault(Key(method))?.Ids ?? [])
            {
                foreach (var malformed in MalformedIds)
                {
                    var request = NewRequest(method);
                    Set(request, id, malformed);
                    var outcome = await CallAsync(method, request);
                    Check(failures, method, $"{id}='{malformed}'", outcome.Code == StatusCode.InvalidArgument && Violations(outcome).Contains(id), outcome);
                    checkedIds++;
                }
            }
        }

        output.WriteLine($"{checkedIds} malformed-id requests");
        Assert.Empty(failures);
        Assert.True(checkedIds > 0);
    }

    [Fact]
    public async Task ReadRpcs_WellFormedUnknownId_NotFoundOrEmptyList()
    {
        var failures = new List<string>();
        foreach (var method in suite.Methods)
        {
            if (Matrix.GetValueOrDefault(Key(method)) is not { Kind: not RpcKind.Command } expected || (expected.Ids.Length == 0 && expected.ReadFields.Length == 0))
            {
                continue;
            }

            var request = NewRequest(method);
            foreach (var id in expected.Ids)
            {
                Set(request, id, Guid.NewGuid().ToString());
            }

            foreach (var (field, value) in expected.ReadFields)
            {
                Set(request, field, value);
            }

            var outcome = await CallAsync(method, request);
            output.WriteLine($"{Key(method)} unknown id: {outcome.Code} {outcome.GrpcMessage}");
            if (expected.Kind == RpcKind.Read)
            {
                Check(failures, method, "unknown id", outcome.Code == StatusCode.NotFound, outcome);
            }
            else
            {
                Check(failures, method, "unknown id", outcome.Code == StatusCode.OK && IsEmptyList(method.OutputType, outcome.Body), outcome);
            }
        }

        Assert.Empty(failures);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z][a-z0-9_]*(\[\d+\])?(\.[a-z][a-z0-9_]*(\[\d+\])?)*$")]
    private static partial System.Text.RegularExpressions.Regex FieldPath();

    private static string Key(MethodDescriptor method) => $"{method.Service.Name}.{method.Name}";

    private static IMessage NewRequest(MethodDescriptor method) => (IMessage)Activator.CreateInstance(method.InputType.ClrType)!;

    private static void Set(IMessage request, string field, object value) =>
        (request.Descriptor.FindFieldByName(field) ?? throw new InvalidOperationException($"{request.Descriptor.Name} has no field {field}"))
            .Accessor.SetValue(request, value);

    private async Task<RawOutcome> CallAsync(MethodDescriptor method, IMessage request) =>
        await suite.Client.SendAsync(new RawRequest($"/{method.Service.FullName}/{method.Name}", RawRequest.Frame(request.ToByteArray()))
        {
            Headers = method.IsServerStreaming ? StreamDeadline : [],
        });

    /// <summary>A live feed (server streaming) never ends on its own: a deadline ends it once it has started.</summary>
    internal static readonly IReadOnlyList<KeyValuePair<string, string>> StreamDeadline = [new("grpc-timeout", "300m")];

    /// <summary>OK; for a server-streaming call, the deadline after at least one message (the request was accepted).</summary>
    private static bool IsServed(MethodDescriptor method, RawOutcome outcome) =>
        outcome.Code == StatusCode.OK
        || (method.IsServerStreaming && outcome.Code == StatusCode.DeadlineExceeded && outcome.Body.Length >= 5);

    private static List<string> Violations(RawOutcome outcome) =>
        outcome.Detail<BadRequest>()?.FieldViolations.Select(v => v.Field).ToList() ?? [];

    /// <summary>An OK list answer whose every repeated field is empty.</summary>
    private static bool IsEmptyList(MessageDescriptor type, byte[] body)
    {
        if (body.Length < 5)
        {
            return false;
        }

        var response = type.Parser.ParseFrom(body.AsSpan(5).ToArray());
        return type.Fields.InDeclarationOrder().Where(f => f.IsRepeated).All(f => ((System.Collections.IList)f.Accessor.GetValue(response)).Count == 0);
    }

    private static void Check(List<string> failures, MethodDescriptor method, string input, bool passed, RawOutcome outcome)
    {
        if (!passed)
        {
            failures.Add($"{Key(method)} {input}: {outcome.Code} '{outcome.GrpcMessage}' violations [{string.Join(", ", Violations(outcome))}]");
        }
    }

    private enum RpcKind
    {
        /// <summary>Mutates state.</summary>
        Command,

        /// <summary>Reads one resource by id: NOT_FOUND for an unknown one.</summary>
        Read,

        /// <summary>Lists resources: an empty page for an unknown id.</summary>
        List,
    }

    private sealed record Expectation(RpcKind Kind, string[] EmptyViolations, string[] Ids)
    {
        /// <summary>Other fields a read needs to get past validation to the lookup.</summary>
        public (string Field, object Value)[] ReadFields { get; init; } = [];
    }
}
