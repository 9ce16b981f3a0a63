using System.Globalization;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging;

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
    TimeProvider time,
    ILogger<ProcedureRecordGrpcService> logger)
{
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
        validator.ThrowIfInvalid();
        var checklist = new SignInChecklist(request.IdentityAndConsentConfirmed, request.AllergiesReviewed, request.AnesthesiaCheckDone);
        return await ChangeAsync(referralId, (record, now) =>
        {
            record.SignIn(checklist, now);
            return null;
        }, context.CancellationToken);
    }

    public async Task<ProcedureCase> TimeOut(TimeOutRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        var levels = validator.Levels("confirmed_levels", request.ConfirmedLevels);
        validator.Required("operator_id", request.OperatorId, ProcedureLimits.MaxOperatorIdLength);
        validator.ThrowIfInvalid();
        return await ChangeAsync(referralId, (record, now) => record.TimeOut(levels, request.OperatorId.Trim(), now), context.CancellationToken);
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
        validator.Defined("leakage", request.Leakage);
        if (request.LeakageSymptomatic && request.Leakage == Leakage.None)
        {
            validator.Fail("leakage_symptomatic", "A symptomatic leak needs a leak location (leakage is NONE).");
        }

        validator.ThrowIfInvalid();
        TreatedLevel? treated = null;
        var result = await ChangeAsync(referralId, (record, now) =>
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
                now);
            record.RecordTreatment(treated);
            return null;
        }, context.CancellationToken);
        if (treated is { RequiresEscalation: true })
        {
            LogSymptomaticLeak(referralId, treated.Level, treated.Leakage);
        }

        return result;
    }

    public async Task<ProcedureCase> RecordDose(RecordDoseRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.Range("dose_area_product_gy_cm2", request.DoseAreaProductGyCm2, 0, ProcedureLimits.MaxDoseAreaProductGyCm2);
        validator.Range("reference_air_kerma_mgy", request.ReferenceAirKermaMgy, 0, ProcedureLimits.MaxReferenceAirKermaMgy);
        validator.Range("fluoroscopy_seconds", request.FluoroscopySeconds, 0, ProcedureLimits.MaxFluoroscopySeconds);
        validator.Range("ct_dlp_mgy_cm", request.CtDlpMgyCm, 0, ProcedureLimits.MaxCtDlpMgyCm);
        validator.ThrowIfInvalid();
        var dose = new RadiationDose(request.DoseAreaProductGyCm2, request.ReferenceAirKermaMgy, request.FluoroscopySeconds, request.CtDlpMgyCm);
        var result = await ChangeAsync(referralId, (record, _) =>
        {
            record.RecordDose(dose);
            return null;
        }, context.CancellationToken);
        if (dose.RequiresSkinFollowUp)
        {
            LogSkinFollowUp(referralId, dose.ReferenceAirKermaMgy);
        }

        return result;
    }

    public async Task<ProcedureCase> SignOut(SignOutRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        var checklist = new SignOutChecklist(request.RecordConfirmed, request.HandoverDone);
        return await ChangeAsync(referralId, (record, now) =>
        {
            record.SignOut(checklist, now);
            return null;
        }, context.CancellationToken);
    }

    public async Task<ProcedureCase> CompleteCase(CompleteCaseRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        var complications = new List<RecordedComplication>();
        for (var i = 0; i < request.Complications.Count; i++)
        {
            var complication = request.Complications[i];
            validator.Required($"complications[{i}].code", complication.Code, ProcedureLimits.MaxCodeLength);
            if (complication.CirseGrade is < ProcedureLimits.MinCirseGrade or > ProcedureLimits.MaxCirseGrade)
            {
                validator.Fail($"complications[{i}].cirse_grade", $"CIRSE grade must be between {ProcedureLimits.MinCirseGrade} and {ProcedureLimits.MaxCirseGrade}.");
            }

            complications.Add(new RecordedComplication(complication.Code.Trim(), complication.CirseGrade));
        }

        validator.ThrowIfInvalid();
        var result = await ChangeAsync(referralId, (record, now) => record.Complete(complications, now), context.CancellationToken);
        LogCompleted(referralId, result.Treatments.Count, result.Complications.Count);
        return result;
    }

    public async Task<ProcedureCase> DiscontinueCase(DiscontinueCaseRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.Required("reason", request.Reason, ProcedureLimits.MaxCodeLength);
        validator.ThrowIfInvalid();
        var result = await ChangeAsync(referralId, (record, now) => record.Discontinue(request.Reason.Trim(), now), context.CancellationToken);
        LogDiscontinued(referralId);
        return result;
    }

    public async Task<ProcedureCase> GetProcedureSummary(GetProcedureSummaryRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var record = await repository.FindAsync(connection, null, referralId, context.CancellationToken)
            ?? throw Rpc.NotFound(ResourceType, referralId.ToString());
        return CaseMapper.ToProto(record);
    }

    /// <summary>
    /// Loads the case, applies one domain command and saves it with its event in one transaction; nothing is
    /// written when the command is refused (the transaction rolls back).
    /// </summary>
    private async Task<ProcedureCase> ChangeAsync(Guid referralId, Func<CaseRecord, DateTimeOffset, object?> command, CancellationToken cancellationToken)
    {
        try
        {
            var record = await database.InTransactionAsync(async (connection, transaction) =>
            {
                var record = await repository.FindAsync(connection, transaction, referralId, cancellationToken)
                    ?? throw Rpc.NotFound(ResourceType, referralId.ToString());
                var @event = command(record, time.GetUtcNow());
                await repository.UpdateAsync(connection, transaction, record, cancellationToken);
                if (@event is not null)
                {
                    await outbox.AddAsync(connection, transaction, @event, referralId);
                }

                return record;
            }, cancellationToken);
            return CaseMapper.ToProto(record);
        }
        catch (ClinicalGateException gate)
        {
            LogRefused(referralId, gate.Rule);
            throw Rpc.Gate(gate.Rule, gate.Message);
        }
        catch (ConcurrencyConflictException)
        {
            throw new RpcException(new Status(StatusCode.Aborted, "The procedure case was modified concurrently; retry."));
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Procedure case {ReferralId} refused by gate {Rule}")]
    private partial void LogRefused(Guid referralId, string rule);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning,
        Message = "Procedure case {ReferralId}: symptomatic {Leakage} cement leak at {Level}; escalate (urgent neurological exam and CT)")]
    private partial void LogSymptomaticLeak(Guid referralId, string level, CementLeakage leakage);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Procedure case {ReferralId}: reference air kerma {AirKermaMgy} mGy above 5 Gy; skin follow-up required")]
    private partial void LogSkinFollowUp(Guid referralId, double airKermaMgy);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information,
        Message = "Procedure case {ReferralId} completed: {LevelCount} levels treated, {ComplicationCount} complications")]
    private partial void LogCompleted(Guid referralId, int levelCount, int complicationCount);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Procedure case {ReferralId} discontinued")]
    private partial void LogDiscontinued(Guid referralId);
}
