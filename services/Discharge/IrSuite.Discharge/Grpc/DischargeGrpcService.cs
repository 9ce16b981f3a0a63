using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.Data;
using IrSuite.Discharge.Domain;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Idempotency;
using IrSuite.ServiceDefaults.Observability;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Duration = Google.Protobuf.WellKnownTypes.Duration;

namespace IrSuite.Discharge.Grpc;

/// <summary>ir.discharge.v1.DischargeService: validation and proto &lt;-&gt; domain mapping; the rules are in the domain.</summary>
public sealed partial class DischargeGrpcService(
    DischargeRepository repository,
    ProcedureRecordClient procedures,
    TimeProvider time,
    SiteProtocol protocol,
    ILogger<DischargeGrpcService> logger,
    IOptions<IdempotencyOptions>? idempotency = null)
{
    private readonly IdempotentCommands _commands = new(repository.Database, time, idempotency?.Value);

    /// <summary>Who books the follow-up consultation (on PatientDischarged), shown on the summary.</summary>
    public const string FollowUpBookedBy = "scheduling";

    /// <summary>The raising service named on <see cref="EscalationRaised"/>.</summary>
    public const string EscalationSource = "discharge";

    /// <summary>At most this many overdue due times on a status (the count has them all).</summary>
    public const int OverdueShown = 20;

    public const string HtmlContentType = "text/html; charset=utf-8";

    public async Task<ObservationStatus> RecordObservation(RecordObservationRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        if (request.Vitals is not { } vitals)
        {
            validator.Fail("vitals", "Required.");
        }
        else
        {
            validator.Range("vitals.heart_rate", vitals.HeartRate, MeasurementLimits.HeartRate.Min, MeasurementLimits.HeartRate.Max)
                .Range("vitals.systolic_bp", vitals.SystolicBp, MeasurementLimits.SystolicBp.Min, MeasurementLimits.SystolicBp.Max)
                .Range("vitals.diastolic_bp", vitals.DiastolicBp, MeasurementLimits.DiastolicBp.Min, MeasurementLimits.DiastolicBp.Max)
                .Range("vitals.spo2", vitals.Spo2, MeasurementLimits.SpO2.Min, MeasurementLimits.SpO2.Max)
                .Range("vitals.respiratory_rate", vitals.RespiratoryRate, MeasurementLimits.RespiratoryRate.Min, MeasurementLimits.RespiratoryRate.Max)
                .Range("vitals.temperature_c", vitals.TemperatureC, MeasurementLimits.TemperatureC.Min, MeasurementLimits.TemperatureC.Max);
        }

        validator.Range("pain_score", request.PainScore, MeasurementLimits.PainScore.Min, MeasurementLimits.PainScore.Max);
        if (request.Aldrete is { } aldrete)
        {
            ScoreItems(validator, "aldrete", ("activity", aldrete.Activity), ("respiration", aldrete.Respiration), ("circulation", aldrete.Circulation),
                ("consciousness", aldrete.Consciousness), ("oxygen_saturation", aldrete.OxygenSaturation));
        }

        if (request.Padss is { } padss)
        {
            ScoreItems(validator, "padss", ("vital_signs", padss.VitalSigns), ("ambulation", padss.Ambulation), ("nausea_vomiting", padss.NauseaVomiting),
                ("pain", padss.Pain), ("surgical_bleeding", padss.SurgicalBleeding));
        }

        validator.ThrowIfInvalid();
        return await _commands.ReplayOrRunAsync(context, request, () => RecordObservationAsync(request, referralId, context));
    }

    private async Task<ObservationStatus> RecordObservationAsync(RecordObservationRequest request, Guid referralId, ServerCallContext context)
    {
        var observation = await LoadAsync(referralId, context.CancellationToken);
        var now = time.GetUtcNow();
        var round = new ObservationRound(
            new VitalSigns(request.Vitals.HeartRate, request.Vitals.SystolicBp, request.Vitals.DiastolicBp, request.Vitals.Spo2,
                request.Vitals.RespiratoryRate, request.Vitals.TemperatureC),
            request.PainScore,
            request.LegsNeuroNormal,
            request.PunctureSiteOk,
            now)
        {
            Aldrete = ToDomain(request.Aldrete),
            Padss = ToDomain(request.Padss),
        };
        var (updated, raised) = Enforce(() => observation.Observe(round));
        var escalation = raised
            ? new EscalationRaised(updated.ReferralId, updated.PatientId, updated.Escalation!.Reason, EscalationSource, "", now)
            : null;
        // Where the check schedule stands after this round, for the department board (scheduling's projection).
        var recorded = new ObservationRoundRecorded(updated.ReferralId, updated.PatientId, round.TakenAt, updated.ObservationCount, now)
        {
            NextCheckDue = updated.Schedule(protocol.Observation, now).NextDue,
            Aldrete = updated.LatestAldrete,
            Padss = updated.LatestPadss,
        };
        var status = await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            await repository.SaveRoundAsync(connection, transaction, updated, escalation);
            await repository.PublishAsync(connection, transaction, recorded, updated.ReferralId);
            return ToStatus(updated, protocol, now);
        });
        LogRecorded(referralId, updated.ObservationCount);
        if (raised)
        {
            LogEscalationRaised(referralId, updated.Escalation!.Reason);
        }

        return status;
    }

    public async Task<ObservationStatus> GetObservationStatus(GetObservationStatusRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        return ToStatus(await LoadAsync(referralId, context.CancellationToken), protocol, time.GetUtcNow());
    }

    public async Task<ListObservationsResponse> ListObservations(ListObservationsRequest request, ServerCallContext context)
    {
        var now = time.GetUtcNow();
        var response = new ListObservationsResponse();
        foreach (var observation in await repository.ListInProgressAsync(context.CancellationToken))
        {
            var schedule = observation.Schedule(protocol.Observation, now);
            var row = new ObservationBoardRow
            {
                ReferralId = observation.ReferralId.ToString(),
                PatientId = observation.PatientId.ToString(),
                TimeLeft = Duration.FromTimeSpan(observation.TimeLeft(now)),
                OverdueCount = schedule.Overdue.Count,
                EscalationOpen = observation.EscalationOpen,
                CloseNeuroWatch = observation.Context.CloseNeuroWatch,
            };
            if (schedule.NextDue is { } next)
            {
                row.NextCheckDue = Timestamp.FromDateTimeOffset(next);
            }

            response.Observations.Add(row);
        }

        return response;
    }

    public async Task<ObservationStatus> ResolveEscalation(ResolveEscalationRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        // The reviewing clinician is the caller, never a request field (decision 0011).
        var clinician = context.Signer(Roles.Radiologist, Roles.Anesthesiologist);
        return await _commands.ReplayOrRunAsync(context, request, async () =>
        {
            var observation = await LoadAsync(referralId, context.CancellationToken);
            var now = time.GetUtcNow();
            var resolved = Enforce(() => observation.ResolveEscalation(clinician, ToDomain(request.Outcome), now));
            var status = await _commands.RunAsync(context, request, async (connection, transaction) =>
            {
                await repository.SaveEscalationAsync(connection, transaction, resolved);
                await repository.PublishAsync(
                    connection, transaction, new EscalationResolved(resolved.ReferralId, resolved.PatientId, resolved.Escalation!.Outcome ?? "", now), resolved.ReferralId);
                return ToStatus(resolved, protocol, now);
            });
            LogEscalationResolved(referralId, request.Outcome);
            return status;
        });
    }

    public async Task<DischargeSummary> DischargePatient(DischargePatientRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        return await _commands.ReplayOrRunAsync(context, request, () => DischargePatientAsync(request, referralId, context));
    }

    private async Task<DischargeSummary> DischargePatientAsync(DischargePatientRequest request, Guid referralId, ServerCallContext context)
    {
        var observation = await LoadAsync(referralId, context.CancellationToken);
        var decision = new DischargeDecision(
            ToDomain(request.Destination), request.EscortPresent, context.Signer(Roles.Radiologist, Roles.Anesthesiologist));
        // Every gate before the remote read, so a refused discharge costs procedure-record nothing.
        Enforce(() => observation.EnsureDischargeable(decision, protocol, time.GetUtcNow()));

        var procedure = await procedures.GetOutlineAsync(referralId, context.CancellationToken);
        var now = time.GetUtcNow();
        var discharged = Enforce(() => observation.DischargePatient(decision, procedure, protocol, now));
        var record = discharged.Discharge!;
        var destination = ToProto(record.Destination);
        var @event = new PatientDischarged(discharged.ReferralId, discharged.PatientId, destination.ToString().ToUpperInvariant(), now)
        {
            Admission = discharged.Context.Admission,
            Indication = discharged.Context.Indication,
            ProtocolVersion = record.ProtocolVersion,
            PostDischargeCallDueAt = record.PostDischargeCallDueAt,
        };
        var summary = await _commands.RunAsync(context, request, async (connection, transaction) =>
        {
            await repository.SaveDischargeAsync(connection, transaction, discharged, @event);
            return ToSummary(discharged);
        });
        ClinicalMetrics.ObservationDuration.Record(
            Math.Max(0, (now - discharged.StartedAt).TotalMinutes), ClinicalMetrics.Tag("admission", discharged.Context.Admission), ClinicalMetrics.Tag("destination", @event.Destination));
        LogDischarged(referralId, destination);
        return summary;
    }

    public async Task<DischargeSummary> GetDischargeSummary(GetDischargeSummaryRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        var observation = await repository.FindAsync(referralId, context.CancellationToken);
        return observation is { IsDischarged: true }
            ? ToSummary(observation)
            : throw Rpc.NotFound("DischargeSummary", referralId.ToString());
    }

    public async Task<DischargeSummaryDocument> GetDischargeSummaryDocument(GetDischargeSummaryDocumentRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        var observation = await LoadAsync(referralId, context.CancellationToken);
        if (!observation.IsDischarged)
        {
            throw Rpc.Gate(Domain.DischargeRules.NotDischarged, "The discharge summary document exists once the patient is discharged.");
        }

        return new DischargeSummaryDocument
        {
            Summary = ToSummary(observation),
            Content = DischargeDocument.RenderHtml(observation, FollowUpBookedBy),
            ContentType = HtmlContentType,
        };
    }

    public static ObservationStatus ToStatus(PatientObservation observation, SiteProtocol protocol, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observation);
        ArgumentNullException.ThrowIfNull(protocol);
        var schedule = observation.Schedule(protocol.Observation, now);
        var status = new ObservationStatus
        {
            ReferralId = observation.ReferralId.ToString(),
            PatientId = observation.PatientId.ToString(),
            StartedAt = Timestamp.FromDateTimeOffset(observation.StartedAt),
            MinimumUntil = Timestamp.FromDateTimeOffset(observation.MinimumUntil),
            TimeLeft = Duration.FromTimeSpan(observation.TimeLeft(now)),
            MinimumElapsed = observation.IsMinimumElapsed(now) || observation.MinimumElapsedAt is not null,
            CriteriaMet = observation.UnmetCriteriaFor(protocol.Discharge.Criteria).Count == 0,
            ObservationCount = observation.ObservationCount,
            Discharged = observation.IsDischarged,
            ProtocolVersion = observation.Context.ProtocolVersion,
            Admission = observation.Context.Admission,
            SedationMode = observation.Context.SedationMode,
            OverdueCount = schedule.Overdue.Count,
            GettingUpFrom = Timestamp.FromDateTimeOffset(observation.GettingUpFrom(protocol)),
            HomeFrom = Timestamp.FromDateTimeOffset(observation.HomeFrom(protocol)),
            EscalationOpen = observation.EscalationOpen,
            CloseNeuroWatch = observation.Context.CloseNeuroWatch,
            SkinDoseFollowUp = observation.Context.SkinDoseFollowUp,
        };
        status.UnmetCriteria.AddRange(observation.UnmetCriteriaFor(protocol.Discharge.Criteria));
        status.PainScores.AddRange(observation.Rounds.Select(r => new V1.PainScore { Score = r.PainScore, TakenAt = Timestamp.FromDateTimeOffset(r.TakenAt) }));
        status.OverdueChecks.AddRange(schedule.Overdue.TakeLast(OverdueShown).Select(Timestamp.FromDateTimeOffset));
        if (schedule.NextDue is { } next)
        {
            status.NextCheckDue = Timestamp.FromDateTimeOffset(next);
        }

        if (observation.LatestAldrete is { } aldrete)
        {
            status.AldreteScore = aldrete;
        }

        if (observation.LatestPadss is { } padss)
        {
            status.PadssScore = padss;
        }

        if (observation.Escalation is { } escalation)
        {
            status.Escalation = ToProto(escalation);
        }

        return status;
    }

    public static DischargeSummary ToSummary(PatientObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var discharge = observation.Discharge ?? throw new ArgumentException("Not discharged.", nameof(observation));
        var procedure = new V1.ProcedureOutline { TotalCementMl = discharge.Procedure.TotalCementMl };
        procedure.Levels.AddRange(discharge.Procedure.Levels);
        procedure.Complications.AddRange(discharge.Procedure.Complications);
        if (discharge.Procedure.EndedAt is { } endedAt)
        {
            procedure.EndedAt = Timestamp.FromDateTimeOffset(endedAt);
        }

        var summary = new DischargeSummary
        {
            ReferralId = observation.ReferralId.ToString(),
            PatientId = observation.PatientId.ToString(),
            DischargedAt = Timestamp.FromDateTimeOffset(discharge.DischargedAt),
            Destination = ToProto(discharge.Destination),
            Observation = Duration.FromTimeSpan(observation.ObservationLength),
            ObservationCount = observation.ObservationCount,
            Procedure = procedure,
            ClinicianId = discharge.ClinicianId,
            ProtocolVersion = discharge.ProtocolVersion,
            Admission = observation.Context.Admission,
            AldreteScore = discharge.AldreteScore ?? 0,
            EscortPresent = discharge.EscortPresent,
            PostDischargeCallDueAt = Timestamp.FromDateTimeOffset(discharge.PostDischargeCallDueAt),
            FollowUpDueDate = discharge.FollowUpDueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            FollowUpWindowDays = discharge.FollowUpWindowDays,
            FollowUpBookedBy = FollowUpBookedBy,
            OverdueCheckCount = discharge.OverdueCheckCount,
        };
        if (discharge.PadssScore is { } padss)
        {
            summary.PadssScore = padss;
        }

        if (observation.Escalation is { } escalation)
        {
            summary.Escalation = ToProto(escalation);
        }

        summary.Instructions.AddRange(discharge.Instructions.Select(i => i.Text));
        summary.CodedInstructions.AddRange(discharge.Instructions.Select(i => new Instruction { Code = i.Code, Text = i.Text }));
        return summary;
    }

    public static V1.Escalation ToProto(EscalationState escalation)
    {
        ArgumentNullException.ThrowIfNull(escalation);
        var proto = new V1.Escalation
        {
            Reason = escalation.Reason,
            RaisedAt = Timestamp.FromDateTimeOffset(escalation.RaisedAt),
            ResolvedBy = escalation.ResolvedBy ?? "",
            Outcome = escalation.Outcome switch
            {
                EscalationOutcomes.NoDeficit => EscalationOutcome.NoDeficit,
                EscalationOutcomes.ImagingNormal => EscalationOutcome.ImagingNormal,
                EscalationOutcomes.DeficitManaged => EscalationOutcome.DeficitManaged,
                _ => EscalationOutcome.Unspecified,
            },
        };
        if (escalation.ResolvedAt is { } resolvedAt)
        {
            proto.ResolvedAt = Timestamp.FromDateTimeOffset(resolvedAt);
        }

        return proto;
    }

    public static string? ToDomain(EscalationOutcome outcome) => outcome switch
    {
        EscalationOutcome.NoDeficit => EscalationOutcomes.NoDeficit,
        EscalationOutcome.ImagingNormal => EscalationOutcomes.ImagingNormal,
        EscalationOutcome.DeficitManaged => EscalationOutcomes.DeficitManaged,
        _ => null,
    };

    public static Domain.AldreteItems? ToDomain(V1.AldreteItems? items) =>
        items is null ? null : new(items.Activity, items.Respiration, items.Circulation, items.Consciousness, items.OxygenSaturation);

    public static Domain.PadssItems? ToDomain(V1.PadssItems? items) =>
        items is null ? null : new(items.VitalSigns, items.Ambulation, items.NauseaVomiting, items.Pain, items.SurgicalBleeding);

    public static DischargeDestination? ToDomain(Destination destination) => destination switch
    {
        Destination.Home => DischargeDestination.Home,
        Destination.Ward => DischargeDestination.Ward,
        _ => null,
    };

    public static Destination ToProto(DischargeDestination destination) => destination switch
    {
        DischargeDestination.Home => Destination.Home,
        DischargeDestination.Ward => Destination.Ward,
        _ => Destination.Unspecified,
    };

    private static void ScoreItems(RequestValidator validator, string score, params (string Item, int Value)[] items)
    {
        foreach (var (item, value) in items)
        {
            validator.Range($"{score}.{item}", value, ClinicalScores.ItemRange.Min, ClinicalScores.ItemRange.Max);
        }
    }

    private async Task<PatientObservation> LoadAsync(Guid referralId, CancellationToken cancellationToken) =>
        await repository.FindAsync(referralId, cancellationToken) ?? throw Rpc.NotFound("Observation", referralId.ToString());

    private static void Enforce(Action rule) => Enforce(() =>
    {
        rule();
        return 0;
    });

    /// <summary>
    /// Domain refusals become FAILED_PRECONDITION (gate; several refused gates give one violation each, ErrorInfo.Type
    /// the first) or INVALID_ARGUMENT (field).
    /// </summary>
    private static T Enforce<T>(Func<T> rule)
    {
        try
        {
            return rule();
        }
        catch (DischargeGateException ex) when (ex.Violations.Count == 1)
        {
            throw Rpc.Gate(ex.Rule, ex.Description);
        }
        catch (DischargeGateException ex)
        {
            var failure = new Google.Rpc.PreconditionFailure();
            failure.Violations.AddRange(ex.Violations.Select(v =>
                new Google.Rpc.PreconditionFailure.Types.Violation { Type = "CLINICAL_GATE", Subject = v.Rule, Description = v.Description }));
            throw RpcException.WithDetails(
                StatusCode.FailedPrecondition, ex.Message, failure, new Google.Rpc.ErrorInfo { Type = ex.Rule, Domain = Rpc.Domain });
        }
        catch (DischargeInputException ex)
        {
            new RequestValidator().Fail(ex.Field, ex.Description).ThrowIfInvalid();
            throw;
        }
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Observation round {Count} recorded for referral {ReferralId}")]
    private partial void LogRecorded(Guid referralId, int count);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Information, Message = "Referral {ReferralId} discharged to {Destination}")]
    private partial void LogDischarged(Guid referralId, Destination destination);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "Escalation {Reason} raised for referral {ReferralId}")]
    private partial void LogEscalationRaised(Guid referralId, string reason);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Information, Message = "Escalation of referral {ReferralId} resolved: {Outcome}")]
    private partial void LogEscalationResolved(Guid referralId, EscalationOutcome outcome);
}
