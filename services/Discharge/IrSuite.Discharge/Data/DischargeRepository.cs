using System.Data.Common;
using System.Globalization;
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
    /// <summary>The database the repository writes to (idempotent commands claim their request id in it).</summary>
    public DischargeDatabase Database => database;

    private const string ObservationColumns =
        """
        SELECT referral_id AS ReferralId, patient_id AS PatientId, started_at AS StartedAt, minimum_until AS MinimumUntil,
               minimum_elapsed_at AS MinimumElapsedAt, discharged_at AS DischargedAt,
               destination AS Destination, clinician_id AS ClinicianId, instructions AS Instructions,
               procedure_levels AS ProcedureLevels, procedure_cement_ml AS ProcedureCementMl,
               procedure_complications AS ProcedureComplications, procedure_ended_at AS ProcedureEndedAt, version AS Version,
               admission AS Admission, sedation_mode AS SedationMode, close_neuro_watch AS CloseNeuroWatch,
               skin_dose_follow_up AS SkinDoseFollowUp, indication AS Indication, protocol_version AS ProtocolVersion,
               escalation_reason AS EscalationReason, escalation_raised_at AS EscalationRaisedAt,
               escalation_resolved_at AS EscalationResolvedAt, escalation_resolved_by AS EscalationResolvedBy,
               escalation_outcome AS EscalationOutcome, instruction_codes AS InstructionCodes,
               discharge_protocol_version AS DischargeProtocolVersion, aldrete_at_discharge AS AldreteAtDischarge,
               padss_at_discharge AS PadssAtDischarge, escort_present AS EscortPresent, post_call_due_at AS PostCallDueAt,
               follow_up_due_date AS FollowUpDueDate, follow_up_window_days AS FollowUpWindowDays,
               overdue_at_discharge AS OverdueAtDischarge
        FROM observation
        """;

    private const string RoundColumns =
        """
        SELECT referral_id AS ReferralId, taken_at AS TakenAt, heart_rate AS HeartRate, systolic_bp AS SystolicBp,
               diastolic_bp AS DiastolicBp, spo2 AS SpO2, respiratory_rate AS RespiratoryRate, temperature_c AS TemperatureC,
               pain_score AS PainScore, legs_neuro_normal AS LegsNeuroNormal, puncture_site_ok AS PunctureSiteOk,
               aldrete_activity AS AldreteActivity, aldrete_respiration AS AldreteRespiration, aldrete_circulation AS AldreteCirculation,
               aldrete_consciousness AS AldreteConsciousness, aldrete_oxygen_saturation AS AldreteOxygenSaturation,
               padss_vital_signs AS PadssVitalSigns, padss_ambulation AS PadssAmbulation, padss_nausea_vomiting AS PadssNauseaVomiting,
               padss_pain AS PadssPain, padss_surgical_bleeding AS PadssSurgicalBleeding
        FROM observation_round
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Opens an observation; false when the referral already has one (a duplicate completion).</summary>
    public async Task<bool> TryOpenAsync(DbConnection connection, DbTransaction transaction, PatientObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var context = observation.Context;
        var inserted = await connection.ExecuteAsync(
            """
            INSERT INTO observation (referral_id, patient_id, started_at, minimum_until, observation_count, version,
                                     admission, sedation_mode, close_neuro_watch, skin_dose_follow_up, indication, protocol_version)
            VALUES (@referralId, @patientId, @startedAt, @minimumUntil, 0, @version,
                    @admission, @sedationMode, @closeNeuroWatch, @skinDoseFollowUp, @indication, @protocolVersion)
            ON CONFLICT DO NOTHING
            """,
            new
            {
                referralId = observation.ReferralId.ToString(),
                patientId = observation.PatientId.ToString(),
                startedAt = observation.StartedAt,
                minimumUntil = observation.MinimumUntil,
                version = observation.Version,
                admission = context.Admission,
                sedationMode = context.SedationMode,
                closeNeuroWatch = context.CloseNeuroWatch ? 1 : 0,
                skinDoseFollowUp = context.SkinDoseFollowUp ? 1 : 0,
                indication = context.Indication,
                protocolVersion = context.ProtocolVersion,
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
        var row = await connection.QuerySingleOrDefaultAsync<ObservationRow>(ObservationColumns + " WHERE referral_id = @id", new { id }, transaction);
        if (row is null)
        {
            return null;
        }

        var rounds = await connection.QueryAsync<RoundRow>(RoundColumns + " WHERE referral_id = @id ORDER BY seq", new { id }, transaction);
        return row.ToDomain([.. rounds.Select(r => r.ToDomain())]);
    }

    /// <summary>The observations not discharged yet (the recovery-room board), by start.</summary>
    public async Task<IReadOnlyList<PatientObservation>> ListInProgressAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<ObservationRow>(ObservationColumns + " WHERE discharged_at IS NULL ORDER BY started_at, referral_id")).ToList();
        var rounds = (await connection.QueryAsync<RoundRow>(
                RoundColumns + " WHERE referral_id IN (SELECT referral_id FROM observation WHERE discharged_at IS NULL) ORDER BY referral_id, seq"))
            .ToLookup(r => r.ReferralId, StringComparer.Ordinal);
        return [.. rows.Select(row => row.ToDomain([.. rounds[row.ReferralId].Select(r => r.ToDomain())]))];
    }

    /// <summary>
    /// Stores a recorded round (<paramref name="updated"/> is the state after <see cref="PatientObservation.Observe"/>),
    /// the escalation state, and the escalation event when one was raised, in one transaction.
    /// </summary>
    public Task SaveRoundAsync(PatientObservation updated, CancellationToken cancellationToken, object? escalationRaised = null) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await SaveRoundAsync(connection, transaction, updated, escalationRaised);
            return 0;
        }, cancellationToken);

    /// <summary>As <see cref="SaveRoundAsync(PatientObservation, CancellationToken, object?)"/>, in the caller's transaction.</summary>
    public async Task SaveRoundAsync(DbConnection connection, DbTransaction transaction, PatientObservation updated, object? escalationRaised)
    {
        ArgumentNullException.ThrowIfNull(updated);
        var round = updated.LastRound ?? throw new ArgumentException("No round to save.", nameof(updated));
        await UpdateVersionedAsync(
            connection,
            transaction,
            """
            UPDATE observation SET observation_count = @count, version = @version, escalation_reason = @reason,
                   escalation_raised_at = @raisedAt, escalation_resolved_at = @resolvedAt, escalation_resolved_by = @resolvedBy,
                   escalation_outcome = @outcome
            WHERE referral_id = @id AND version = @expected
            """,
            EscalationParameters(updated, new { count = updated.ObservationCount }));
        await connection.ExecuteAsync(
            """
            INSERT INTO observation_round (referral_id, seq, taken_at, heart_rate, systolic_bp, diastolic_bp, spo2, respiratory_rate,
                                           temperature_c, pain_score, legs_neuro_normal, puncture_site_ok,
                                           aldrete_activity, aldrete_respiration, aldrete_circulation, aldrete_consciousness,
                                           aldrete_oxygen_saturation, padss_vital_signs, padss_ambulation, padss_nausea_vomiting,
                                           padss_pain, padss_surgical_bleeding)
            VALUES (@id, @seq, @takenAt, @heartRate, @systolicBp, @diastolicBp, @spo2, @respiratoryRate,
                    @temperatureC, @painScore, @legsNeuroNormal, @punctureSiteOk,
                    @aldreteActivity, @aldreteRespiration, @aldreteCirculation, @aldreteConsciousness,
                    @aldreteOxygenSaturation, @padssVitalSigns, @padssAmbulation, @padssNauseaVomiting,
                    @padssPain, @padssSurgicalBleeding)
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
                aldreteActivity = round.Aldrete?.Activity,
                aldreteRespiration = round.Aldrete?.Respiration,
                aldreteCirculation = round.Aldrete?.Circulation,
                aldreteConsciousness = round.Aldrete?.Consciousness,
                aldreteOxygenSaturation = round.Aldrete?.OxygenSaturation,
                padssVitalSigns = round.Padss?.VitalSigns,
                padssAmbulation = round.Padss?.Ambulation,
                padssNauseaVomiting = round.Padss?.NauseaVomiting,
                padssPain = round.Padss?.Pain,
                padssSurgicalBleeding = round.Padss?.SurgicalBleeding,
            },
            transaction);
        if (escalationRaised is not null)
        {
            await outbox.AddAsync(connection, transaction, escalationRaised, updated.ReferralId);
        }
    }

    /// <summary>Adds an event to the outbox in the caller's transaction (it is published after the commit).</summary>
    public Task PublishAsync(DbConnection connection, DbTransaction transaction, object @event, Guid referralId) =>
        outbox.AddAsync(connection, transaction, @event, referralId);

    /// <summary>Stores the escalation's resolution.</summary>
    public Task SaveEscalationAsync(PatientObservation updated, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await SaveEscalationAsync(connection, transaction, updated);
            return 0;
        }, cancellationToken);

    /// <summary>As <see cref="SaveEscalationAsync(PatientObservation, CancellationToken)"/>, in the caller's transaction.</summary>
    public async Task SaveEscalationAsync(DbConnection connection, DbTransaction transaction, PatientObservation updated)
    {
        ArgumentNullException.ThrowIfNull(updated);
        await UpdateVersionedAsync(
            connection,
            transaction,
            """
            UPDATE observation SET version = @version, escalation_reason = @reason, escalation_raised_at = @raisedAt,
                   escalation_resolved_at = @resolvedAt, escalation_resolved_by = @resolvedBy, escalation_outcome = @outcome
            WHERE referral_id = @id AND version = @expected
            """,
            EscalationParameters(updated, null));
    }

    /// <summary>Stores the discharge and its event in one transaction.</summary>
    public Task SaveDischargeAsync(PatientObservation discharged, object @event, CancellationToken cancellationToken) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await SaveDischargeAsync(connection, transaction, discharged, @event);
            return 0;
        }, cancellationToken);

    /// <summary>As <see cref="SaveDischargeAsync(PatientObservation, object, CancellationToken)"/>, in the caller's transaction.</summary>
    public async Task SaveDischargeAsync(DbConnection connection, DbTransaction transaction, PatientObservation discharged, object @event)
    {
        ArgumentNullException.ThrowIfNull(discharged);
        var discharge = discharged.Discharge ?? throw new ArgumentException("Not discharged.", nameof(discharged));
        await UpdateVersionedAsync(
            connection,
            transaction,
            """
            UPDATE observation SET discharged_at = @dischargedAt, destination = @destination, clinician_id = @clinicianId,
                   instructions = @instructions, procedure_levels = @levels, procedure_cement_ml = @cement,
                   procedure_complications = @complications, procedure_ended_at = @endedAt, version = @version,
                   instruction_codes = @codes, discharge_protocol_version = @protocolVersion, aldrete_at_discharge = @aldrete,
                   padss_at_discharge = @padss, escort_present = @escort, post_call_due_at = @callDue,
                   follow_up_due_date = @followUpDue, follow_up_window_days = @followUpWindow, overdue_at_discharge = @overdue
            WHERE referral_id = @id AND version = @expected
            """,
            new
            {
                dischargedAt = discharge.DischargedAt,
                destination = discharge.Destination.ToString(),
                clinicianId = discharge.ClinicianId,
                instructions = JsonSerializer.Serialize(discharge.Instructions.Select(i => i.Text), Json),
                codes = JsonSerializer.Serialize(discharge.Instructions.Select(i => i.Code), Json),
                levels = JsonSerializer.Serialize(discharge.Procedure.Levels, Json),
                cement = discharge.Procedure.TotalCementMl,
                complications = JsonSerializer.Serialize(discharge.Procedure.Complications, Json),
                endedAt = discharge.Procedure.EndedAt,
                protocolVersion = discharge.ProtocolVersion,
                aldrete = discharge.AldreteScore,
                padss = discharge.PadssScore,
                escort = discharge.EscortPresent ? 1 : 0,
                callDue = discharge.PostDischargeCallDueAt,
                followUpDue = discharge.FollowUpDueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                followUpWindow = discharge.FollowUpWindowDays,
                overdue = discharge.OverdueCheckCount,
                version = discharged.Version,
                id = discharged.ReferralId.ToString(),
                expected = discharged.Version - 1,
            });
        await outbox.AddAsync(connection, transaction, @event, discharged.ReferralId);
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

    private static DynamicParameters EscalationParameters(PatientObservation updated, object? extra)
    {
        var parameters = new DynamicParameters(extra);
        parameters.Add("version", updated.Version);
        parameters.Add("id", updated.ReferralId.ToString());
        parameters.Add("expected", updated.Version - 1);
        parameters.Add("reason", updated.Escalation?.Reason);
        parameters.Add("raisedAt", updated.Escalation?.RaisedAt);
        parameters.Add("resolvedAt", updated.Escalation?.ResolvedAt);
        parameters.Add("resolvedBy", updated.Escalation?.ResolvedBy);
        parameters.Add("outcome", updated.Escalation?.Outcome);
        return parameters;
    }

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

        public DateTimeOffset? DischargedAt { get; init; }

        public string? Destination { get; init; }

        public string? ClinicianId { get; init; }

        public string? Instructions { get; init; }

        public string? ProcedureLevels { get; init; }

        public double? ProcedureCementMl { get; init; }

        public string? ProcedureComplications { get; init; }

        public DateTimeOffset? ProcedureEndedAt { get; init; }

        public long Version { get; init; }

        public string? Admission { get; init; }

        public string? SedationMode { get; init; }

        public int CloseNeuroWatch { get; init; }

        public int SkinDoseFollowUp { get; init; }

        public string? Indication { get; init; }

        public string? ProtocolVersion { get; init; }

        public string? EscalationReason { get; init; }

        public DateTimeOffset? EscalationRaisedAt { get; init; }

        public DateTimeOffset? EscalationResolvedAt { get; init; }

        public string? EscalationResolvedBy { get; init; }

        public string? EscalationOutcome { get; init; }

        public string? InstructionCodes { get; init; }

        public string? DischargeProtocolVersion { get; init; }

        public int? AldreteAtDischarge { get; init; }

        public int? PadssAtDischarge { get; init; }

        public int? EscortPresent { get; init; }

        public DateTimeOffset? PostCallDueAt { get; init; }

        public string? FollowUpDueDate { get; init; }

        public int? FollowUpWindowDays { get; init; }

        public int? OverdueAtDischarge { get; init; }

        public PatientObservation ToDomain(IReadOnlyList<ObservationRound> rounds)
        {
            DischargeRecord? discharge = null;
            if (DischargedAt is { } dischargedAt)
            {
                var procedure = new ProcedureOutline(ReadList(ProcedureLevels), ProcedureCementMl ?? 0, ReadList(ProcedureComplications), ProcedureEndedAt);
                var texts = ReadList(Instructions);
                var codes = ReadList(InstructionCodes);
                // Discharges recorded before instruction codes existed keep their texts, without codes.
                var instructions = texts.Select((text, i) => new InstructionLine(i < codes.Count ? codes[i] : "", text)).ToList();
                discharge = new DischargeRecord(
                    dischargedAt, Enum.Parse<DischargeDestination>(Destination!), ClinicianId ?? "", instructions, procedure)
                {
                    ProtocolVersion = DischargeProtocolVersion ?? "",
                    AldreteScore = AldreteAtDischarge,
                    PadssScore = PadssAtDischarge,
                    EscortPresent = EscortPresent == 1,
                    PostDischargeCallDueAt = PostCallDueAt ?? dischargedAt,
                    FollowUpDueDate = FollowUpDueDate is { Length: > 0 } date ? DateOnly.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                    FollowUpWindowDays = FollowUpWindowDays ?? 0,
                    OverdueCheckCount = OverdueAtDischarge ?? 0,
                };
            }

            var escalation = EscalationReason is { } reason && EscalationRaisedAt is { } raisedAt
                ? new EscalationState(reason, raisedAt, EscalationResolvedAt, EscalationResolvedBy, EscalationOutcome)
                : null;
            return new PatientObservation(Guid.Parse(ReferralId), Guid.Parse(PatientId), StartedAt, MinimumUntil, MinimumElapsedAt, rounds, discharge, Version)
            {
                Context = new ObservationContext(
                    string.IsNullOrEmpty(Admission) ? ObservationContext.Unknown.Admission : Admission,
                    SedationMode ?? "",
                    CloseNeuroWatch != 0,
                    SkinDoseFollowUp != 0,
                    Indication ?? "",
                    ProtocolVersion ?? ""),
                Escalation = escalation,
            };
        }
    }

    private sealed class RoundRow
    {
        public string ReferralId { get; init; } = "";

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

        public int? AldreteActivity { get; init; }

        public int? AldreteRespiration { get; init; }

        public int? AldreteCirculation { get; init; }

        public int? AldreteConsciousness { get; init; }

        public int? AldreteOxygenSaturation { get; init; }

        public int? PadssVitalSigns { get; init; }

        public int? PadssAmbulation { get; init; }

        public int? PadssNauseaVomiting { get; init; }

        public int? PadssPain { get; init; }

        public int? PadssSurgicalBleeding { get; init; }

        public ObservationRound ToDomain() => new(
            new VitalSigns(HeartRate, SystolicBp, DiastolicBp, SpO2, RespiratoryRate, TemperatureC),
            PainScore,
            LegsNeuroNormal != 0,
            PunctureSiteOk != 0,
            TakenAt)
        {
            Aldrete = AldreteActivity is { } activity
                ? new AldreteItems(activity, AldreteRespiration ?? 0, AldreteCirculation ?? 0, AldreteConsciousness ?? 0, AldreteOxygenSaturation ?? 0)
                : null,
            Padss = PadssVitalSigns is { } vitals
                ? new PadssItems(vitals, PadssAmbulation ?? 0, PadssNauseaVomiting ?? 0, PadssPain ?? 0, PadssSurgicalBleeding ?? 0)
                : null,
        };
    }
}
