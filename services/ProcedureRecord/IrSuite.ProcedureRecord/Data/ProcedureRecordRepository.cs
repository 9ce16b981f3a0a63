using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using IrSuite.ProcedureRecord.Domain;

namespace IrSuite.ProcedureRecord.Data;

/// <summary>
/// Reads and writes cases with Dapper, inside the caller's connection and transaction (so a state change, its
/// outbox rows and, for consumers, the inbox row commit together). Updates are optimistic: a case whose version
/// moved since it was read throws <see cref="ConcurrencyConflictException"/>.
/// </summary>
public sealed class ProcedureRecordRepository
{
    private const string CaseColumns =
        "referral_id AS ReferralId, patient_id AS PatientId, status AS Status, scheduled_levels AS ScheduledLevels, "
        + "confirmed_levels AS ConfirmedLevels, room AS Room, scheduled_start AS ScheduledStart, "
        + "schedule_updated_at_ms AS ScheduleUpdatedAtMs, operator_id AS OperatorId, signed_in_at AS SignedInAt, "
        + "timed_out_at AS TimedOutAt, signed_out_at AS SignedOutAt, ended_at AS EndedAt, cancelled_at AS CancelledAt, "
        + "dose_area_product_gy_cm2 AS DoseAreaProductGyCm2, reference_air_kerma_mgy AS ReferenceAirKermaMgy, "
        + "fluoroscopy_seconds AS FluoroscopySeconds, ct_dlp_mgy_cm AS CtDlpMgyCm, discontinue_reason AS DiscontinueReason, "
        + "version AS Version, consented_levels AS ConsentedLevels, sedation_mode AS SedationMode, admission AS Admission, "
        + "allergy_classes AS AllergyClasses, pregnancy AS Pregnancy, indication AS Indication, duration_minutes AS DurationMinutes, "
        + "scheduled_protocol_version AS ScheduledProtocolVersion, protocol_version AS ProtocolVersion, signed_out_by AS SignedOutBy, "
        + "last_clear_liquids_at AS LastClearLiquidsAt, last_light_meal_at AS LastLightMealAt, last_fatty_meal_at AS LastFattyMealAt, "
        + "control_ct_done AS ControlCtDone, dose_alerts AS DoseAlerts, skin_follow_up AS SkinFollowUp, time_outs AS TimeOuts, "
        + "abandoned_levels AS AbandonedLevels, escalations AS Escalations, accession_seq AS AccessionSeq, "
        + "(SELECT v.visited_at FROM pre_anesthetic_visit v WHERE v.referral_id = procedure_case.referral_id) AS PreAnestheticVisitAt";

    private const string TreatmentColumns =
        "referral_id AS ReferralId, level AS Level, approach AS Approach, trocar_gauge AS TrocarGauge, "
        + "cement_volume_ml AS CementVolumeMl, cement_product AS CementProduct, cement_lot AS CementLot, leakage AS Leakage, "
        + "leakage_symptomatic AS LeakageSymptomatic, recorded_at AS RecordedAt, cement_expiry AS CementExpiry, udi_di AS UdiDi, "
        + "operator_id AS OperatorId";

    private const string ComplicationColumns = "referral_id AS ReferralId, seq AS Seq, code AS Code, cirse_grade AS CirseGrade";

