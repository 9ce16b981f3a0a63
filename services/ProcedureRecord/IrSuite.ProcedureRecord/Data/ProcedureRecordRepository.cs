using System.Data.Common;
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
        + "version AS Version";

    private const string TreatmentColumns =
        "referral_id AS ReferralId, level AS Level, approach AS Approach, trocar_gauge AS TrocarGauge, "
        + "cement_volume_ml AS CementVolumeMl, cement_product AS CementProduct, cement_lot AS CementLot, leakage AS Leakage, "
        + "leakage_symptomatic AS LeakageSymptomatic, recorded_at AS RecordedAt";

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
        return ToRecord(row, treatments, complications);
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
        return rows.Select(r => ToRecord(r, treatments[r.ReferralId], complications[r.ReferralId])).ToList();
    }

    /// <summary>Stores a new case as version 1.</summary>
    public async Task InsertAsync(DbConnection connection, DbTransaction transaction, CaseRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO procedure_case (referral_id, patient_id, status, scheduled_levels, confirmed_levels, room, scheduled_start,
                scheduled_start_ms, schedule_updated_at_ms, operator_id, signed_in_at, timed_out_at, signed_out_at, ended_at, cancelled_at,
                dose_area_product_gy_cm2, reference_air_kerma_mgy, fluoroscopy_seconds, ct_dlp_mgy_cm, discontinue_reason, version)
            VALUES (@ReferralId, @PatientId, @Status, @ScheduledLevels, @ConfirmedLevels, @Room, @ScheduledStart,
                @ScheduledStartMs, @ScheduleUpdatedAtMs, @OperatorId, @SignedInAt, @TimedOutAt, @SignedOutAt, @EndedAt, @CancelledAt,
                @DoseAreaProductGyCm2, @ReferenceAirKermaMgy, @FluoroscopySeconds, @CtDlpMgyCm, @DiscontinueReason, 1)
            """,
            Parameters(record), transaction, cancellationToken: cancellationToken));
        await InsertChildrenAsync(connection, transaction, record, cancellationToken);
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
                    leakage, leakage_symptomatic, recorded_at, recorded_at_ms)
                VALUES (@id, @Level, @Approach, @TrocarGauge, @CementVolumeMl, @CementProduct, @CementLot, @Leakage, @Symptomatic,
                    @RecordedAt, @RecordedAtMs)
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
    };

    private static CaseRecord ToRecord(CaseRow row, IEnumerable<TreatmentRow> treatments, IEnumerable<ComplicationRow> complications)
    {
        var dose = row.DoseAreaProductGyCm2 is { } dap
            ? new RadiationDose(dap, row.ReferenceAirKermaMgy ?? 0, row.FluoroscopySeconds ?? 0, row.CtDlpMgyCm ?? 0)
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
                t.RecordedAt)).ToList(),
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
            row.Version));
    }

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
    }

    private sealed class ComplicationRow
    {
        public string ReferralId { get; init; } = "";

        public long Seq { get; init; }

        public string Code { get; init; } = "";

        public long CirseGrade { get; init; }
    }
}
