using System.Data.Common;
using System.Text.Json;
using Dapper;
using IrSuite.Grpc;
using IrSuite.Scheduling.V1;

namespace IrSuite.Scheduling.Data;

/// <summary>Dapper SQL of the scheduling service. Every method runs on the caller's connection and transaction.</summary>
public sealed class SchedulingRepository
{
    /// <summary>The pseudonymous id of a patient, created on first referral (one per medical record number).</summary>
    public static async Task<Guid> GetOrCreatePatientAsync(DbConnection connection, DbTransaction transaction, PatientIdentity patient)
    {
        var existing = await connection.ExecuteScalarAsync<string?>(
            "SELECT patient_id FROM patient WHERE medical_record_number = @mrn", new { mrn = patient.MedicalRecordNumber }, transaction);
        if (existing is not null)
        {
            return Guid.Parse(existing);
        }

        var patientId = Guid.NewGuid();
        await connection.ExecuteAsync(
            "INSERT INTO patient (patient_id, medical_record_number, family_name, given_name, birth_date) VALUES (@id, @mrn, @family, @given, @birth)",
            new { id = patientId.ToString(), mrn = patient.MedicalRecordNumber, family = patient.FamilyName, given = patient.GivenName, birth = patient.BirthDate },
            transaction);
        return patientId;
    }

    public static Task InsertReferralAsync(DbConnection connection, DbTransaction transaction, ReferralRow row) =>
        connection.ExecuteAsync(
            """
            INSERT INTO referral (referral_id, patient_id, status, indication, levels, pregnancy, expected_sedation, decline_reason, details, submitted_at, version, protocol_version, osteoporosis_suspected)
            VALUES (@ReferralId, @PatientId, @Status, @Indication, @Levels, @Pregnancy, @ExpectedSedation, @DeclineReason, @Details, @SubmittedAt, @Version, @ProtocolVersion, @OsteoporosisSuspected)
            """,
            row,
            transaction);

    public static Task<ReferralRow?> FindReferralAsync(DbConnection connection, DbTransaction? transaction, Guid referralId) =>
        connection.QuerySingleOrDefaultAsync<ReferralRow>(SelectReferral + " WHERE r.referral_id = @id", new { id = referralId.ToString() }, transaction);

    public static async Task<IReadOnlyList<ReferralRow>> ListReferralsAsync(DbConnection connection, ReferralStatus status, int limit, int offset) =>
        (await connection.QueryAsync<ReferralRow>(
            SelectReferral + " WHERE (@status = 0 OR r.status = @status) ORDER BY r.submitted_at DESC, r.referral_id LIMIT @limit OFFSET @offset",
            new { status = (int)status, limit, offset })).ToList();

    /// <summary>Changes a referral's status, checking the version read (optimistic concurrency → ABORTED).</summary>
    public static async Task UpdateReferralAsync(DbConnection connection, DbTransaction transaction, ReferralRow row, ReferralStatus status, long expectedVersion)
    {
        var updated = await connection.ExecuteAsync(
            """
            UPDATE referral SET status = @status, expected_sedation = @sedation, decline_reason = @reason, pregnancy = @pregnancy,
                osteoporosis_suspected = @osteoporosis, version = version + 1
            WHERE referral_id = @id AND version = @expectedVersion
            """,
            new
            {
                status = (int)status, sedation = row.ExpectedSedation, reason = row.DeclineReason, pregnancy = row.Pregnancy,
                osteoporosis = row.OsteoporosisSuspected, id = row.ReferralId, expectedVersion,
            },
            transaction);
        if (updated == 0)
        {
            throw new RpcException(new Status(StatusCode.Aborted, "The referral was modified concurrently; read it again and retry."));
        }
    }

    public static Task InsertAppointmentAsync(DbConnection connection, DbTransaction transaction, AppointmentRow row) =>
        connection.ExecuteAsync(
            """
            INSERT INTO appointment (appointment_id, referral_id, kind, start_at, start_ms, end_ms, bed_until_ms, duration_minutes, room, recovery_bed, cancelled, admission, protocol_version, with_xray)
            VALUES (@AppointmentId, @ReferralId, @Kind, @StartAt, @StartMs, @EndMs, @BedUntilMs, @DurationMinutes, @Room, @RecoveryBed, 0, @Admission, @ProtocolVersion, @WithXray)
            """,
            row,
            transaction);

