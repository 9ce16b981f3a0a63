using System.Data.Common;
using System.Text.Json;
using Dapper;
using IrSuite.AnesthesiaConsultation.Domain;

namespace IrSuite.AnesthesiaConsultation.Data;

/// <summary>What <see cref="AnesthesiaCaseRepository.SetSlotAsync"/> did.</summary>
public enum SlotChange
{
    Applied,
    Stale,
    NoCase,
}

/// <summary>Reads and writes anaesthesia cases inside the caller's transaction (Dapper, SQL portable to SQLite and PostgreSQL).</summary>
public static class AnesthesiaCaseRepository
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns =
        "referral_id AS ReferralId, patient_id AS PatientId, status AS Status, expected_sedation AS ExpectedSedation, opened_at AS OpenedAt, "
        + "assessed AS Assessed, asa_class AS AsaClass, emergency AS Emergency, comorbidities AS Comorbidities, allergies AS Allergies, "
        + "medication_plan AS MedicationPlan, labs_inr AS LabsInr, labs_platelets AS LabsPlatelets, labs_taken_at AS LabsTakenAt, "
        + "assessed_at AS AssessedAt, sedation AS Sedation, clearance AS Clearance, conditions AS Conditions, "
        + "anesthesiologist_id AS AnesthesiologistId, signed_at AS SignedAt, version AS Version, "
        + "levels AS Levels, protocol_version AS ProtocolVersion, anxiety AS Anxiety, prone_tolerance AS ProneTolerance, "
        + "deviation_reason AS DeviationReason, premedication AS Premedication, antibiotic_prophylaxis AS AntibioticProphylaxis, "
        + "slot_start AS SlotStart, slot_sedation AS SlotSedation, visited_at AS VisitedAt, visit_anesthesiologist_id AS VisitAnesthesiologistId";

    /// <summary>Opens a case; a case already open for the referral is left as it is. Returns true when inserted.</summary>
    public static async Task<bool> InsertIfAbsentAsync(DbConnection connection, DbTransaction transaction, AnesthesiaCase @case)
    {
        var row = CaseRow.From(@case);
        var inserted = await connection.ExecuteAsync(
            """
            INSERT INTO anesthesia_case (referral_id, patient_id, status, expected_sedation, opened_at, version, levels, protocol_version)
            VALUES (@ReferralId, @PatientId, @Status, @ExpectedSedation, @OpenedAt, @Version, @Levels, @ProtocolVersion)
            ON CONFLICT (referral_id) DO NOTHING
            """,
            row,
            transaction);
        return inserted == 1;
    }

    public static async Task<AnesthesiaCase?> FindAsync(DbConnection connection, DbTransaction? transaction, Guid referralId)
    {
        var row = await connection.QuerySingleOrDefaultAsync<CaseRow>(
            $"SELECT {Columns} FROM anesthesia_case WHERE referral_id = @id",
            new { id = referralId.ToString() },
            transaction);
        return row?.ToDomain();
    }

    /// <summary>
    /// Saves a changed case if nobody changed it since <paramref name="changed"/>.Version was read; returns the
    /// case with its new version, or null when the row moved on (the caller answers ABORTED).
    /// </summary>
    public static async Task<AnesthesiaCase?> UpdateAsync(DbConnection connection, DbTransaction transaction, AnesthesiaCase changed)
    {
        var row = CaseRow.From(changed);
        var updated = await connection.ExecuteAsync(
            """
            UPDATE anesthesia_case SET
                status = @Status, assessed = @Assessed, asa_class = @AsaClass, emergency = @Emergency,
                comorbidities = @Comorbidities, allergies = @Allergies, medication_plan = @MedicationPlan,
                labs_inr = @LabsInr, labs_platelets = @LabsPlatelets, labs_taken_at = @LabsTakenAt, assessed_at = @AssessedAt,
                sedation = @Sedation, clearance = @Clearance, conditions = @Conditions,
                anesthesiologist_id = @AnesthesiologistId, signed_at = @SignedAt,
                protocol_version = @ProtocolVersion, anxiety = @Anxiety, prone_tolerance = @ProneTolerance,
                deviation_reason = @DeviationReason, premedication = @Premedication, antibiotic_prophylaxis = @AntibioticProphylaxis,
                visited_at = @VisitedAt, visit_anesthesiologist_id = @VisitAnesthesiologistId,
                version = version + 1
            WHERE referral_id = @ReferralId AND version = @Version
            """,
            row,
            transaction);
        return updated == 1 ? changed with { Version = changed.Version + 1 } : null;
    }

    /// <summary>
    /// Sets (start) or clears (null) the booked slot from a booking event that occurred at <paramref name="occurredAt"/>,
    /// bumping the version so a command that read the case before retries (ABORTED). An event older than the one the
    /// slot comes from (out-of-order delivery) changes nothing. The slot is written only here: the commands'
    /// <see cref="UpdateAsync"/> leaves it alone.
    /// </summary>
    public static async Task<SlotChange> SetSlotAsync(
        DbConnection connection, DbTransaction transaction, Guid referralId, DateTimeOffset? start, SedationMode sedation, DateTimeOffset occurredAt)
    {
        var id = referralId.ToString();
        var updated = await connection.ExecuteAsync(
            """
            UPDATE anesthesia_case SET slot_start = @start, slot_sedation = @sedation, slot_event_at_ms = @at, version = version + 1
            WHERE referral_id = @id AND slot_event_at_ms <= @at
            """,
            new { id, start, sedation = (long)sedation, at = occurredAt.ToUnixTimeMilliseconds() },
            transaction);
        if (updated == 1)
        {
            return SlotChange.Applied;
        }

        var exists = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM anesthesia_case WHERE referral_id = @id", new { id }, transaction);
        return exists == 0 ? SlotChange.NoCase : SlotChange.Stale;
    }

    // Dapper row type: a class with init properties (SQLite reads every INTEGER as Int64, PostgreSQL as Int32).
    private sealed class CaseRow
    {
        public string ReferralId { get; init; } = "";

        public string PatientId { get; init; } = "";

        public long Status { get; init; }

        public long ExpectedSedation { get; init; }

        public DateTimeOffset OpenedAt { get; init; }

        public long Assessed { get; init; }

        public long AsaClass { get; init; }

        public long Emergency { get; init; }

        public string Comorbidities { get; init; } = "[]";

        public string Allergies { get; init; } = "[]";

        public string MedicationPlan { get; init; } = "[]";

        public double? LabsInr { get; init; }

        public double? LabsPlatelets { get; init; }

        public DateTimeOffset? LabsTakenAt { get; init; }

        public DateTimeOffset? AssessedAt { get; init; }

        public long Sedation { get; init; }

        public long Clearance { get; init; }

        public string Conditions { get; init; } = "[]";

        public string? AnesthesiologistId { get; init; }

        public DateTimeOffset? SignedAt { get; init; }

        public long Version { get; init; }

        public string Levels { get; init; } = "[]";

        public string ProtocolVersion { get; init; } = "";

        public long Anxiety { get; init; }

        public long ProneTolerance { get; init; }

        public string? DeviationReason { get; init; }

        public string Premedication { get; init; } = "[]";

        public string? AntibioticProphylaxis { get; init; }

        public DateTimeOffset? SlotStart { get; init; }

        public long SlotSedation { get; init; }

        public DateTimeOffset? VisitedAt { get; init; }

        public string? VisitAnesthesiologistId { get; init; }

        public static CaseRow From(AnesthesiaCase c) => new()
        {
            ReferralId = c.ReferralId.ToString(),
            PatientId = c.PatientId.ToString(),
            Status = (long)c.Status,
            ExpectedSedation = (long)c.ExpectedSedation,
            OpenedAt = c.OpenedAt,
            Assessed = c.Assessment is null ? 0 : 1,
            AsaClass = c.Assessment is null ? 0 : (long)c.Assessment.AsaClass,
            Emergency = c.Assessment is { Emergency: true } ? 1 : 0,
            Comorbidities = JsonSerializer.Serialize(c.Assessment?.Comorbidities ?? [], Json),
            Allergies = JsonSerializer.Serialize(c.Assessment?.Allergies ?? [], Json),
            MedicationPlan = JsonSerializer.Serialize(c.Assessment?.MedicationPlan ?? [], Json),
            LabsInr = c.Assessment?.Labs?.Inr,
            LabsPlatelets = c.Assessment?.Labs?.PlateletsGPerL,
            LabsTakenAt = c.Assessment?.Labs?.TakenAt,
            AssessedAt = c.Assessment?.AssessedAt,
            Sedation = (long)c.Sedation,
            Clearance = c.Clearance is null ? 0 : (long)c.Clearance.Decision,
            Conditions = JsonSerializer.Serialize(c.Clearance?.Conditions ?? [], Json),
            AnesthesiologistId = c.Clearance?.AnesthesiologistId,
            SignedAt = c.Clearance?.SignedAt,
            Version = c.Version,
            Levels = JsonSerializer.Serialize(c.Levels, Json),
            ProtocolVersion = c.ProtocolVersion,
            Anxiety = c.Assessment is null ? 0 : (long)c.Assessment.Anxiety,
            ProneTolerance = c.Assessment is null ? 0 : (long)c.Assessment.ProneTolerance,
            DeviationReason = c.DeviationReason,
            Premedication = JsonSerializer.Serialize(c.Premedication, Json),
            AntibioticProphylaxis = c.AntibioticProphylaxis,
            SlotStart = c.SlotStart,
            SlotSedation = (long)c.SlotSedation,
            VisitedAt = c.Visit?.VisitedAt,
            VisitAnesthesiologistId = c.Visit?.AnesthesiologistId,
        };

        public AnesthesiaCase ToDomain()
        {
            Assessment? assessment = Assessed == 0
                ? null
                : new Assessment(
                    (Domain.AsaClass)AsaClass,
                    Emergency != 0,
                    ReadList<string>(Comorbidities),
                    ReadList<string>(Allergies),
                    ReadList<MedicationInstruction>(MedicationPlan),
                    LabsInr is { } inr && LabsPlatelets is { } platelets && LabsTakenAt is { } takenAt ? new Labs(inr, platelets, takenAt) : null,
                    AssessedAt ?? OpenedAt,
                    // Cases assessed before these inputs existed read as "none" / "tolerates".
                    Anxiety == 0 ? AnxietyLevel.None : (AnxietyLevel)Anxiety,
                    ProneTolerance == 0 ? Domain.ProneTolerance.Tolerates : (Domain.ProneTolerance)ProneTolerance);
            Clearance? clearance = Clearance == 0 || SignedAt is null
                ? null
                : new Clearance((ClearanceDecision)Clearance, ReadList<string>(Conditions), AnesthesiologistId ?? "", SignedAt.Value);
            return new AnesthesiaCase(
                Guid.Parse(ReferralId),
                Guid.Parse(PatientId),
                (CaseStatus)Status,
                (SedationMode)ExpectedSedation,
                assessment,
                (SedationMode)Sedation,
                clearance,
                OpenedAt,
                Version)
            {
                Levels = ReadList<string>(Levels),
                ProtocolVersion = ProtocolVersion,
                DeviationReason = DeviationReason,
                Premedication = ReadList<Domain.Premedication>(Premedication),
                AntibioticProphylaxis = AntibioticProphylaxis,
                SlotStart = SlotStart,
                SlotSedation = (SedationMode)SlotSedation,
                Visit = VisitedAt is { } visitedAt ? new PreAnestheticVisit(visitedAt, VisitAnesthesiologistId ?? "") : null,
            };
        }

        private static IReadOnlyList<T> ReadList<T>(string json) => JsonSerializer.Deserialize<List<T>>(json, Json) ?? [];
    }
}
