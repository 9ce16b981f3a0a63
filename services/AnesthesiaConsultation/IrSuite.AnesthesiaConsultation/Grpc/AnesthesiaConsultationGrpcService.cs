using System.Data.Common;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.Contracts.Anesthesia;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging;
using Pb = IrSuite.Anesthesia.V1;
using PbCommon = IrSuite.Common.V1;

namespace IrSuite.AnesthesiaConsultation.Grpc;

/// <summary>
/// ir.anesthesia.v1.AnesthesiaConsultationService: validates requests, runs each command in one transaction
/// (load, domain transition, versioned update, outbox), maps the case back to an <see cref="Pb.AnesthesiaPlan"/>.
/// </summary>
public sealed partial class AnesthesiaConsultationGrpcService(
    AnesthesiaConsultationDatabase database,
    OutboxWriter outbox,
    TimeProvider time,
    ILogger<AnesthesiaConsultationGrpcService> logger)
{
    private const string CaseKind = "Anesthesia case";
    private const int MaxListEntries = 50;
    private const int MaxLabelLength = 100;
    private const int MaxConditions = 20;
    private const int MaxConditionLength = 200;

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
        v.ThrowIfInvalid();

        var assessment = new Assessment(
            PlanMapping.ToDomain(request.AsaClass),
            request.Emergency,
            comorbidities,
            allergies,
            request.MedicationPlan.Select(PlanMapping.ToDomain).ToList(),
            labs,
            time.GetUtcNow());
        var saved = await ChangeAsync(referralId, c => c.RecordAssessment(assessment), null, context.CancellationToken);
        LogAssessmentRecorded(referralId, saved.Version);
        return PlanMapping.ToProto(saved);
    }

    /// <summary>Chooses the sedation mode (after the assessment, before the clearance).</summary>
    public async Task<Pb.AnesthesiaPlan> PlanSedation(Pb.PlanSedationRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var referralId = v.Id("referral_id", request.ReferralId);
        v.Defined("mode", request.Mode);
        v.ThrowIfInvalid();

        var mode = PlanMapping.ToDomain(request.Mode);
        var saved = await ChangeAsync(referralId, c => c.PlanSedation(mode), null, context.CancellationToken);
        LogSedationPlanned(referralId, Codes.Of(mode), saved.Version);
        return PlanMapping.ToProto(saved);
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

        v.Required("anesthesiologist_id", request.AnesthesiologistId, MaxLabelLength);
        v.ThrowIfInvalid();

        var clearance = new Clearance(PlanMapping.ToDomain(request.Decision), conditions, request.AnesthesiologistId.Trim(), time.GetUtcNow());
        var saved = await ChangeAsync(
            referralId,
            c => c.SignClearance(clearance),
            (signed, connection, transaction) => outbox.AddAsync(
                connection,
                transaction,
                new ClearanceSigned(signed.ReferralId, signed.PatientId, Codes.Of(clearance.Decision), Codes.Of(signed.Sedation), clearance.SignedAt),
                signed.ReferralId),
            context.CancellationToken);
        LogClearanceSigned(referralId, Codes.Of(clearance.Decision), Codes.Of(saved.Sedation));
        return PlanMapping.ToProto(saved);
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
        return PlanMapping.ToProto(found);
    }

    /// <summary>One command: load the case, apply the transition, save it if still at the version read, then <paramref name="after"/>.</summary>
    private Task<AnesthesiaCase> ChangeAsync(
        Guid referralId,
        Func<AnesthesiaCase, AnesthesiaCase> change,
        Func<AnesthesiaCase, DbConnection, DbTransaction, Task>? after,
        CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            var current = await AnesthesiaCaseRepository.FindAsync(connection, transaction, referralId)
                ?? throw Rpc.NotFound(CaseKind, referralId.ToString());
            AnesthesiaCase changed;
            try
            {
                changed = change(current);
            }
            catch (GateRefusedException refused)
            {
                LogGateRefused(referralId, refused.Rule);
                throw Rpc.Gate(refused.Rule, refused.Description);
            }

            var saved = await AnesthesiaCaseRepository.UpdateAsync(connection, transaction, changed)
                ?? throw new RpcException(new Status(StatusCode.Aborted, "Anesthesia case modified concurrently, retry."));
            if (after is not null)
            {
                await after(saved, connection, transaction);
            }

            return saved;
        }, cancellationToken);

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

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Gate {Rule} refused a change to referral {ReferralId}")]
    private partial void LogGateRefused(Guid referralId, string rule);
}
