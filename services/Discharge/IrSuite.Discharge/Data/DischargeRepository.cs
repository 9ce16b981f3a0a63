using System.Data.Common;
using System.Text.Json;
using Dapper;
using IrSuite.Discharge.Domain;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Messaging;

namespace IrSuite.Discharge.Data;

/// <summary>
/// Dapper SQL of the discharge service. Commands update the observation row with optimistic concurrency
/// (<c>version</c>) and write their events to the outbox in the same transaction.
/// </summary>
public sealed class DischargeRepository(DischargeDatabase database, OutboxWriter outbox)
{
    private const string SelectObservation =
        """
        SELECT referral_id AS ReferralId, patient_id AS PatientId, started_at AS StartedAt, minimum_until AS MinimumUntil,
               minimum_elapsed_at AS MinimumElapsedAt, observation_count AS ObservationCount, discharged_at AS DischargedAt,
               destination AS Destination, clinician_id AS ClinicianId, instructions AS Instructions,
               procedure_levels AS ProcedureLevels, procedure_cement_ml AS ProcedureCementMl,
               procedure_complications AS ProcedureComplications, procedure_ended_at AS ProcedureEndedAt, version AS Version
        FROM observation WHERE referral_id = @id
        """;

    private const string SelectLastRound =
        """
        SELECT taken_at AS TakenAt, heart_rate AS HeartRate, systolic_bp AS SystolicBp, diastolic_bp AS DiastolicBp, spo2 AS SpO2,
               respiratory_rate AS RespiratoryRate, temperature_c AS TemperatureC, pain_score AS PainScore,
               legs_neuro_normal AS LegsNeuroNormal, puncture_site_ok AS PunctureSiteOk
        FROM observation_round WHERE referral_id = @id ORDER BY seq DESC LIMIT 1
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Opens an observation; false when the referral already has one (a duplicate completion).</summary>
    public async Task<bool> TryOpenAsync(DbConnection connection, DbTransaction transaction, PatientObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var inserted = await connection.ExecuteAsync(
            """
            INSERT INTO observation (referral_id, patient_id, started_at, minimum_until, observation_count, version)
            VALUES (@referralId, @patientId, @startedAt, @minimumUntil, 0, @version)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                referralId = observation.ReferralId.ToString(),
                patientId = observation.PatientId.ToString(),
                startedAt = observation.StartedAt,
                minimumUntil = observation.MinimumUntil,
                version = observation.Version,
            },
            transaction);
        return inserted == 1;
    }

    public async Task<PatientObservation?> FindAsync(Guid referralId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await FindAsync(connection, null, referralId);
    }

    public async Task<PatientObservation?> FindAsync(DbConnection connection, DbTransaction? transaction, Guid referralId)
    {
        var id = referralId.ToString();
        var row = await connection.QuerySingleOrDefaultAsync<ObservationRow>(SelectObservation, new { id }, transaction);
        if (row is null)
        {
            return null;
        }

        var round = await connection.QuerySingleOrDefaultAsync<RoundRow>(SelectLastRound, new { id }, transaction);
        return row.ToDomain(round?.ToDomain());
    }

    /// <summary>Stores a recorded round (<paramref name="updated"/> is the state after <see cref="PatientObservation.Record"/>).</summary>
    public Task SaveRoundAsync(PatientObservation updated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(updated);
        var round = updated.LastRound ?? throw new ArgumentException("No round to save.", nameof(updated));
        return database.InTransactionAsync(async (connection, transaction) =>
        {
            await UpdateVersionedAsync(
                connection,
                transaction,
                "UPDATE observation SET observation_count = @count, version = @version WHERE referral_id = @id AND version = @expected",
                new { count = updated.ObservationCount, version = updated.Version, id = updated.ReferralId.ToString(), expected = updated.Version - 1 });
            await connection.ExecuteAsync(
                """
                INSERT INTO observation_round (referral_id, seq, taken_at, heart_rate, systolic_bp, diastolic_bp, spo2, respiratory_rate,
                                               temperature_c, pain_score, legs_neuro_normal, puncture_site_ok)
                VALUES (@id, @seq, @takenAt, @heartRate, @systolicBp, @diastolicBp, @spo2, @respiratoryRate,
                        @temperatureC, @painScore, @legsNeuroNormal, @punctureSiteOk)
                """,
                new
                {
                    id = updated.ReferralId.ToString(),
                    seq = updated.ObservationCount,
                    takenAt = round.TakenAt,
                    heartRate = round.Vitals.HeartRate,
                    systolicBp = round.Vitals.SystolicBp,
                    diastolicBp = round.Vitals.DiastolicBp,
                    spo2 = round.Vitals.SpO2,
                    respiratoryRate = round.Vitals.RespiratoryRate,
                    temperatureC = round.Vitals.TemperatureC,
                    painScore = round.PainScore,
                    legsNeuroNormal = round.LegsNeuroNormal ? 1 : 0,
                    punctureSiteOk = round.PunctureSiteOk ? 1 : 0,
                },
                transaction);
            return 0;
        }, cancellationToken);
    }

    /// <summary>Stores the discharge and its event in one transaction.</summary>
    public Task SaveDischargeAsync(PatientObservation discharged, object @event, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discharged);
        var discharge = discharged.Discharge ?? throw new ArgumentException("Not discharged.", nameof(discharged));
        return database.InTransactionAsync(async (connection, transaction) =>
        {
            await UpdateVersionedAsync(
                connection,
                transaction,
                """
                UPDATE observation SET discharged_at = @dischargedAt, destination = @destination, clinician_id = @clinicianId,
                       instructions = @instructions, procedure_levels = @levels, procedure_cement_ml = @cement,
                       procedure_complications = @complications, procedure_ended_at = @endedAt, version = @version
                WHERE referral_id = @id AND version = @expected
                """,
                new
                {
                    dischargedAt = discharge.DischargedAt,
                    destination = discharge.Destination.ToString(),
                    clinicianId = discharge.ClinicianId,
                    instructions = JsonSerializer.Serialize(discharge.Instructions, Json),
                    levels = JsonSerializer.Serialize(discharge.Procedure.Levels, Json),
                    cement = discharge.Procedure.TotalCementMl,
                    complications = JsonSerializer.Serialize(discharge.Procedure.Complications, Json),
                    endedAt = discharge.Procedure.EndedAt,
                    version = discharged.Version,
                    id = discharged.ReferralId.ToString(),
                    expected = discharged.Version - 1,
                });
            await outbox.AddAsync(connection, transaction, @event, discharged.ReferralId);
            return 0;
        }, cancellationToken);
    }

    /// <summary>
    /// Marks the minimum observation elapsed (the timer's record). The version is left alone: the marker informs,
    /// it decides nothing (the gate reads the clock), so it must not make a concurrent discharge retry.
    /// </summary>
    public async Task<bool> MarkMinimumElapsedAsync(DbConnection connection, DbTransaction transaction, Guid referralId, DateTimeOffset at) =>
        await connection.ExecuteAsync(
            "UPDATE observation SET minimum_elapsed_at = @at WHERE referral_id = @id AND minimum_elapsed_at IS NULL",
            new { at, id = referralId.ToString() },
            transaction) == 1;

    private static async Task UpdateVersionedAsync(DbConnection connection, DbTransaction transaction, string sql, object parameters)
    {
        if (await connection.ExecuteAsync(sql, parameters, transaction) == 0)
        {
            throw new RpcException(new Status(StatusCode.Aborted, "Observation modified concurrently, retry."));
        }
    }

    private static IReadOnlyList<string> ReadList(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<string>>(json, Json) ?? [];

    // Dapper row types are classes with init properties: SQLite returns Int64 for every INTEGER.
    private sealed class ObservationRow
    {
        public string ReferralId { get; init; } = "";

        public string PatientId { get; init; } = "";

        public DateTimeOffset StartedAt { get; init; }

        public DateTimeOffset MinimumUntil { get; init; }

        public DateTimeOffset? MinimumElapsedAt { get; init; }

        public int ObservationCount { get; init; }

        public DateTimeOffset? DischargedAt { get; init; }

        public string? Destination { get; init; }

        public string? ClinicianId { get; init; }

        public string? Instructions { get; init; }

        public string? ProcedureLevels { get; init; }

        public double? ProcedureCementMl { get; init; }

        public string? ProcedureComplications { get; init; }

        public DateTimeOffset? ProcedureEndedAt { get; init; }

        public long Version { get; init; }

        public PatientObservation ToDomain(ObservationRound? lastRound)
        {
            DischargeRecord? discharge = null;
            if (DischargedAt is { } dischargedAt)
            {
                var procedure = new ProcedureOutline(ReadList(ProcedureLevels), ProcedureCementMl ?? 0, ReadList(ProcedureComplications), ProcedureEndedAt);
                discharge = new DischargeRecord(
                    dischargedAt, Enum.Parse<DischargeDestination>(Destination!), ClinicianId ?? "", ReadList(Instructions), procedure);
            }

            return new PatientObservation(
                Guid.Parse(ReferralId), Guid.Parse(PatientId), StartedAt, MinimumUntil, MinimumElapsedAt, ObservationCount, lastRound, discharge, Version);
        }
    }

    private sealed class RoundRow
    {
        public DateTimeOffset TakenAt { get; init; }

        public int HeartRate { get; init; }

        public int SystolicBp { get; init; }

        public int DiastolicBp { get; init; }

        public int SpO2 { get; init; }

        public int RespiratoryRate { get; init; }

        public double TemperatureC { get; init; }

        public int PainScore { get; init; }

        public int LegsNeuroNormal { get; init; }

        public int PunctureSiteOk { get; init; }

        public ObservationRound ToDomain() => new(
            new VitalSigns(HeartRate, SystolicBp, DiastolicBp, SpO2, RespiratoryRate, TemperatureC),
            PainScore,
            LegsNeuroNormal != 0,
            PunctureSiteOk != 0,
            TakenAt);
    }
}
