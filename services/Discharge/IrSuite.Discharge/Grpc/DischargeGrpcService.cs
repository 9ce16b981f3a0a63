using Google.Protobuf.WellKnownTypes;
using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.Data;
using IrSuite.Discharge.Domain;
using IrSuite.Discharge.V1;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Grpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Duration = Google.Protobuf.WellKnownTypes.Duration;

namespace IrSuite.Discharge.Grpc;

/// <summary>ir.discharge.v1.DischargeService: validation and proto &lt;-&gt; domain mapping; the rules are in the domain.</summary>
public sealed partial class DischargeGrpcService(
    DischargeRepository repository,
    ProcedureRecordClient procedures,
    TimeProvider time,
    IOptions<DischargeOptions> options,
    ILogger<DischargeGrpcService> logger)
{
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
        validator.ThrowIfInvalid();

        var observation = await LoadAsync(referralId, context.CancellationToken);
        var now = time.GetUtcNow();
        var round = new ObservationRound(
            new VitalSigns(request.Vitals.HeartRate, request.Vitals.SystolicBp, request.Vitals.DiastolicBp, request.Vitals.Spo2,
                request.Vitals.RespiratoryRate, request.Vitals.TemperatureC),
            request.PainScore,
            request.LegsNeuroNormal,
            request.PunctureSiteOk,
            now);
        var updated = Enforce(() => observation.Record(round));
        await repository.SaveRoundAsync(updated, context.CancellationToken);
        LogRecorded(referralId, updated.ObservationCount);
        return ToStatus(updated, now);
    }

    public async Task<ObservationStatus> GetObservationStatus(GetObservationStatusRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.ThrowIfInvalid();
        return ToStatus(await LoadAsync(referralId, context.CancellationToken), time.GetUtcNow());
    }

    public async Task<DischargeSummary> DischargePatient(DischargePatientRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        var referralId = validator.Id("referral_id", request.ReferralId);
        validator.Optional("clinician_id", request.ClinicianId, 100);
        validator.ThrowIfInvalid();

        var observation = await LoadAsync(referralId, context.CancellationToken);
        var decision = new DischargeDecision(ToDomain(request.Destination), request.EscortPresent, request.ClinicianId);
        // Every gate before the remote read, so a refused discharge costs procedure-record nothing.
        Enforce(() => observation.EnsureDischargeable(decision, time.GetUtcNow()));

        var procedure = await procedures.GetOutlineAsync(referralId, context.CancellationToken);
        var now = time.GetUtcNow();
        var discharged = Enforce(() => observation.DischargePatient(decision, procedure, options.Value.Instructions, now));
        var destination = ToProto(discharged.Discharge!.Destination);
        await repository.SaveDischargeAsync(
            discharged,
            new PatientDischarged(discharged.ReferralId, discharged.PatientId, destination.ToString().ToUpperInvariant(), now),
            context.CancellationToken);
        LogDischarged(referralId, destination);
        return ToSummary(discharged);
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

    public static ObservationStatus ToStatus(PatientObservation observation, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var status = new ObservationStatus
        {
            ReferralId = observation.ReferralId.ToString(),
            PatientId = observation.PatientId.ToString(),
            StartedAt = Timestamp.FromDateTimeOffset(observation.StartedAt),
            MinimumUntil = Timestamp.FromDateTimeOffset(observation.MinimumUntil),
            TimeLeft = Duration.FromTimeSpan(observation.TimeLeft(now)),
            MinimumElapsed = observation.IsMinimumElapsed(now) || observation.MinimumElapsedAt is not null,
            CriteriaMet = observation.CriteriaMet,
            ObservationCount = observation.ObservationCount,
            Discharged = observation.IsDischarged,
        };
        status.UnmetCriteria.AddRange(observation.UnmetCriteria);
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
        };
        summary.Instructions.AddRange(discharge.Instructions);
        return summary;
    }

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

    private async Task<PatientObservation> LoadAsync(Guid referralId, CancellationToken cancellationToken) =>
        await repository.FindAsync(referralId, cancellationToken) ?? throw Rpc.NotFound("Observation", referralId.ToString());

    private static void Enforce(Action rule) => Enforce(() =>
    {
        rule();
        return 0;
    });

    /// <summary>Domain refusals become FAILED_PRECONDITION (gate) or INVALID_ARGUMENT (field).</summary>
    private static T Enforce<T>(Func<T> rule)
    {
        try
        {
            return rule();
        }
        catch (DischargeGateException ex)
        {
            throw Rpc.Gate(ex.Rule, ex.Description);
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
}
