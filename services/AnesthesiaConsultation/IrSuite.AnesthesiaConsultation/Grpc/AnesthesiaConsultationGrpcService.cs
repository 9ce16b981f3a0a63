using System.Data.Common;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.Contracts.Anesthesia;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ErrorInfo = Google.Rpc.ErrorInfo;
using Pb = IrSuite.Anesthesia.V1;
using PbCommon = IrSuite.Common.V1;
using PreconditionFailure = Google.Rpc.PreconditionFailure;

namespace IrSuite.AnesthesiaConsultation.Grpc;

/// <summary>
/// ir.anesthesia.v1.AnesthesiaConsultationService: validates requests, runs each command in one transaction
/// (load, domain transition, versioned update, outbox), maps the case back to an <see cref="Pb.AnesthesiaPlan"/>.
/// </summary>
public sealed partial class AnesthesiaConsultationGrpcService(
    AnesthesiaConsultationDatabase database,
    OutboxWriter outbox,
    TimeProvider time,
    SiteProtocol protocol,
    ILogger<AnesthesiaConsultationGrpcService> logger,
    IOptions<IdempotencyOptions>? idempotency = null)
{
    private readonly IdempotentCommands _commands = new(database, time, idempotency?.Value);

    private const string CaseKind = "Anesthesia case";
    private const int MaxListEntries = 50;
    private const int MaxLabelLength = 100;
    private const int MaxConditions = 20;
    private const int MaxConditionLength = 200;
    private const int MaxDeviationReasonLength = 200;
    private const int MaxPremedications = 10;
    private const int MaxDoseLength = 50;
    private const int MaxTimingDetailLength = 60;

    /// <summary>Records (or re-records, until the clearance is signed) the pre-anaesthetic assessment.</summary>
    public async Task<Pb.AnesthesiaPlan> RecordAssessment(Pb.RecordAssessmentRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var referralId = v.Id("referral_id", request.ReferralId);
        v.Defined("asa_class", request.AsaClass);
        var comorbidities = Labels(v, "comorbidities", request.Comorbidities);
        var allergies = Labels(v, "allergies", request.Allergies);
        ValidateMedicationPlan(v, request.MedicationPlan);
        var labs = ReadLabs(v, request.Labs);
        v.Defined("anxiety", request.Anxiety);
        v.Defined("prone_tolerance", request.ProneTolerance);
        v.ThrowIfInvalid();

        var assessment = new Assessment(
            PlanMapping.ToDomain(request.AsaClass),
            request.Emergency,
            comorbidities,
            allergies,
            request.MedicationPlan.Select(PlanMapping.ToDomain).ToList(),
            labs,
            time.GetUtcNow(),
            PlanMapping.ToDomain(request.Anxiety),
            PlanMapping.ToDomain(request.ProneTolerance));
        var saved = await ChangeAsync(context, request, referralId, c => c.RecordAssessment(assessment, protocol), null);
        LogAssessmentRecorded(referralId, saved.Version);
        return saved;
    }

    /// <summary>Chooses the sedation mode (after the assessment, before the clearance).</summary>
    public async Task<Pb.AnesthesiaPlan> PlanSedation(Pb.PlanSedationRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var referralId = v.Id("referral_id", request.ReferralId);
        v.Defined("mode", request.Mode);
        v.Optional("deviation_reason", request.DeviationReason, MaxDeviationReasonLength);
        var premedication = ReadPremedication(v, request.Premedication);
        v.Optional("antibiotic_prophylaxis", request.AntibioticProphylaxis, MaxLabelLength);
        v.ThrowIfInvalid();

        var mode = PlanMapping.ToDomain(request.Mode);
        var plan = new SedationPlan(mode, request.DeviationReason, premedication, request.AntibioticProphylaxis);
        var saved = await ChangeAsync(context, request, referralId, c => c.PlanSedation(plan, protocol), null);
        LogSedationPlanned(referralId, Codes.Of(mode), saved.Version);
        return saved;
    }

    /// <summary>Signs the clearance and announces it (ClearanceSigned, through the outbox, in the same transaction).</summary>
    public async Task<Pb.AnesthesiaPlan> SignClearance(Pb.SignClearanceRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var referralId = v.Id("referral_id", request.ReferralId);
        v.Defined("decision", request.Decision);
        var conditions = Labels(v, "conditions", request.Conditions, MaxConditions, MaxConditionLength);
        if (request.Decision == Pb.ClearanceDecision.FitWithConditions && request.Conditions.Count == 0)
        {
            v.Fail("conditions", "At least one condition is required with FIT_WITH_CONDITIONS.");
        }
        else if ((request.Decision is Pb.ClearanceDecision.Fit or Pb.ClearanceDecision.NotFit) && request.Conditions.Count > 0)
        {
            v.Fail("conditions", "Conditions go with FIT_WITH_CONDITIONS only.");
        }

        v.ThrowIfInvalid();

        // The signing anaesthesiologist is the caller, never a request field (decision 0011).
        var clearance = new Clearance(PlanMapping.ToDomain(request.Decision), conditions, context.Signer(Roles.Anesthesiologist), time.GetUtcNow());
        var saved = await ChangeAsync(
            context,
            request,
            referralId,
            c => c.SignClearance(clearance, protocol),
            (signed, connection, transaction) => outbox.AddAsync(
                connection,
                transaction,
                new ClearanceSigned(signed.ReferralId, signed.PatientId, Codes.Of(clearance.Decision), Codes.Of(signed.Sedation), clearance.SignedAt),
                signed.ReferralId));
        LogClearanceSigned(referralId, Codes.Of(clearance.Decision), Codes.Of(PlanMapping.ToDomain(saved.Sedation)));
        return saved;
    }

    /// <summary>
    /// Records the pre-anaesthetic visit (CSP D6124-92) of a cleared case and announces it
    /// (PreAnestheticVisitRecorded, through the outbox, in the same transaction): procedure-record gates the sign-in on it.
    /// </summary>
    public async Task<Pb.AnesthesiaPlan> RecordPreAnestheticVisit(Pb.RecordPreAnestheticVisitRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var referralId = v.Id("referral_id", request.ReferralId);
        var visitedAt = v.Timestamp("visited_at", request.VisitedAt);
        if (request.VisitedAt is not null && visitedAt > time.GetUtcNow())
        {
            v.Fail("visited_at", "Must not be in the future.");
        }

        v.ThrowIfInvalid();

        var visit = new PreAnestheticVisit(visitedAt, context.Signer(Roles.Anesthesiologist));
        var saved = await ChangeAsync(
            context,
            request,
            referralId,
            c => c.RecordPreAnestheticVisit(visit, protocol),
            (visited, connection, transaction) => outbox.AddAsync(
                connection,
                transaction,
                new PreAnestheticVisitRecorded(visited.ReferralId, visited.PatientId, visit.VisitedAt, visit.AnesthesiologistId, time.GetUtcNow()),
                visited.ReferralId));
        LogVisitRecorded(referralId, saved.Version);
        return saved;
    }

    /// <summary>Reads the plan of a referral (scheduling checks the clearance with it before booking).</summary>
    public async Task<Pb.AnesthesiaPlan> GetPlan(Pb.GetPlanRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var referralId = v.Id("referral_id", request.ReferralId);
        v.ThrowIfInvalid();

        await using var connection = await database.OpenAsync(context.CancellationToken);
        var found = await AnesthesiaCaseRepository.FindAsync(connection, null, referralId)
            ?? throw Rpc.NotFound(CaseKind, referralId.ToString());
        return PlanMapping.ToProto(found, protocol);
    }

    /// <summary>
    /// One command: load the case, apply the transition, save it if still at the version read, then <paramref name="after"/>;
    /// once per client request id (a retry replays the first plan).
    /// </summary>
    private Task<Pb.AnesthesiaPlan> ChangeAsync<TRequest>(
        ServerCallContext context,
        TRequest request,
        Guid referralId,
        Func<AnesthesiaCase, AnesthesiaCase> change,
        Func<AnesthesiaCase, DbConnection, DbTransaction, Task>? after)
        where TRequest : Google.Protobuf.IMessage<TRequest> =>
        _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var current = await AnesthesiaCaseRepository.FindAsync(connection, transaction, referralId)
                ?? throw Rpc.NotFound(CaseKind, referralId.ToString());
            AnesthesiaCase changed;
            try
            {
                changed = change(current) with { ProtocolVersion = protocol.AppliedVersion };
            }
            catch (GateRefusedException refused)
            {
                LogGateRefused(referralId, refused.Rule);
                throw Gate(refused);
            }
            catch (InvalidFieldException invalid)
            {
                new RequestValidator().Fail(invalid.Field, invalid.Description).ThrowIfInvalid();
                throw;
            }

            var saved = await AnesthesiaCaseRepository.UpdateAsync(connection, transaction, changed)
                ?? throw new RpcException(new Status(StatusCode.Aborted, "Anesthesia case modified concurrently, retry."));
            if (after is not null)
            {
                await after(saved, connection, transaction);
            }

            return saved;
        }, saved => PlanMapping.ToProto(saved, protocol));

    /// <summary>
    /// FAILED_PRECONDITION for one or more refused rules: one PreconditionFailure violation per rule code (Subject),
    /// ErrorInfo.Type the first one.
    /// </summary>
    private static RpcException Gate(GateRefusedException refused)
    {
        if (refused.Violations.Count == 1)
        {
            return Rpc.Gate(refused.Rule, refused.Description);
        }

        var failure = new PreconditionFailure();
        failure.Violations.AddRange(refused.Violations.Select(x =>
            new PreconditionFailure.Types.Violation { Type = "CLINICAL_GATE", Subject = x.Rule, Description = x.Description }));
        var rules = string.Join(", ", refused.Violations.Select(x => x.Rule));
        return RpcException.WithDetails(
            StatusCode.FailedPrecondition, $"{rules}: {refused.Description}", failure, new ErrorInfo { Type = refused.Rule, Domain = Rpc.Domain });
    }

    /// <summary>Premedication: at most 10 entries, each a short drug and dose label and a coded timing.</summary>
    private static List<Premedication> ReadPremedication(RequestValidator v, IReadOnlyList<Pb.Premedication> entries)
    {
        if (entries.Count > MaxPremedications)
        {
            v.Fail("premedication", $"At most {MaxPremedications} entries.");
        }

        var result = new List<Premedication>();
        for (var i = 0; i < entries.Count; i++)
        {
            var field = $"premedication[{i}]";
            var entry = entries[i];
            v.Required($"{field}.drug", entry.Drug, MaxLabelLength);
            v.Required($"{field}.dose", entry.Dose, MaxDoseLength);
            v.Defined($"{field}.timing", entry.Timing);
            v.Optional($"{field}.timing_detail", entry.TimingDetail, MaxTimingDetailLength);
            if (entry.Timing == Pb.PremedicationTiming.BeforeProcedure && string.IsNullOrWhiteSpace(entry.TimingDetail))
            {
                v.Fail($"{field}.timing_detail", "Required with BEFORE_PROCEDURE (how long before).");
            }

            result.Add(PlanMapping.ToDomain(entry));
        }

        return result;
    }

    /// <summary>Codes or short labels: at most <paramref name="maxEntries"/>, each non-blank and short (no free-text notes).</summary>
    private static List<string> Labels(RequestValidator v, string field, IReadOnlyList<string> values, int maxEntries = MaxListEntries, int maxLength = MaxLabelLength)
    {
        if (values.Count > maxEntries)
        {
            v.Fail(field, $"At most {maxEntries} entries.");
        }

        for (var i = 0; i < values.Count; i++)
        {
            v.Required($"{field}[{i}]", values[i], maxLength);
        }

        return values.Select(s => s.Trim()).ToList();
    }

    private static void ValidateMedicationPlan(RequestValidator v, IReadOnlyList<Pb.MedicationInstruction> plan)
    {
        if (plan.Count > MaxListEntries)
        {
            v.Fail("medication_plan", $"At most {MaxListEntries} entries.");
        }

        for (var i = 0; i < plan.Count; i++)
        {
            var field = $"medication_plan[{i}]";
            var entry = plan[i];
            if (entry.Medication is null)
            {
                v.Fail($"{field}.medication", "Required.");
            }
            else
            {
                v.Required($"{field}.medication.name", entry.Medication.Name, MaxLabelLength);
                v.Optional($"{field}.medication.dosage", entry.Medication.Dosage, MaxLabelLength);
                if (entry.Medication.Kind != PbCommon.MedicationKind.Unspecified)
                {
                    v.Defined($"{field}.medication.kind", entry.Medication.Kind);
                }
            }

            v.Defined($"{field}.action", entry.Action);
            if (entry.Action == Pb.MedicationAction.Stop)
            {
                // The stop date is what the patient is told ("stop aspirin from ..."): required with STOP.
                v.Timestamp($"{field}.stop_from", entry.StopFrom);
            }
        }
    }

    private static Labs? ReadLabs(RequestValidator v, Pb.Labs? labs)
    {
        if (labs is null)
        {
            return null;
        }

        if (!double.IsFinite(labs.Inr) || labs.Inr <= 0 || labs.Inr > 10)
        {
            v.Fail("labs.inr", "Must be greater than 0 and at most 10.");
        }

        v.Range("labs.platelets_g_per_l", labs.PlateletsGPerL, 0, 2000);
        var takenAt = v.Timestamp("labs.taken_at", labs.TakenAt);
        return new Labs(labs.Inr, labs.PlateletsGPerL, takenAt);
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Assessment recorded for referral {ReferralId} (version {Version})")]
    private partial void LogAssessmentRecorded(Guid referralId, long version);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Sedation {SedationMode} planned for referral {ReferralId} (version {Version})")]
    private partial void LogSedationPlanned(Guid referralId, string sedationMode, long version);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Clearance {Decision} signed for referral {ReferralId} under {SedationMode}")]
    private partial void LogClearanceSigned(Guid referralId, string decision, string sedationMode);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Pre-anesthetic visit recorded for referral {ReferralId} (version {Version})")]
    private partial void LogVisitRecorded(Guid referralId, long version);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Gate {Rule} refused a change to referral {ReferralId}")]
    private partial void LogGateRefused(Guid referralId, string rule);
}