    /// <summary>The case of a referral, or null.</summary>
    public async Task<CaseRecord?> FindAsync(DbConnection connection, DbTransaction? transaction, Guid referralId, CancellationToken cancellationToken)
    {
        var id = referralId.ToString();
        var row = await connection.QuerySingleOrDefaultAsync<CaseRow>(new CommandDefinition(
            $"SELECT {CaseColumns} FROM procedure_case WHERE referral_id = @id", new { id }, transaction, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var treatments = await connection.QueryAsync<TreatmentRow>(new CommandDefinition(
            $"SELECT {TreatmentColumns} FROM level_treatment WHERE referral_id = @id ORDER BY recorded_at_ms, level",
            new { id }, transaction, cancellationToken: cancellationToken));
        var complications = await connection.QueryAsync<ComplicationRow>(new CommandDefinition(
            $"SELECT {ComplicationColumns} FROM complication WHERE referral_id = @id ORDER BY seq",
            new { id }, transaction, cancellationToken: cancellationToken));
        var steps = await connection.QueryAsync<StepRow>(new CommandDefinition(
            $"SELECT {StepColumns} FROM procedure_step WHERE referral_id = @id ORDER BY created_at_ms, step_id",
            new { id }, transaction, cancellationToken: cancellationToken));
        return ToRecord(row, treatments, complications, steps);
    }

    /// <summary>Cases (not cancelled) whose scheduled start falls on <paramref name="day"/> (UTC), in start order.</summary>
    public async Task<IReadOnlyList<CaseRecord>> WorklistAsync(DbConnection connection, DateOnly day, string? room, CancellationToken cancellationToken)
    {
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
        var to = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();
        var filter = "scheduled_start_ms >= @from AND scheduled_start_ms < @to AND status <> @cancelled"
            + (string.IsNullOrEmpty(room) ? "" : " AND room = @room");
        var parameters = new { from, to, cancelled = nameof(CaseState.Cancelled), room };
        var rows = (await connection.QueryAsync<CaseRow>(new CommandDefinition(
            $"SELECT {CaseColumns} FROM procedure_case WHERE {filter} ORDER BY scheduled_start_ms, referral_id",
            parameters, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0)
        {
            return [];
        }

        // Children by the same filter (a sub-select rather than IN @list: Dapper passes lists to Npgsql as one array).
        var treatments = (await connection.QueryAsync<TreatmentRow>(new CommandDefinition(
            $"SELECT {TreatmentColumns} FROM level_treatment WHERE referral_id IN (SELECT referral_id FROM procedure_case WHERE {filter}) "
            + "ORDER BY recorded_at_ms, level",
            parameters, cancellationToken: cancellationToken))).ToLookup(t => t.ReferralId, StringComparer.Ordinal);
        var complications = (await connection.QueryAsync<ComplicationRow>(new CommandDefinition(
            $"SELECT {ComplicationColumns} FROM complication WHERE referral_id IN (SELECT referral_id FROM procedure_case WHERE {filter}) ORDER BY seq",
            parameters, cancellationToken: cancellationToken))).ToLookup(c => c.ReferralId, StringComparer.Ordinal);
        var steps = (await connection.QueryAsync<StepRow>(new CommandDefinition(
            $"SELECT {StepColumns} FROM procedure_step WHERE referral_id IN (SELECT referral_id FROM procedure_case WHERE {filter}) "
            + "ORDER BY created_at_ms, step_id",
            parameters, cancellationToken: cancellationToken))).ToLookup(c => c.ReferralId, StringComparer.Ordinal);
        return rows.Select(r => ToRecord(r, treatments[r.ReferralId], complications[r.ReferralId], steps[r.ReferralId])).ToList();
    }

    /// <summary>The case an accession number names (its referral and patient pseudonym), or null.</summary>
    public async Task<(Guid ReferralId, Guid PatientId)?> FindByAccessionAsync(DbConnection connection, DbTransaction transaction, long accessionSeq, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CaseKeyRow>(new CommandDefinition(
            "SELECT referral_id AS ReferralId, patient_id AS PatientId FROM procedure_case WHERE accession_seq = @accessionSeq",
            new { accessionSeq }, transaction, cancellationToken: cancellationToken));
        return row is null ? null : (Guid.Parse(row.ReferralId), Guid.Parse(row.PatientId));
    }

    /// <summary>A performed procedure step by the OR system's id, or null.</summary>
    public async Task<PerformedStep?> FindStepAsync(DbConnection connection, DbTransaction transaction, string stepId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<StepRow>(new CommandDefinition(
            $"SELECT {StepColumns} FROM procedure_step WHERE step_id = @stepId", new { stepId }, transaction, cancellationToken: cancellationToken));
        return row is null ? null : ToStep(row);
    }

    /// <summary>
    /// Stores a step's new state: inserted when <paramref name="previous"/> is null, else updated only if the stored state is
    /// still <paramref name="previous"/>. False when another writer got there first (nothing written).
    /// </summary>
    public async Task<bool> SaveStepAsync(DbConnection connection, DbTransaction transaction, PerformedStep step, PerformedStep? previous, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        var parameters = new
        {
            step.StepId,
            ReferralId = step.ReferralId.ToString(),
            Status = step.Status.ToString(),
            step.StartedAt,
            step.EndedAt,
            LastReportAtMs = step.LastReportAt.ToUnixTimeMilliseconds(),
            step.FluoroscopySeconds,
            step.DoseAreaProductGyCm2,
            step.ReferenceAirKermaMgy,
            step.StationAeTitle,
            step.DiscontinuationReason,
            step.ReportedBy,
            CreatedAtMs = step.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAtMs = step.UpdatedAt.ToUnixTimeMilliseconds(),
            PreviousStatus = previous?.Status.ToString(),
            PreviousLastReportAtMs = previous?.LastReportAt.ToUnixTimeMilliseconds(),
            PreviousUpdatedAtMs = previous?.UpdatedAt.ToUnixTimeMilliseconds(),
        };
        var sql = previous is null
            ? """
              INSERT INTO procedure_step (step_id, referral_id, status, started_at, ended_at, last_report_at_ms, fluoroscopy_seconds,
                  dose_area_product_gy_cm2, reference_air_kerma_mgy, station_ae_title, discontinuation_reason, reported_by,
                  created_at_ms, updated_at_ms)
              VALUES (@StepId, @ReferralId, @Status, @StartedAt, @EndedAt, @LastReportAtMs, @FluoroscopySeconds, @DoseAreaProductGyCm2,
                  @ReferenceAirKermaMgy, @StationAeTitle, @DiscontinuationReason, @ReportedBy, @CreatedAtMs, @UpdatedAtMs)
              ON CONFLICT (step_id) DO NOTHING
              """
            : """
              UPDATE procedure_step SET status = @Status, started_at = @StartedAt, ended_at = @EndedAt, last_report_at_ms = @LastReportAtMs,
                  fluoroscopy_seconds = @FluoroscopySeconds, dose_area_product_gy_cm2 = @DoseAreaProductGyCm2,
                  reference_air_kerma_mgy = @ReferenceAirKermaMgy, station_ae_title = @StationAeTitle,
                  discontinuation_reason = @DiscontinuationReason, reported_by = @ReportedBy, updated_at_ms = @UpdatedAtMs
              WHERE step_id = @StepId AND status = @PreviousStatus AND last_report_at_ms = @PreviousLastReportAtMs
                  AND updated_at_ms = @PreviousUpdatedAtMs
              """;
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>
    /// Claims a message id of <paramref name="reporter"/> for this transaction: false when it was already taken (a
    /// concurrent claim waits for the other transaction on PostgreSQL, then sees it).
    /// </summary>
    public async Task<bool> ClaimStepMessageAsync(
        DbConnection connection, DbTransaction transaction, string reporter, string messageId, string stepId, string fingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO procedure_step_message (reporter, message_id, step_id, fingerprint, outcome, received_at_ms)
            VALUES (@reporter, @messageId, @stepId, @fingerprint, '', @ms)
            ON CONFLICT (reporter, message_id) DO NOTHING
            """,
            new { reporter, messageId, stepId, fingerprint, ms = now.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken)) == 1;

    /// <summary>Sets the outcome of a claimed message id, or (null) forgets the claim: a refused report leaves no row.</summary>
    public Task SettleStepMessageAsync(DbConnection connection, DbTransaction transaction, string reporter, string messageId, StepOutcome? outcome, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            outcome is null
                ? "DELETE FROM procedure_step_message WHERE reporter = @reporter AND message_id = @messageId"
                : "UPDATE procedure_step_message SET outcome = @outcome WHERE reporter = @reporter AND message_id = @messageId",
            new { reporter, messageId, outcome = outcome?.ToString() },
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>The fingerprint of the step report already taken from <paramref name="reporter"/> under <paramref name="messageId"/>, or null.</summary>
    public Task<string?> FindStepMessageAsync(DbConnection connection, DbTransaction transaction, string reporter, string messageId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT fingerprint FROM procedure_step_message WHERE reporter = @reporter AND message_id = @messageId",
            new { reporter, messageId }, transaction, cancellationToken: cancellationToken));

    /// <summary>True when a report with this content was already taken for the step (under any message id).</summary>
    public async Task<bool> StepContentSeenAsync(DbConnection connection, DbTransaction transaction, string stepId, string fingerprint, string exceptMessageId, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM procedure_step_message WHERE step_id = @stepId AND fingerprint = @fingerprint AND message_id <> @exceptMessageId AND outcome <> ''",
            new { stepId, fingerprint, exceptMessageId }, transaction, cancellationToken: cancellationToken)) > 0;

    /// <summary>
    /// Stores a pre-anaesthetic visit for a referral (whether or not its case exists yet), keeping the latest visit.
    /// Returns true when the stored visit changed.
    /// </summary>
    public async Task<bool> UpsertPreAnestheticVisitAsync(DbConnection connection, DbTransaction transaction, Guid referralId, DateTimeOffset visitedAt, CancellationToken cancellationToken)
    {
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO pre_anesthetic_visit (referral_id, visited_at, visited_at_ms) VALUES (@id, @visitedAt, @ms)
            ON CONFLICT (referral_id) DO UPDATE SET visited_at = excluded.visited_at, visited_at_ms = excluded.visited_at_ms
            WHERE excluded.visited_at_ms > pre_anesthetic_visit.visited_at_ms
            """,
            new { id = referralId.ToString(), visitedAt, ms = visitedAt.ToUnixTimeMilliseconds() },
            transaction,
            cancellationToken: cancellationToken));
        return changed > 0;
    }

    /// <summary>Every case and level that received a cement lot (optionally of one product), oldest first: the recall query.</summary>
    public async Task<IReadOnlyList<CementLotRecipient>> FindCementLotRecipientsAsync(DbConnection connection, string lot, string? product, CancellationToken cancellationToken)
    {
        var rows = await connection.QueryAsync<RecipientRow>(new CommandDefinition(
            "SELECT t.referral_id AS ReferralId, c.patient_id AS PatientId, t.level AS Level, t.cement_product AS CementProduct, "
            + "t.cement_lot AS CementLot, t.recorded_at AS RecordedAt FROM level_treatment t JOIN procedure_case c ON c.referral_id = t.referral_id "
            + "WHERE t.cement_lot = @lot" + (string.IsNullOrEmpty(product) ? "" : " AND t.cement_product = @product")
            + " ORDER BY t.recorded_at_ms, t.referral_id, t.level",
            new { lot, product },
            cancellationToken: cancellationToken));
        return rows.Select(r => new CementLotRecipient(Guid.Parse(r.ReferralId), Guid.Parse(r.PatientId), r.Level, r.CementProduct, r.CementLot, r.RecordedAt)).ToList();
    }

    /// <summary>Stores a new case as version 1.</summary>
    public async Task InsertAsync(DbConnection connection, DbTransaction transaction, CaseRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO procedure_case (referral_id, patient_id, status, scheduled_levels, confirmed_levels, room, scheduled_start,
                scheduled_start_ms, schedule_updated_at_ms, operator_id, signed_in_at, timed_out_at, signed_out_at, ended_at, cancelled_at,
                dose_area_product_gy_cm2, reference_air_kerma_mgy, fluoroscopy_seconds, ct_dlp_mgy_cm, discontinue_reason, version,
                consented_levels, sedation_mode, admission, allergy_classes, pregnancy, indication, duration_minutes,
                scheduled_protocol_version, protocol_version, last_clear_liquids_at, last_light_meal_at, last_fatty_meal_at,
                control_ct_done, dose_alerts, skin_follow_up, time_outs, abandoned_levels, escalations, signed_out_by)
            VALUES (@ReferralId, @PatientId, @Status, @ScheduledLevels, @ConfirmedLevels, @Room, @ScheduledStart,
                @ScheduledStartMs, @ScheduleUpdatedAtMs, @OperatorId, @SignedInAt, @TimedOutAt, @SignedOutAt, @EndedAt, @CancelledAt,
                @DoseAreaProductGyCm2, @ReferenceAirKermaMgy, @FluoroscopySeconds, @CtDlpMgyCm, @DiscontinueReason, 1,
                @ConsentedLevels, @SedationMode, @Admission, @AllergyClasses, @Pregnancy, @Indication, @DurationMinutes,
                @ScheduledProtocolVersion, @ProtocolVersion, @LastClearLiquidsAt, @LastLightMealAt, @LastFattyMealAt,
                @ControlCtDone, @DoseAlerts, @SkinFollowUp, @TimeOuts, @AbandonedLevels, @Escalations, @SignedOutBy)
            """,
            Parameters(record), transaction, cancellationToken: cancellationToken));
        await InsertChildrenAsync(connection, transaction, record, cancellationToken);
        // The accession number is drawn once, when the booking first arrives; re-delivery and rescheduling update the
        // existing row and keep it (decision 0016). The UPDATE locks the counter row until this transaction ends.
        var seq = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "UPDATE accession_counter SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq", transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE procedure_case SET accession_seq = @seq WHERE referral_id = @id",
            new { seq, id = record.ReferralId.ToString() }, transaction, cancellationToken: cancellationToken));
        record.AttachModality(new ModalityRecord(seq, []));
        record.MarkSaved(1);
    }

    /// <summary>Saves a changed case if nobody saved it since it was read; new treatments and complications are added.</summary>
    public async Task UpdateAsync(DbConnection connection, DbTransaction transaction, CaseRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE procedure_case SET status = @Status, scheduled_levels = @ScheduledLevels, confirmed_levels = @ConfirmedLevels,
                room = @Room, scheduled_start = @ScheduledStart, scheduled_start_ms = @ScheduledStartMs,
                schedule_updated_at_ms = @ScheduleUpdatedAtMs, operator_id = @OperatorId, signed_in_at = @SignedInAt,
                timed_out_at = @TimedOutAt, signed_out_at = @SignedOutAt, ended_at = @EndedAt, cancelled_at = @CancelledAt,
                dose_area_product_gy_cm2 = @DoseAreaProductGyCm2, reference_air_kerma_mgy = @ReferenceAirKermaMgy,
                fluoroscopy_seconds = @FluoroscopySeconds, ct_dlp_mgy_cm = @CtDlpMgyCm, discontinue_reason = @DiscontinueReason,
                consented_levels = @ConsentedLevels, sedation_mode = @SedationMode, admission = @Admission,
                allergy_classes = @AllergyClasses, pregnancy = @Pregnancy, indication = @Indication, duration_minutes = @DurationMinutes,
                scheduled_protocol_version = @ScheduledProtocolVersion, protocol_version = @ProtocolVersion,
                last_clear_liquids_at = @LastClearLiquidsAt, last_light_meal_at = @LastLightMealAt, last_fatty_meal_at = @LastFattyMealAt,
                control_ct_done = @ControlCtDone, dose_alerts = @DoseAlerts, skin_follow_up = @SkinFollowUp, time_outs = @TimeOuts,
                abandoned_levels = @AbandonedLevels, escalations = @Escalations, signed_out_by = @SignedOutBy,
                version = @Version + 1
            WHERE referral_id = @ReferralId AND version = @Version
            """,
            Parameters(record), transaction, cancellationToken: cancellationToken));
        if (updated == 0)
        {
            throw new ConcurrencyConflictException(record.ReferralId);
        }

        await InsertChildrenAsync(connection, transaction, record, cancellationToken);
        record.MarkSaved(record.Version + 1);
    }

    private static async Task InsertChildrenAsync(DbConnection connection, DbTransaction transaction, CaseRecord record, CancellationToken cancellationToken)
    {
        var id = record.ReferralId.ToString();
        // Treatments and complications are never changed once written: inserting the ones not yet stored is enough.
        foreach (var t in record.Treatments)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO level_treatment (referral_id, level, approach, trocar_gauge, cement_volume_ml, cement_product, cement_lot,
                    leakage, leakage_symptomatic, recorded_at, recorded_at_ms, cement_expiry, udi_di, operator_id)
                VALUES (@id, @Level, @Approach, @TrocarGauge, @CementVolumeMl, @CementProduct, @CementLot, @Leakage, @Symptomatic,
                    @RecordedAt, @RecordedAtMs, @CementExpiry, @UdiDi, @OperatorId)
                ON CONFLICT (referral_id, level) DO NOTHING
                """,
                new
                {
                    id,
                    t.Level,
                    Approach = t.Approach.ToString(),
                    TrocarGauge = (long)t.TrocarGauge,
                    t.CementVolumeMl,
                    t.CementProduct,
                    t.CementLot,
                    Leakage = t.Leakage.ToString(),
                    Symptomatic = t.LeakageSymptomatic ? 1L : 0L,
                    t.RecordedAt,
                    RecordedAtMs = t.RecordedAt.ToUnixTimeMilliseconds(),
                    CementExpiry = t.CementExpiry?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    t.UdiDi,
                    t.OperatorId,
                },
                transaction,
                cancellationToken: cancellationToken));
        }

        for (var i = 0; i < record.Complications.Count; i++)
        {
            var c = record.Complications[i];
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO complication (referral_id, seq, code, cirse_grade) VALUES (@id, @seq, @Code, @grade) ON CONFLICT (referral_id, seq) DO NOTHING",
                new { id, seq = (long)i, c.Code, grade = (long)c.CirseGrade },
                transaction,
                cancellationToken: cancellationToken));
        }
    }

    private static object Parameters(CaseRecord r) => new
    {
        ReferralId = r.ReferralId.ToString(),
        PatientId = r.PatientId.ToString(),
        Status = r.State.ToString(),
        ScheduledLevels = JsonSerializer.Serialize(r.ScheduledLevels),
        ConfirmedLevels = JsonSerializer.Serialize(r.ConfirmedLevels),
        r.Room,
        r.ScheduledStart,
        ScheduledStartMs = r.ScheduledStart.ToUnixTimeMilliseconds(),
        ScheduleUpdatedAtMs = r.ScheduleUpdatedAt.ToUnixTimeMilliseconds(),
        r.OperatorId,
        r.SignedInAt,
        r.TimedOutAt,
        r.SignedOutAt,
        r.EndedAt,
        r.CancelledAt,
        DoseAreaProductGyCm2 = r.Dose?.DoseAreaProductGyCm2,
        ReferenceAirKermaMgy = r.Dose?.ReferenceAirKermaMgy,
        FluoroscopySeconds = r.Dose?.FluoroscopySeconds,
        CtDlpMgyCm = r.Dose?.CtDlpMgyCm,
        r.DiscontinueReason,
        r.Version,
        ConsentedLevels = JsonSerializer.Serialize(r.Booking.ConsentedLevels),
        r.Booking.SedationMode,
        r.Booking.Admission,
        AllergyClasses = JsonSerializer.Serialize(r.Booking.AllergyClasses),
        r.Booking.Pregnancy,
        r.Booking.Indication,
        DurationMinutes = (long)r.Booking.DurationMinutes,
        r.Booking.ScheduledProtocolVersion,
        r.ProtocolVersion,
        r.SignedOutBy,
        r.Fasting.LastClearLiquidsAt,
        r.Fasting.LastLightMealAt,
        r.Fasting.LastFattyMealAt,
        ControlCtDone = r.Dose?.ControlCtDone == true ? 1L : 0L,
        DoseAlerts = JsonSerializer.Serialize(r.DoseAlertCodes),
        SkinFollowUp = r.SkinFollowUp is null ? null : JsonSerializer.Serialize(r.SkinFollowUp),
        TimeOuts = JsonSerializer.Serialize(r.TimeOuts),
        AbandonedLevels = JsonSerializer.Serialize(r.AbandonedLevels),
        Escalations = JsonSerializer.Serialize(r.Escalations),
    };

    private const string StepColumns =
        "step_id AS StepId, referral_id AS ReferralId, status AS Status, started_at AS StartedAt, ended_at AS EndedAt, "
        + "last_report_at_ms AS LastReportAtMs, fluoroscopy_seconds AS FluoroscopySeconds, dose_area_product_gy_cm2 AS DoseAreaProductGyCm2, "
        + "reference_air_kerma_mgy AS ReferenceAirKermaMgy, station_ae_title AS StationAeTitle, discontinuation_reason AS DiscontinuationReason, "
        + "reported_by AS ReportedBy, created_at_ms AS CreatedAtMs, updated_at_ms AS UpdatedAtMs";

    private static PerformedStep ToStep(StepRow row) => new(
        row.StepId,
        Guid.Parse(row.ReferralId),
        Enum.Parse<StepStatus>(row.Status),
        row.StartedAt,
        row.EndedAt,
        DateTimeOffset.FromUnixTimeMilliseconds(row.LastReportAtMs),
        row.FluoroscopySeconds,
        row.DoseAreaProductGyCm2,
        row.ReferenceAirKermaMgy,
        row.StationAeTitle,
        row.DiscontinuationReason,
        row.ReportedBy,
        DateTimeOffset.FromUnixTimeMilliseconds(row.CreatedAtMs),
        DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAtMs));

    private static CaseRecord ToRecord(CaseRow row, IEnumerable<TreatmentRow> treatments, IEnumerable<ComplicationRow> complications, IEnumerable<StepRow> steps)
    {
        var record = ToRecord(row, treatments, complications);
        record.AttachModality(new ModalityRecord(row.AccessionSeq, steps.Select(ToStep).ToList()));
        return record;
    }

    private static CaseRecord ToRecord(CaseRow row, IEnumerable<TreatmentRow> treatments, IEnumerable<ComplicationRow> complications)
    {
        var dose = row.DoseAreaProductGyCm2 is { } dap
            ? new RadiationDose(dap, row.ReferenceAirKermaMgy ?? 0, row.FluoroscopySeconds ?? 0, row.CtDlpMgyCm ?? 0, row.ControlCtDone != 0)
            : null;
        return CaseRecord.Restore(new StoredCase(
            Guid.Parse(row.ReferralId),
            Guid.Parse(row.PatientId),
            Enum.Parse<CaseState>(row.Status),
            JsonSerializer.Deserialize<List<string>>(row.ScheduledLevels) ?? [],
            JsonSerializer.Deserialize<List<string>>(row.ConfirmedLevels) ?? [],
            treatments.Select(t => new TreatedLevel(
                t.Level,
                Enum.Parse<TrocarApproach>(t.Approach),
                (int)t.TrocarGauge,
                t.CementVolumeMl,
                t.CementProduct,
                t.CementLot,
                Enum.Parse<CementLeakage>(t.Leakage),
                t.LeakageSymptomatic != 0,
                t.RecordedAt,
                t.CementExpiry is null ? null : DateOnly.ParseExact(t.CementExpiry, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                t.UdiDi,
                t.OperatorId ?? "")).ToList(),
            dose,
            complications.Select(c => new RecordedComplication(c.Code, (int)c.CirseGrade)).ToList(),
            row.Room,
            row.ScheduledStart,
            DateTimeOffset.FromUnixTimeMilliseconds(row.ScheduleUpdatedAtMs),
            row.OperatorId,
            row.SignedInAt,
            row.TimedOutAt,
            row.SignedOutAt,
            row.EndedAt,
            row.CancelledAt,
            row.DiscontinueReason,
            row.Version)
        {
            Booking = new BookingDetails(
                Json<List<string>>(row.ConsentedLevels) ?? [],
                row.SedationMode,
                row.Admission,
                Json<List<string>>(row.AllergyClasses) ?? [],
                row.Pregnancy,
                row.Indication,
                (int)row.DurationMinutes,
                row.ScheduledProtocolVersion),
            ProtocolVersion = row.ProtocolVersion,
            SignedOutBy = row.SignedOutBy,
            PreAnestheticVisitAt = row.PreAnestheticVisitAt,
            Fasting = new FastingReport(row.LastClearLiquidsAt, row.LastLightMealAt, row.LastFattyMealAt),
            DoseAlerts = Json<List<string>>(row.DoseAlerts) ?? [],
            SkinFollowUp = row.SkinFollowUp is null ? null : Json<SkinFollowUpTask>(row.SkinFollowUp),
            TimeOuts = Json<List<TimeOutEntry>>(row.TimeOuts) ?? [],
            AbandonedLevels = Json<List<AbandonedLevel>>(row.AbandonedLevels) ?? [],
            Escalations = Json<List<CaseEscalation>>(row.Escalations) ?? [],
        });
    }

    private static T? Json<T>(string text) => JsonSerializer.Deserialize<T>(text);

    // Dapper row types: classes with init properties, integers as long (SQLite returns Int64 for every INTEGER).
    private sealed class CaseRow
    {
        public string ReferralId { get; init; } = "";

        public string PatientId { get; init; } = "";

        public string Status { get; init; } = "";

        public string ScheduledLevels { get; init; } = "[]";

        public string ConfirmedLevels { get; init; } = "[]";

        public string Room { get; init; } = "";

        public DateTimeOffset ScheduledStart { get; init; }

        public long ScheduleUpdatedAtMs { get; init; }

        public string? OperatorId { get; init; }

        public DateTimeOffset? SignedInAt { get; init; }

        public DateTimeOffset? TimedOutAt { get; init; }

        public DateTimeOffset? SignedOutAt { get; init; }

        public DateTimeOffset? EndedAt { get; init; }

        public DateTimeOffset? CancelledAt { get; init; }

        public double? DoseAreaProductGyCm2 { get; init; }

        public double? ReferenceAirKermaMgy { get; init; }

        public double? FluoroscopySeconds { get; init; }

        public double? CtDlpMgyCm { get; init; }

        public string? DiscontinueReason { get; init; }

        public long Version { get; init; }

        public string ConsentedLevels { get; init; } = "[]";

        public string SedationMode { get; init; } = "";

        public string Admission { get; init; } = "";

        public string AllergyClasses { get; init; } = "[]";

        public string Pregnancy { get; init; } = "";

        public string Indication { get; init; } = "";

        public long DurationMinutes { get; init; }

        public string ScheduledProtocolVersion { get; init; } = "";

        public string ProtocolVersion { get; init; } = "";

        public string? SignedOutBy { get; init; }

        public DateTimeOffset? LastClearLiquidsAt { get; init; }

        public DateTimeOffset? LastLightMealAt { get; init; }

        public DateTimeOffset? LastFattyMealAt { get; init; }

        public long ControlCtDone { get; init; }

        public string DoseAlerts { get; init; } = "[]";

        public string? SkinFollowUp { get; init; }

        public string TimeOuts { get; init; } = "[]";

        public string AbandonedLevels { get; init; } = "[]";

        public string Escalations { get; init; } = "[]";

        public DateTimeOffset? PreAnestheticVisitAt { get; init; }

        public long? AccessionSeq { get; init; }
    }

    private sealed class CaseKeyRow
    {
        public string ReferralId { get; init; } = "";

        public string PatientId { get; init; } = "";
    }

    private sealed class StepRow
    {
        public string StepId { get; init; } = "";

        public string ReferralId { get; init; } = "";

        public string Status { get; init; } = "";

        public DateTimeOffset? StartedAt { get; init; }

        public DateTimeOffset? EndedAt { get; init; }

        public long LastReportAtMs { get; init; }

        public double FluoroscopySeconds { get; init; }

        public double DoseAreaProductGyCm2 { get; init; }

        public double ReferenceAirKermaMgy { get; init; }

        public string StationAeTitle { get; init; } = "";

        public string DiscontinuationReason { get; init; } = "";

        public string ReportedBy { get; init; } = "";

        public long CreatedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }
    }

    private sealed class TreatmentRow
    {
        public string ReferralId { get; init; } = "";

        public string Level { get; init; } = "";

        public string Approach { get; init; } = "";

        public long TrocarGauge { get; init; }

        public double CementVolumeMl { get; init; }

        public string CementProduct { get; init; } = "";

        public string CementLot { get; init; } = "";

        public string Leakage { get; init; } = "";

        public long LeakageSymptomatic { get; init; }

        public DateTimeOffset RecordedAt { get; init; }

        public string? CementExpiry { get; init; }

        public string? UdiDi { get; init; }

        public string? OperatorId { get; init; }
    }

    private sealed class RecipientRow
    {
        public string ReferralId { get; init; } = "";

        public string PatientId { get; init; } = "";

        public string Level { get; init; } = "";

        public string CementProduct { get; init; } = "";

        public string CementLot { get; init; } = "";

        public DateTimeOffset RecordedAt { get; init; }
    }

    private sealed class ComplicationRow
    {
        public string ReferralId { get; init; } = "";

        public long Seq { get; init; }

        public string Code { get; init; } = "";

        public long CirseGrade { get; init; }
    }
}

/// <summary>One case and level that received a cement lot.</summary>
public sealed record CementLotRecipient(Guid ReferralId, Guid PatientId, string Level, string Product, string Lot, DateTimeOffset RecordedAt);
