using System.Collections.Frozen;
using static IrSuite.ServiceDefaults.Security.Roles;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// The role matrix: for every RPC, the roles that may call it (a caller holding any one of them is allowed). It is the
/// only place access is declared (decision 0011); <c>docs/security/role-matrix.md</c> is generated from it and a test
/// keeps the two equal, another calls every RPC with every role. A host refuses to start when it serves an <c>ir.*</c>
/// RPC missing here, and an RPC missing here is PERMISSION_DENIED for everybody. Health and server reflection need no
/// token (<see cref="IsPublic"/>).
/// </summary>
public static class AccessPolicy
{
    private const string Scheduling = "ir.scheduling.v1.SchedulingService/";
    private const string Anesthesia = "ir.anesthesia.v1.AnesthesiaConsultationService/";
    private const string Procedure = "ir.procedure.v1.ProcedureRecordService/";
    private const string Discharge = "ir.discharge.v1.DischargeService/";
    private const string Protocol = "ir.protocol.v1.SiteProtocolService/";
    private const string Audit = "ir.audit.v1.AuditService/";
    private const string Fhir = "ir.fhir.v1.FhirExportService/";
    private const string Board = "ir.board.v1.DepartmentBoardService/";

    private static readonly string[] CareTeam = [Scheduler, Radiologist, Anesthesiologist, Nurse];
    private static readonly string[] Clinicians = [Radiologist, Anesthesiologist, Nurse];

    /// <summary>RPC full name (<c>package.Service/Method</c>) to the roles allowed to call it.</summary>
    public static readonly FrozenDictionary<string, FrozenSet<string>> Rules = new Dictionary<string, string[]>
    {
        // Scheduling: the referral, the consult, bookings. Patient identity lives only here.
        [Scheduling + "SubmitReferral"] = [Scheduler, Radiologist],
        [Scheduling + "GetReferral"] = CareTeam,
        [Scheduling + "ListReferrals"] = CareTeam,
        [Scheduling + "RecordIrConsult"] = [Radiologist],
        [Scheduling + "BookAppointment"] = [Scheduler],
        [Scheduling + "CancelAppointment"] = [Scheduler],
        [Scheduling + "GetPathway"] = CareTeam,
        [Scheduling + "GetReadiness"] = CareTeam,
        [Scheduling + "RecordConsent"] = [Radiologist],
        [Scheduling + "RecordLabs"] = CareTeam,
        [Scheduling + "PlanAnticoagulation"] = [Radiologist, Anesthesiologist],
        [Scheduling + "UpdatePregnancyStatus"] = Clinicians,

        // Anaesthesia consultation: acts of the anaesthesiologist; scheduling's booking gate reads the plan as a service.
        [Anesthesia + "RecordAssessment"] = [Anesthesiologist],
        [Anesthesia + "PlanSedation"] = [Anesthesiologist],
        [Anesthesia + "SignClearance"] = [Anesthesiologist],
        [Anesthesia + "RecordPreAnestheticVisit"] = [Anesthesiologist],
        [Anesthesia + "GetPlan"] = [Scheduler, Radiologist, Anesthesiologist, Nurse, Service],

        // Procedure record: the operator's acts, the checklist, and what the room's systems may report.
        [Procedure + "GetWorklist"] = [Radiologist, Anesthesiologist, Nurse, OrSystem, Ops],
        [Procedure + "SignIn"] = Clinicians,
        [Procedure + "TimeOut"] = [Radiologist],
        [Procedure + "RecordLevelTreatment"] = [Radiologist],
        [Procedure + "RecordDose"] = [Radiologist, Nurse, OrSystem],
        [Procedure + "SignOut"] = [Radiologist, Nurse],
        [Procedure + "CompleteCase"] = [Radiologist],
        [Procedure + "DiscontinueCase"] = [Radiologist],
        [Procedure + "GetProcedureSummary"] = [Radiologist, Anesthesiologist, Nurse, Service],
        [Procedure + "AbandonLevel"] = [Radiologist],
        [Procedure + "FindCementLotRecipients"] = [Radiologist, Nurse],
        [Procedure + "GetProcedureReport"] = Clinicians,
        [Procedure + "GetModalityWorklist"] = [Radiologist, Anesthesiologist, Nurse, OrSystem, Ops],
        [Procedure + "ReportProcedureSteps"] = [OrSystem],

        // Discharge: the recovery nurse's rounds, the physician's discharge and escalation review.
        [Discharge + "RecordObservation"] = [Nurse],
        [Discharge + "GetObservationStatus"] = [Radiologist, Anesthesiologist, Nurse, Service],
        [Discharge + "ListObservations"] = [Radiologist, Anesthesiologist, Nurse, Ops],
        [Discharge + "DischargePatient"] = [Radiologist, Anesthesiologist],
        [Discharge + "GetDischargeSummary"] = [Radiologist, Anesthesiologist, Nurse, Service],
        [Discharge + "ResolveEscalation"] = [Radiologist, Anesthesiologist],
        [Discharge + "GetDischargeSummaryDocument"] = Clinicians,

        // FHIR export (hosted by scheduling, which reads procedure-record and discharge as a service): the care team;
        // identity in the bundle only for scheduler and radiologist, as GetReferral (decision 0017).
        [Fhir + "ExportCase"] = CareTeam,
        // The department board (pseudonymous ids and codes only): the whole department watches it; its web page's
        // feed is authorised by the WatchBoard row.
        [Board + "GetBoard"] = [Scheduler, Radiologist, Anesthesiologist, Nurse, Ops],
        [Board + "WatchBoard"] = [Scheduler, Radiologist, Anesthesiologist, Nurse, Ops],

        // Every host: the site protocol in force (no patient data), and the audit trail (auditors only).
        [Protocol + "GetSiteProtocol"] = [.. All],
        [Audit + "QueryAuditTrail"] = [Auditor],
        [Audit + "VerifyAuditChain"] = [Auditor],
    }.ToFrozenDictionary(r => r.Key, r => r.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Services callable without a token: health (probes) and server reflection (the API schema only).</summary>
    public static bool IsPublic(string serviceName) => serviceName is "grpc.health.v1.Health"
        or "grpc.reflection.v1.ServerReflection" or "grpc.reflection.v1alpha.ServerReflection";

    /// <summary>The matrix key of a method: <c>package.Service/Method</c> (the HTTP/2 path without its leading slash).</summary>
    public static string KeyOf(IrSuite.Grpc.Method method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.ServiceName + "/" + method.Name;
    }

    /// <summary>True when a caller with <paramref name="roles"/> may call <paramref name="method"/>.</summary>
    public static bool Allows(string method, IReadOnlySet<string> roles) =>
        Rules.TryGetValue(method, out var allowed) && roles.Any(allowed.Contains);
}
