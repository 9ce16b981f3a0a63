using System.Data.Common;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Security;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Grpc;

/// <summary>The readiness gate's RPCs: readiness list, consent, labs, anticoagulant plan, pregnancy status.</summary>
public sealed partial class SchedulingGrpcService
{
    /// <summary>Default slot length when a plan request does not give one (restart times only).</summary>
    private const int DefaultSlotMinutes = 60;

    public async Task<Readiness> GetReadiness(GetReadinessRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        DateTimeOffset? start = request.ProposedStart is null ? null : v.Timestamp("proposed_start", request.ProposedStart);
        v.ThrowIfInvalid();

        var clearance = await ReadClearanceAsync(id, context);
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var referral = await SchedulingRepository.FindReferralAsync(connection, null, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
        var report = ReadinessGate.Evaluate(await ReadFactsAsync(connection, null, referral, clearance), start, protocol);
        var response = new Readiness
        {
            ReferralId = referral.ReferralId,
            Ready = report.Ready,
            Sedation = report.Sedation,
            ProtocolVersion = protocol.AppliedVersion,
            EarliestStart = report.EarliestStart is { } earliest ? Timestamp.FromDateTimeOffset(earliest) : null,
        };
        response.Items.AddRange(report.Items.Select(i => new ReadinessItem { Item = i.Item, State = i.State, Code = i.Code, Description = i.Description }));
        return response;
    }

    public async Task<Consent> RecordConsent(RecordConsentRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        if (!request.ProcedureInformationGiven)
        {
            v.Fail("procedure_information_given", "The procedure information must be acknowledged.");
        }

        if (!request.AnesthesiaInformationGiven)
        {
            v.Fail("anesthesia_information_given", "The anaesthesia information must be acknowledged.");
        }

        if (!request.RadiationInformationGiven)
        {
            v.Fail("radiation_information_given", "The radiation information must be acknowledged.");
        }

        var levels = v.Levels("consented_levels", request.ConsentedLevels);
        var now = time.GetUtcNow();
        var signedAt = PastTimestamp(v, "signed_at", request.SignedAt, now);
        v.ThrowIfInvalid();
        // Who took the consent is the caller, never a request field (decision 0011).
        var practitioner = context.Signer(Roles.Radiologist);

        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
            if ((ReferralStatus)referral.Status is not (ReferralStatus.Accepted or ReferralStatus.Scheduled))
            {
                throw Rpc.Gate("REFERRAL_NOT_ACCEPTED", $"Consent is recorded for a referral accepted at the IR consult (referral is {(ReferralStatus)referral.Status}).");
            }

            // Wrong-level prevention (NASS "Sign, Mark & X-ray"): requested = consented.
            var requested = SchedulingRepository.FromJson(referral.Levels);
            if (!requested.SequenceEqual(levels))
            {
                throw Rpc.Gate("CONSENT_LEVELS_MISMATCH", $"The consented levels ({string.Join(", ", levels)}) differ from the requested levels ({string.Join(", ", requested)}).");
            }

            var consent = new ConsentRow
            {
                ReferralId = referral.ReferralId,
                Levels = SchedulingRepository.ToJson(levels),
                SignedAt = signedAt,
                PractitionerId = practitioner,
                ProtocolVersion = protocol.AppliedVersion,
                RecordedAt = now,
            };
            await SchedulingRepository.UpsertConsentAsync(connection, transaction, consent);
            await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), id, now, "ConsentRecorded", SchedulingModule.ServiceName, $"levels {string.Join(", ", levels)}");
            return consent;
        }, row =>
        {
            var response = new Consent
            {
                ReferralId = row.ReferralId,
                SignedAt = Timestamp.FromDateTimeOffset(row.SignedAt),
                PractitionerId = row.PractitionerId,
                ProtocolVersion = row.ProtocolVersion,
            };
            response.ConsentedLevels.AddRange(levels);
            return response;
        });
    }

    public async Task<LabResults> RecordLabs(RecordLabsRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        v.Range("inr", request.Inr, 0.5, 10);
        v.Range("platelets_g_per_l", request.PlateletsGPerL, 0, 2000);
        if (request.HasCreatinineClearanceMlMin)
        {
            v.Range("creatinine_clearance_ml_min", request.CreatinineClearanceMlMin, 0, 250);
        }

        var now = time.GetUtcNow();
        var takenAt = PastTimestamp(v, "taken_at", request.TakenAt, now);
        v.ThrowIfInvalid();

        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
            var labs = new LabRow
            {
                ReferralId = referral.ReferralId,
                Inr = request.Inr,
                Platelets = request.PlateletsGPerL,
                CreatinineClearance = request.HasCreatinineClearanceMlMin ? request.CreatinineClearanceMlMin : null,
                TakenAt = takenAt,
                ProtocolVersion = protocol.AppliedVersion,
                RecordedAt = now,
            };
            await SchedulingRepository.UpsertLabsAsync(connection, transaction, labs);
            await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), id, now, "LabsRecorded", SchedulingModule.ServiceName, "INR and platelets recorded");
            return labs;
        }, ToProto);
    }

    public async Task<AnticoagulantPlan> PlanAnticoagulation(PlanAnticoagulationRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        if (request.HasCreatinineClearanceMlMin)
        {
            v.Range("creatinine_clearance_ml_min", request.CreatinineClearanceMlMin, 0, 250);
        }

        var now = time.GetUtcNow();
        var lastDoses = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < request.LastDoses.Count; i++)
        {
            var dose = request.LastDoses[i];
            v.Required($"last_doses[{i}].drug", dose.Drug, 100);
            if (dose.LastDoseAt is not null)
            {
                var at = PastTimestamp(v, $"last_doses[{i}].last_dose_at", dose.LastDoseAt, now);
                if (!string.IsNullOrWhiteSpace(dose.Drug) && !lastDoses.TryAdd(dose.Drug.Trim(), at))
                {
                    v.Fail($"last_doses[{i}].drug", "Listed twice.");
                }
            }
        }

        DateTimeOffset? slot = request.ProposedStart is null ? null : v.Timestamp("proposed_start", request.ProposedStart);
        v.Range("duration_minutes", request.DurationMinutes, 0, 720);
        v.ThrowIfInvalid();

        var slotEnd = slot?.AddMinutes(request.DurationMinutes == 0 ? DefaultSlotMinutes : request.DurationMinutes);
        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
            var medications = Medications(referral);
            var unknown = new RequestValidator();
            for (var i = 0; i < request.LastDoses.Count; i++)
            {
                if (!medications.Any(m => string.Equals(m.Name.Trim(), request.LastDoses[i].Drug.Trim(), StringComparison.OrdinalIgnoreCase)))
                {
                    unknown.Fail($"last_doses[{i}].drug", "Not a medication of the referral.");
                }
            }

            unknown.ThrowIfInvalid();
            var crcl = request.HasCreatinineClearanceMlMin
                ? request.CreatinineClearanceMlMin
                : (await SchedulingRepository.FindLabsAsync(connection, transaction, id))?.CreatinineClearance;
            var computed = AnticoagulantEngine.Plan(medications, crcl, lastDoses, now, protocol.Bleeding);
            var applied = protocol.AppliedVersion;
            await SchedulingRepository.UpsertPlanAsync(connection, transaction, new PlanRow
            {
                ReferralId = referral.ReferralId,
                Drugs = JsonSerializer.Serialize(computed.Drugs),
                EarliestAt = computed.EarliestProcedureAt,
                CreatinineClearance = computed.CreatinineClearance,
                PlannedAt = now,
                ProtocolVersion = applied,
            });
            await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), id, now, "AnticoagulantPlanRecorded", SchedulingModule.ServiceName,
                $"{computed.Drugs.Count} drug hold(s); earliest procedure {computed.EarliestProcedureAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
            return (computed, applied);
        }, result => ToProto(id, result.computed, result.applied, slot, slotEnd));
    }

    public async Task<Referral> UpdatePregnancyStatus(UpdatePregnancyStatusRequest request, ServerCallContext context)
    {
        var v = new RequestValidator();
        var id = v.Id("referral_id", request.ReferralId);
        v.Defined("pregnancy", request.Pregnancy);
        v.ThrowIfInvalid();
        var now = time.GetUtcNow();
        return await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, id) ?? throw Rpc.NotFound("Referral", request.ReferralId);
            referral.Pregnancy = (int)request.Pregnancy;
            await SchedulingRepository.UpdateReferralAsync(connection, transaction, referral, (ReferralStatus)referral.Status, referral.Version);
            await SchedulingRepository.AddTimelineAsync(connection, transaction, Guid.NewGuid().ToString(), id, now, "PregnancyStatusUpdated", SchedulingModule.ServiceName, $"pregnancy {Codes.Pregnancy(request.Pregnancy)}");
            return await SchedulingRepository.FindReferralAsync(connection, transaction, id);
        }, row => ToProto(row!));
    }

    /// <summary>The facts of the readiness gate, read from scheduling's own store (the clearance comes from anaesthesia).</summary>
    private static async Task<ReadinessFacts> ReadFactsAsync(DbConnection connection, DbTransaction? transaction, ReferralRow referral, ClearanceView? clearance)
    {
        var id = Guid.Parse(referral.ReferralId);
        var consent = await SchedulingRepository.FindConsentAsync(connection, transaction, id);
        var labs = await SchedulingRepository.FindLabsAsync(connection, transaction, id);
        var plan = await SchedulingRepository.FindPlanAsync(connection, transaction, id);
        return new ReadinessFacts(
            (ReferralStatus)referral.Status,
            (CommonV1.SedationMode)referral.ExpectedSedation,
            (CommonV1.PregnancyStatus)referral.Pregnancy,
            Medications(referral),
            clearance,
            consent is null ? null : new ConsentFacts(SchedulingRepository.FromJson(consent.Levels), consent.SignedAt),
            labs is null ? null : new LabFacts(labs.Inr, labs.Platelets, labs.CreatinineClearance, labs.TakenAt),
            plan is null ? null : new HoldPlan(JsonSerializer.Deserialize<List<DrugHoldLine>>(plan.Drugs) ?? [], plan.EarliestAt, plan.CreatinineClearance, plan.PlannedAt));
    }

    private static IReadOnlyList<DrugOnReferral> Medications(ReferralRow referral) =>
        Google.Protobuf.JsonParser.Default.Parse<SubmitReferralRequest>(referral.Details).Medications.Select(m => new DrugOnReferral(m.Name, m.Kind)).ToList();

    /// <summary>A required timestamp not in the future (a small clock skew allowed).</summary>
    private static DateTimeOffset PastTimestamp(RequestValidator v, string field, Timestamp? value, DateTimeOffset now)
    {
        var at = v.Timestamp(field, value);
        if (value is not null && at > now + TimeSpan.FromMinutes(5))
        {
            v.Fail(field, "Must not be in the future.");
        }

        return at;
    }

    private static LabResults ToProto(LabRow row)
    {
        var labs = new LabResults
        {
            ReferralId = row.ReferralId,
            Inr = row.Inr,
            PlateletsGPerL = row.Platelets,
            TakenAt = Timestamp.FromDateTimeOffset(row.TakenAt),
            ProtocolVersion = row.ProtocolVersion,
        };
        if (row.CreatinineClearance is { } crcl)
        {
            labs.CreatinineClearanceMlMin = crcl;
        }

        return labs;
    }

    private static AnticoagulantPlan ToProto(Guid referralId, HoldPlan plan, string version, DateTimeOffset? slotStart, DateTimeOffset? slotEnd)
    {
        var response = new AnticoagulantPlan
        {
            ReferralId = referralId.ToString(),
            EarliestProcedureAt = Timestamp.FromDateTimeOffset(plan.EarliestProcedureAt),
            PlannedAt = Timestamp.FromDateTimeOffset(plan.PlannedAt),
            ProtocolVersion = version,
        };
        if (plan.CreatinineClearance is { } crcl)
        {
            response.CreatinineClearanceMlMin = crcl;
        }

        response.Drugs.AddRange(plan.Drugs.Select(d => new DrugHoldPlan
        {
            Drug = d.Drug,
            Kind = d.Kind,
            HoldDays = d.HoldDays,
            LastDoseAt = d.LastDoseAt is { } last ? Timestamp.FromDateTimeOffset(last) : null,
            EarliestProcedureAt = Timestamp.FromDateTimeOffset(d.EarliestProcedureAt),
            StopFrom = slotStart is { } s ? Timestamp.FromDateTimeOffset(d.StopFrom(s)) : null,
            RestartAfter = slotEnd is { } e ? Timestamp.FromDateTimeOffset(d.RestartAfter(e)) : null,
            RestartAfterHours = d.RestartAfterHours,
            Source = d.Source,
        }));
        return response;
    }
}