    public static Task<AppointmentRow?> FindAppointmentAsync(DbConnection connection, DbTransaction? transaction, Guid appointmentId) =>
        connection.QuerySingleOrDefaultAsync<AppointmentRow>(SelectAppointment + " WHERE appointment_id = @id", new { id = appointmentId.ToString() }, transaction);

    public static async Task<IReadOnlyList<AppointmentRow>> ListAppointmentsAsync(DbConnection connection, Guid referralId) =>
        (await connection.QueryAsync<AppointmentRow>(SelectAppointment + " WHERE referral_id = @id ORDER BY start_ms", new { id = referralId.ToString() })).ToList();

    public static Task CancelAppointmentAsync(DbConnection connection, DbTransaction transaction, Guid appointmentId, string reason) =>
        connection.ExecuteAsync(
            "UPDATE appointment SET cancelled = 1, cancel_reason = @reason WHERE appointment_id = @id",
            new { id = appointmentId.ToString(), reason },
            transaction);

    /// <summary>True when the room is taken by another procedure overlapping [start, end).</summary>
    public static async Task<bool> IsRoomTakenAsync(DbConnection connection, DbTransaction transaction, string room, long startMs, long endMs) =>
        await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM appointment WHERE cancelled = 0 AND room = @room AND start_ms < @endMs AND end_ms > @startMs",
            new { room, startMs, endMs },
            transaction) > 0;

    /// <summary>Recovery beds held by another observation overlapping [from, until) (a bed is held from the slot end).</summary>
    public static async Task<IReadOnlySet<string>> TakenBedsAsync(DbConnection connection, DbTransaction transaction, long fromMs, long untilMs) =>
        (await connection.QueryAsync<string>(
            "SELECT DISTINCT recovery_bed FROM appointment WHERE cancelled = 0 AND recovery_bed IS NOT NULL AND end_ms < @untilMs AND bed_until_ms > @fromMs",
            new { fromMs, untilMs },
            transaction)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The referral's active (not cancelled) appointment of a kind, if any.</summary>
    public static Task<AppointmentRow?> FindActiveAppointmentAsync(DbConnection connection, DbTransaction? transaction, Guid referralId, AppointmentKind kind) =>
        connection.QueryFirstOrDefaultAsync<AppointmentRow>(
            SelectAppointment + " WHERE referral_id = @id AND kind = @kind AND cancelled = 0 ORDER BY start_ms", new { id = referralId.ToString(), kind = (int)kind }, transaction);

    public static Task UpsertConsentAsync(DbConnection connection, DbTransaction transaction, ConsentRow row) =>
        connection.ExecuteAsync(
            """
            INSERT INTO consent (referral_id, levels, signed_at, practitioner_id, protocol_version, recorded_at)
            VALUES (@ReferralId, @Levels, @SignedAt, @PractitionerId, @ProtocolVersion, @RecordedAt)
            ON CONFLICT (referral_id) DO UPDATE SET levels = excluded.levels, signed_at = excluded.signed_at,
                practitioner_id = excluded.practitioner_id, protocol_version = excluded.protocol_version, recorded_at = excluded.recorded_at
            """,
            row,
            transaction);

    public static Task<ConsentRow?> FindConsentAsync(DbConnection connection, DbTransaction? transaction, Guid referralId) =>
        connection.QuerySingleOrDefaultAsync<ConsentRow>(
            """
            SELECT referral_id AS ReferralId, levels AS Levels, signed_at AS SignedAt, practitioner_id AS PractitionerId,
                   protocol_version AS ProtocolVersion, recorded_at AS RecordedAt
            FROM consent WHERE referral_id = @id
            """,
            new { id = referralId.ToString() },
            transaction);

    public static Task UpsertLabsAsync(DbConnection connection, DbTransaction transaction, LabRow row) =>
        connection.ExecuteAsync(
            """
            INSERT INTO lab_result (referral_id, inr, platelets, creatinine_clearance, taken_at, protocol_version, recorded_at)
            VALUES (@ReferralId, @Inr, @Platelets, @CreatinineClearance, @TakenAt, @ProtocolVersion, @RecordedAt)
            ON CONFLICT (referral_id) DO UPDATE SET inr = excluded.inr, platelets = excluded.platelets, creatinine_clearance = excluded.creatinine_clearance,
                taken_at = excluded.taken_at, protocol_version = excluded.protocol_version, recorded_at = excluded.recorded_at
            """,
            row,
            transaction);

    public static Task<LabRow?> FindLabsAsync(DbConnection connection, DbTransaction? transaction, Guid referralId) =>
        connection.QuerySingleOrDefaultAsync<LabRow>(
            """
            SELECT referral_id AS ReferralId, inr AS Inr, platelets AS Platelets, creatinine_clearance AS CreatinineClearance, taken_at AS TakenAt,
                   protocol_version AS ProtocolVersion, recorded_at AS RecordedAt
            FROM lab_result WHERE referral_id = @id
            """,
            new { id = referralId.ToString() },
            transaction);

    public static Task UpsertPlanAsync(DbConnection connection, DbTransaction transaction, PlanRow row) =>
        connection.ExecuteAsync(
            """
            INSERT INTO anticoagulant_plan (referral_id, drugs, earliest_at, creatinine_clearance, planned_at, protocol_version)
            VALUES (@ReferralId, @Drugs, @EarliestAt, @CreatinineClearance, @PlannedAt, @ProtocolVersion)
            ON CONFLICT (referral_id) DO UPDATE SET drugs = excluded.drugs, earliest_at = excluded.earliest_at,
                creatinine_clearance = excluded.creatinine_clearance, planned_at = excluded.planned_at, protocol_version = excluded.protocol_version
            """,
            row,
            transaction);

    public static Task<PlanRow?> FindPlanAsync(DbConnection connection, DbTransaction? transaction, Guid referralId) =>
        connection.QuerySingleOrDefaultAsync<PlanRow>(
            """
            SELECT referral_id AS ReferralId, drugs AS Drugs, earliest_at AS EarliestAt, creatinine_clearance AS CreatinineClearance,
                   planned_at AS PlannedAt, protocol_version AS ProtocolVersion
            FROM anticoagulant_plan WHERE referral_id = @id
            """,
            new { id = referralId.ToString() },
            transaction);

    /// <summary>Creates the fracture-liaison task once (a second call changes nothing); true when created.</summary>
    public static async Task<bool> InsertFractureLiaisonAsync(DbConnection connection, DbTransaction transaction, FractureLiaisonRow row) =>
        await connection.ExecuteAsync(
            """
            INSERT INTO fracture_liaison (referral_id, fracture_at, due_by, created_at, protocol_version)
            VALUES (@ReferralId, @FractureAt, @DueBy, @CreatedAt, @ProtocolVersion) ON CONFLICT DO NOTHING
            """,
            row,
            transaction) == 1;

    public static Task<FractureLiaisonRow?> FindFractureLiaisonAsync(DbConnection connection, DbTransaction? transaction, Guid referralId) =>
        connection.QuerySingleOrDefaultAsync<FractureLiaisonRow>(
            """
            SELECT referral_id AS ReferralId, fracture_at AS FractureAt, due_by AS DueBy, created_at AS CreatedAt, protocol_version AS ProtocolVersion
            FROM fracture_liaison WHERE referral_id = @id
            """,
            new { id = referralId.ToString() },
            transaction);

    /// <summary>Adds a timeline entry; an entry id seen before (a redelivered event) is ignored.</summary>
    public static Task AddTimelineAsync(DbConnection connection, DbTransaction transaction, string entryId, Guid referralId, DateTimeOffset occurredAt, string @event, string source, string summary) =>
        connection.ExecuteAsync(
            """
            INSERT INTO timeline_entry (entry_id, referral_id, occurred_at, occurred_ms, event, source, summary)
            VALUES (@entryId, @referralId, @occurredAt, @occurredMs, @event, @source, @summary) ON CONFLICT DO NOTHING
            """,
            new { entryId, referralId = referralId.ToString(), occurredAt, occurredMs = occurredAt.ToUnixTimeMilliseconds(), @event, source, summary },
            transaction);

    public static async Task<IReadOnlyList<TimelineRow>> ListTimelineAsync(DbConnection connection, Guid referralId) =>
        (await connection.QueryAsync<TimelineRow>(
            "SELECT occurred_at AS OccurredAt, event AS Event, source AS Source, summary AS Summary FROM timeline_entry WHERE referral_id = @id ORDER BY occurred_ms, entry_id",
            new { id = referralId.ToString() })).ToList();

    public static string ToJson(IEnumerable<string> values) => JsonSerializer.Serialize(values);

    public static IReadOnlyList<string> FromJson(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    private const string SelectReferral =
        """
        SELECT r.referral_id AS ReferralId, r.patient_id AS PatientId, r.status AS Status, r.indication AS Indication, r.levels AS Levels,
               r.pregnancy AS Pregnancy, r.expected_sedation AS ExpectedSedation, r.decline_reason AS DeclineReason, r.details AS Details,
               r.submitted_at AS SubmittedAt, r.version AS Version, r.protocol_version AS ProtocolVersion, r.osteoporosis_suspected AS OsteoporosisSuspected
        FROM referral r
        """;

    private const string SelectAppointment =
        """
        SELECT appointment_id AS AppointmentId, referral_id AS ReferralId, kind AS Kind, start_at AS StartAt, start_ms AS StartMs, end_ms AS EndMs,
               bed_until_ms AS BedUntilMs, duration_minutes AS DurationMinutes, room AS Room, recovery_bed AS RecoveryBed, cancelled AS Cancelled,
               admission AS Admission, protocol_version AS ProtocolVersion, with_xray AS WithXray
        FROM appointment
        """;
}

/// <summary>A referral row. <see cref="Details"/> is the submitted request as protobuf JSON (identity included: this is scheduling's own store).</summary>
public sealed class ReferralRow
{
    public string ReferralId { get; init; } = "";

    public string PatientId { get; init; } = "";

    public int Status { get; set; }

    public int Indication { get; init; }

    public string Levels { get; init; } = "[]";

    public int Pregnancy { get; set; }

    public int ExpectedSedation { get; set; }

    public string? DeclineReason { get; set; }

    public string Details { get; init; } = "{}";

    public DateTimeOffset SubmittedAt { get; init; }

    public long Version { get; init; }

    /// <summary>Site protocol AppliedVersion at registration.</summary>
    public string ProtocolVersion { get; init; } = "";

    /// <summary>1 when the IR consult suspects osteoporosis.</summary>
    public long OsteoporosisSuspected { get; set; }
}

/// <summary>An appointment row.</summary>
public sealed class AppointmentRow
{
    public string AppointmentId { get; init; } = "";

    public string ReferralId { get; init; } = "";

    public int Kind { get; init; }

    public DateTimeOffset StartAt { get; init; }

    public long StartMs { get; init; }

    public long EndMs { get; init; }

    public long BedUntilMs { get; init; }

    public int DurationMinutes { get; init; }

    public string? Room { get; init; }

    public string? RecoveryBed { get; init; }

    /// <summary>1 once cancelled (an integer: SQLite and PostgreSQL agree on those).</summary>
    public long Cancelled { get; init; }

    /// <summary>ir.common.v1.AdmissionType (procedure only).</summary>
    public int Admission { get; init; }

    public string ProtocolVersion { get; init; } = "";

    /// <summary>1 when a control X-ray goes with the appointment.</summary>
    public long WithXray { get; init; }
}

/// <summary>The signed consent of a referral (levels as JSON).</summary>
public sealed class ConsentRow
{
    public string ReferralId { get; init; } = "";

    public string Levels { get; init; } = "[]";

    public DateTimeOffset SignedAt { get; init; }

    public string PractitionerId { get; init; } = "";

    public string ProtocolVersion { get; init; } = "";

    public DateTimeOffset RecordedAt { get; init; }
}

/// <summary>The latest labs of a referral.</summary>
public sealed class LabRow
{
    public string ReferralId { get; init; } = "";

    public double Inr { get; init; }

    public double Platelets { get; init; }

    public double? CreatinineClearance { get; init; }

    public DateTimeOffset TakenAt { get; init; }

    public string ProtocolVersion { get; init; } = "";

    public DateTimeOffset RecordedAt { get; init; }
}

/// <summary>The anticoagulant hold plan of a referral (drug lines as JSON).</summary>
public sealed class PlanRow
{
    public string ReferralId { get; init; } = "";

    public string Drugs { get; init; } = "[]";

    public DateTimeOffset EarliestAt { get; init; }

    public double? CreatinineClearance { get; init; }

    public DateTimeOffset PlannedAt { get; init; }

    public string ProtocolVersion { get; init; } = "";
}

/// <summary>The fracture-liaison / rheumatology referral task.</summary>
public sealed class FractureLiaisonRow
{
    public string ReferralId { get; init; } = "";

    public DateTimeOffset FractureAt { get; init; }

    public DateTimeOffset DueBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public string ProtocolVersion { get; init; } = "";
}

/// <summary>A timeline row.</summary>
public sealed class TimelineRow
{
    public DateTimeOffset OccurredAt { get; init; }

    public string Event { get; init; } = "";

    public string Source { get; init; } = "";

    public string Summary { get; init; } = "";
}
