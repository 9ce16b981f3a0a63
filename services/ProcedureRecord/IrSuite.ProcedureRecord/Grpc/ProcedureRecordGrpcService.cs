using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IrSuite.ProcedureRecord.Grpc;

/// <summary>
/// ir.procedure.v1.ProcedureRecordService: validates requests (INVALID_ARGUMENT naming each field), then runs one
/// domain command per call in one transaction with its outbox event. Gates become FAILED_PRECONDITION with the rule
/// code, an unknown referral NOT_FOUND, a concurrent change ABORTED.
/// </summary>
public sealed partial class ProcedureRecordGrpcService(
    ProcedureRecordDatabase database,
    ProcedureRecordRepository repository,
    OutboxWriter outbox,
    SiteProtocol protocol,
    TimeProvider time,
    ILogger<ProcedureRecordGrpcService> logger,
    IOptions<IdempotencyOptions>? idempotency = null,
    IOptions<ModalityWorklistOptions>? modality = null)
{
    private readonly IdempotentCommands _commands = new(database, time, idempotency?.Value);

    private const string ResourceType = "ProcedureCase";

    public async Task<GetWorklistResponse> GetWorklist(GetWorklistRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        DateOnly day = default;
        if (string.IsNullOrWhiteSpace(request.Date))
        {
            validator.Fail("date", "Required.");
        }
        else if (!DateOnly.TryParseExact(request.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            validator.Fail("date", "Must be a date YYYY-MM-DD.");
        }

        validator.Optional("room", request.Room, ProcedureLimits.MaxCodeLength);
        validator.ThrowIfInvalid();
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var cases = await repository.WorklistAsync(connection, day, request.Room, context.CancellationToken);
        var response = new GetWorklistResponse();
        response.Cases.AddRange(cases.Select(CaseMapper.ToProto));
        return response;
    }

    public async Task<ProcedureCase> SignIn(SignInRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        var fasting = new FastingReport(
            OptionalTimestamp(validator, "last_clear_liquids_at", request.LastClearLiquidsAt),
            OptionalTimestamp(validator, "last_light_meal_at", request.LastLightMealAt),
            OptionalTimestamp(validator, "last_fatty_meal_at", request.LastFattyMealAt));
        validator.ThrowIfInvalid();
        var checklist = new SignInChecklist(
            request.IdentityAndConsentConfirmed,
            request.AllergiesReviewed,
            request.AnesthesiaCheckDone,
            request.SiteMarkedOrNotApplicable,
            request.PulseOximeterOn,
            request.AirwayRiskAssessed,
            request.BloodLossRiskAssessed);
        return await ChangeAsync(context, request, referralId, (record, now) => record.SignIn(checklist, fasting, protocol, now));
    }

    public async Task<ProcedureCase> TimeOut(TimeOutRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        var levels = validator.Levels("confirmed_levels", request.ConfirmedLevels);
        // The operator signing the time-out is the caller, never a request field (decision 0011).
        var operatorId = context.Signer(Roles.Radiologist);
        validator.Optional("antibiotic_drug", request.AntibioticDrug, ProcedureLimits.MaxCementTextLength);
        var givenAt = OptionalTimestamp(validator, "antibiotic_given_at", request.AntibioticGivenAt);
        validator.Optional("equipment_id", request.EquipmentId, ProcedureLimits.MaxCodeLength);
        validator.ThrowIfInvalid();
        var checklist = new TimeOutChecklist(request.TeamIntroduced, request.PatientSiteProcedureConfirmed, request.CriticalEventsReviewed, request.ImagingDisplayed);
        var antibiotic = string.IsNullOrWhiteSpace(request.AntibioticDrug) && givenAt is null ? null : new AntibioticDose(request.AntibioticDrug.Trim(), givenAt);
        var equipment = string.IsNullOrWhiteSpace(request.EquipmentId) ? null : request.EquipmentId.Trim();
        return await ChangeAsync(
            context,
            request,
            referralId,
            (record, now) => record.TimeOut(levels, operatorId, checklist, antibiotic, equipment, protocol, now));
    }

    public async Task<ProcedureCase> RecordLevelTreatment(RecordLevelTreatmentRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        if (!VertebralLevel.TryNormalize(request.Level, out var level))
        {
            validator.Fail("level", "Must be a vertebral level: C1-C7, T1-T12, L1-L5 or S1.");
        }

        validator.Defined("approach", request.Approach);
        if (request.TrocarGauge is < ProcedureLimits.MinTrocarGauge or > ProcedureLimits.MaxTrocarGauge)
        {
            validator.Fail("trocar_gauge", $"Must be between {ProcedureLimits.MinTrocarGauge} and {ProcedureLimits.MaxTrocarGauge}.");
        }

        if (!(double.IsFinite(request.CementVolumeMl) && request.CementVolumeMl > 0 && request.CementVolumeMl <= ProcedureLimits.MaxCementVolumeMl))
        {
            validator.Fail("cement_volume_ml", $"Must be greater than 0 and at most {ProcedureLimits.MaxCementVolumeMl} mL.");
        }

        validator.Required("cement_product", request.CementProduct, ProcedureLimits.MaxCementTextLength);
        validator.Required("cement_lot", request.CementLot, ProcedureLimits.MaxCementTextLength);
        DateOnly expiry = default;
        if (string.IsNullOrWhiteSpace(request.CementExpiry))
        {
            validator.Fail("cement_expiry", "Required.");
        }
        else if (!DateOnly.TryParseExact(request.CementExpiry.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out expiry))
        {
            validator.Fail("cement_expiry", "Must be a date YYYY-MM-DD.");
        }

        validator.Optional("udi_di", request.UdiDi, ProcedureLimits.MaxCementTextLength);
        var operatorId = context.Signer(Roles.Radiologist);
        validator.Defined("leakage", request.Leakage);
        if (request.LeakageSymptomatic && request.Leakage == Leakage.None)
        {
            validator.Fail("leakage_symptomatic", "A symptomatic leak needs a leak location (leakage is NONE).");
        }

        validator.ThrowIfInvalid();
        TreatedLevel? treated = null;
        var result = await ChangeAsync(context, request, referralId, (record, now) =>
        {
            treated = new TreatedLevel(
                level,
                (TrocarApproach)(int)request.Approach,
                request.TrocarGauge,
                request.CementVolumeMl,
                request.CementProduct.Trim(),
                request.CementLot.Trim(),
                (CementLeakage)(int)request.Leakage,
                request.LeakageSymptomatic,
                now,
                expiry,
                string.IsNullOrWhiteSpace(request.UdiDi) ? null : request.UdiDi.Trim(),
                operatorId);
            record.RecordTreatment(treated, protocol);
        });
        if (treated is { RequiresEscalation: true })
        {
            LogSymptomaticLeak(referralId, treated.Level, treated.Leakage);
        }

        return result;
    }

    public async Task<ProcedureCase> AbandonLevel(AbandonLevelRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        if (!VertebralLevel.TryNormalize(request.Level, out var level))
        {
            validator.Fail("level", "Must be a vertebral level: C1-C7, T1-T12, L1-L5 or S1.");
        }

        validator.Required("reason", request.Reason, ProcedureLimits.MaxCodeLength);
        validator.ThrowIfInvalid();
        return await ChangeAsync(context, request, referralId, (record, now) => record.AbandonLevel(level, request.Reason.Trim(), now));
    }

    public async Task<ProcedureCase> RecordDose(RecordDoseRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        PositiveUpTo(validator, "dose_area_product_gy_cm2", request.DoseAreaProductGyCm2, ProcedureLimits.MaxDoseAreaProductGyCm2);
        PositiveUpTo(validator, "reference_air_kerma_mgy", request.ReferenceAirKermaMgy, ProcedureLimits.MaxReferenceAirKermaMgy);
        PositiveUpTo(validator, "fluoroscopy_seconds", request.FluoroscopySeconds, ProcedureLimits.MaxFluoroscopySeconds);
        if (request.ControlCtDone)
        {
            // Euratom 2013/59 art. 58(b): the control CT's dose belongs in the report.
            PositiveUpTo(validator, "ct_dlp_mgy_cm", request.CtDlpMgyCm, ProcedureLimits.MaxCtDlpMgyCm);
        }
        else if (request.CtDlpMgyCm != 0)
        {
            validator.Fail("ct_dlp_mgy_cm", "A CT dose-length product needs control_ct_done.");
        }

        validator.ThrowIfInvalid();
        var dose = new RadiationDose(request.DoseAreaProductGyCm2, request.ReferenceAirKermaMgy, request.FluoroscopySeconds, request.CtDlpMgyCm, request.ControlCtDone);
        var result = await ChangeAsync(context, request, referralId, (record, now) => record.RecordDose(dose, protocol, now));
        if (result.SkinFollowUp is not null)
        {
            LogSkinFollowUp(referralId, dose.ReferenceAirKermaMgy);
        }

        return result;
    }

    public async Task<ProcedureCase> SignOut(SignOutRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        IReadOnlyList<string> treatedLevels = [];
        if (request.TreatedLevels.Count > 0)
        {
            treatedLevels = validator.Levels("treated_levels", request.TreatedLevels);
        }

        validator.ThrowIfInvalid();
        var checklist = new SignOutChecklist(
            request.RecordConfirmed, request.HandoverDone, request.InstrumentCountsCorrect, request.SpecimensLabelled, request.EquipmentProblemsAddressed);
        var signer = context.Signer(Roles.Radiologist, Roles.Nurse);
        return await ChangeAsync(context, request, referralId, (record, now) => record.SignOut(checklist, treatedLevels, signer, now));
    }

    public async Task<ProcedureCase> CompleteCase(CompleteCaseRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        var complications = new List<RecordedComplication>();
        for (var i = 0; i < request.Complications.Count; i++)
        {
            var complication = request.Complications[i];
            var code = complication.Code.Trim();
            if (!ComplicationCodes.IsKnown(code))
            {
                validator.Fail($"complications[{i}].code", $"Must be one of {string.Join(", ", ComplicationCodes.All)}.");
            }

            if (complication.CirseGrade is < ProcedureLimits.MinCirseGrade or > ProcedureLimits.MaxCirseGrade)
            {
                validator.Fail($"complications[{i}].cirse_grade", $"CIRSE grade must be between {ProcedureLimits.MinCirseGrade} and {ProcedureLimits.MaxCirseGrade}.");
            }

            complications.Add(new RecordedComplication(code, complication.CirseGrade));
        }

        validator.ThrowIfInvalid();
        CaseRecord? completed = null;
        var result = await ChangeAsync(context, request, referralId, (record, now) =>
        {
            record.Complete(complications, now);
            completed = record;
        });
        if (completed is not null)
        {
            CaseMetrics.RecordCompleted(completed); // committed now; null when the request id replayed a stored answer
        }

        LogCompleted(referralId, result.Treatments.Count, result.Complications.Count);
        return result;
    }

    public async Task<ProcedureCase> DiscontinueCase(DiscontinueCaseRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.Required("reason", request.Reason, ProcedureLimits.MaxCodeLength);
        // A code of a closed list, never echoed back: the value may be free text a client typed (decision 0014).
        if (request.Reason.Trim().Length > 0 && !IrSuite.Contracts.DiscontinueCodes.IsKnown(request.Reason.Trim()))
        {
            validator.Fail("reason", $"Must be one of {string.Join(", ", IrSuite.Contracts.DiscontinueCodes.All)}.");
        }

        validator.ThrowIfInvalid();
        var discontinued = false;
        var result = await ChangeAsync(context, request, referralId, (record, now) =>
        {
            record.Discontinue(request.Reason.Trim(), now);
            discontinued = true;
        });
        if (discontinued)
        {
            CaseMetrics.RecordDiscontinued();
        }

        LogDiscontinued(referralId);
        return result;
    }

    public async Task<ProcedureCase> GetProcedureSummary(GetProcedureSummaryRequest request, ServerCallContext context)
    {
        var record = await ReadAsync(request.ReferralId, context.CancellationToken);
        return CaseMapper.ToProto(record);
    }

    public async Task<FindCementLotRecipientsResponse> FindCementLotRecipients(FindCementLotRecipientsRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        validator.Required("lot", request.Lot, ProcedureLimits.MaxCementTextLength);
        validator.Optional("product", request.Product, ProcedureLimits.MaxCementTextLength);
        validator.ThrowIfInvalid();
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var recipients = await repository.FindCementLotRecipientsAsync(
            connection, request.Lot.Trim(), string.IsNullOrWhiteSpace(request.Product) ? null : request.Product.Trim(), context.CancellationToken);
        var response = new FindCementLotRecipientsResponse();
        response.Recipients.AddRange(recipients.Select(r => new IrSuite.Procedure.V1.CementLotRecipient
        {
            ReferralId = r.ReferralId.ToString(),
            PatientId = r.PatientId.ToString(),
            Level = r.Level,
            Date = CaseRecord.LocalDate(protocol, r.RecordedAt).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Product = r.Product,
            Lot = r.Lot,
            RecordedAt = Timestamp.FromDateTimeOffset(r.RecordedAt),
        }));
        LogRecallQuery(response.Recipients.Count);
        return response;
    }

    public async Task<ProcedureReport> GetProcedureReport(GetProcedureReportRequest request, ServerCallContext context)
    {
        var record = await ReadAsync(request.ReferralId, context.CancellationToken);
        if (record.State is not (CaseState.Completed or CaseState.Discontinued))
        {
            throw Rpc.Gate(GateRules.CaseNotClosed, "The procedure report is issued for a completed or discontinued case.");
        }

        var report = new ProcedureReport
        {
            Case = CaseMapper.ToProto(record),
            EquipmentId = record.TimeOuts.LastOrDefault(t => t.EquipmentId is not null)?.EquipmentId ?? "",
            Html = ProcedureReportDocument.Render(record, protocol),
            ContentType = ProcedureReportDocument.ContentType,
        };
        report.OperatorIds.AddRange(ProcedureReportDocument.Operators(record));
        return report;
    }

    private async Task<CaseRecord> ReadAsync(string referral, CancellationToken cancellationToken)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", referral);
        validator.ThrowIfInvalid();
        await using var connection = await database.OpenAsync(cancellationToken);
        return await repository.FindAsync(connection, null, referralId, cancellationToken)
            ?? throw Rpc.NotFound(ResourceType, referralId.ToString());
    }

    private static DateTimeOffset? OptionalTimestamp(RequestValidator validator, string field, Timestamp? value) =>
        value is null ? null : validator.Timestamp(field, value);

    private static void PositiveUpTo(RequestValidator validator, string field, double value, double max)
    {
        if (!(double.IsFinite(value) && value > 0 && value <= max))
        {
            validator.Fail(field, $"Required: greater than 0 and at most {max}.");
        }
    }

    /// <summary>
    /// Loads the case, applies one domain command and saves it with the events it raised in one transaction; nothing is
    /// written when the command is refused (the transaction rolls back).
    /// </summary>
    private async Task<ProcedureCase> ChangeAsync<TRequest>(ServerCallContext context, TRequest request, Guid referralId, Action<CaseRecord, DateTimeOffset> command)
        where TRequest : Google.Protobuf.IMessage<TRequest>
    {
        var cancellationToken = context.CancellationToken;
        try
        {
            // Once per client request id: a retry replays the first case (decision 0007).
            return await _commands.RunAsync(context, request, async (connection, transaction) =>
            {
                var record = await repository.FindAsync(connection, transaction, referralId, cancellationToken)
                    ?? throw Rpc.NotFound(ResourceType, referralId.ToString());
                command(record, time.GetUtcNow());
                record.ApplyProtocolVersion(protocol.AppliedVersion);
                await repository.UpdateAsync(connection, transaction, record, cancellationToken);
                foreach (var @event in record.TakeEvents())
                {
                    await outbox.AddAsync(connection, transaction, @event, referralId);
                }

                return record;
            }, CaseMapper.ToProto);
        }
        catch (ClinicalGateException gate)
        {
            LogRefused(referralId, gate.Rule);
            throw ToRpc(gate);
        }
        catch (ConcurrencyConflictException)
        {
            throw new RpcException(new IrSuite.Grpc.Status(StatusCode.Aborted, "The procedure case was modified concurrently; retry."));
        }
    }

    /// <summary>FAILED_PRECONDITION with one violation per refused item or rule; ErrorInfo.type is the first rule code.</summary>
    private static RpcException ToRpc(ClinicalGateException gate)
    {
        var failure = new PreconditionFailure();
        failure.Violations.AddRange(gate.Violations.Select(v => new PreconditionFailure.Types.Violation { Type = v.Rule, Subject = v.Subject, Description = v.Description }));
        return RpcException.WithDetails(
            StatusCode.FailedPrecondition, $"{gate.Rule}: {gate.Message}", failure, new ErrorInfo { Type = gate.Rule, Domain = Rpc.Domain });
    }

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Cement lot recall query answered with {Count} recipients")]
    private partial void LogRecallQuery(int count);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Procedure case {ReferralId} refused by gate {Rule}")]
    private partial void LogRefused(Guid referralId, string rule);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Procedure case {ReferralId}: symptomatic {Leakage} cement leak at {Level}; escalate (urgent neurological exam and CT)")]
    private partial void LogSymptomaticLeak(Guid referralId, string level, CementLeakage leakage);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Procedure case {ReferralId}: reference air kerma {AirKermaMgy} mGy above the site level; skin follow-up required")]
    private partial void LogSkinFollowUp(Guid referralId, double airKermaMgy);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information,
        Message = "Procedure case {ReferralId} completed: {LevelCount} levels treated, {ComplicationCount} complications")]
    private partial void LogCompleted(Guid referralId, int levelCount, int complicationCount);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Procedure case {ReferralId} discontinued")]
    private partial void LogDiscontinued(Guid referralId);
}
