using System.Data.Common;
using Dapper;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using SedationMode = IrSuite.Common.V1.SedationMode;

namespace IrSuite.Scheduling.Data;

/// <summary>
/// The department board projection (<c>board_entry</c>, decision 0015): every change goes through
/// <see cref="ApplyAsync"/> inside the transaction of the state change or consumed event it reflects.
/// </summary>
public static class BoardRepository
{
    private static readonly (string Column, string Property)[] Fields =
    [
        ("referral_id", nameof(BoardEntryState.ReferralId)), ("patient_id", nameof(BoardEntryState.PatientId)),
        ("stage", nameof(BoardEntryState.Stage)), ("levels", nameof(BoardEntryState.Levels)),
        ("sedation", nameof(BoardEntryState.Sedation)), ("admission", nameof(BoardEntryState.Admission)),
        ("clearance", nameof(BoardEntryState.Clearance)), ("pre_anesthetic_visit", nameof(BoardEntryState.PreAnestheticVisit)),
        ("room", nameof(BoardEntryState.Room)), ("recovery_bed", nameof(BoardEntryState.RecoveryBed)),
        ("scheduled_start_ms", nameof(BoardEntryState.ScheduledStartMs)), ("procedure_started_ms", nameof(BoardEntryState.ProcedureStartedMs)),
        ("procedure_ended_ms", nameof(BoardEntryState.ProcedureEndedMs)), ("procedure_outcome", nameof(BoardEntryState.ProcedureOutcome)),
        ("skin_dose_follow_up", nameof(BoardEntryState.SkinDoseFollowUp)), ("observation_started_ms", nameof(BoardEntryState.ObservationStartedMs)),
        ("minimum_until_ms", nameof(BoardEntryState.MinimumUntilMs)), ("minimum_elapsed", nameof(BoardEntryState.MinimumElapsed)),
        ("next_check_due_ms", nameof(BoardEntryState.NextCheckDueMs)), ("last_check_ms", nameof(BoardEntryState.LastCheckMs)),
        ("check_count", nameof(BoardEntryState.CheckCount)), ("aldrete", nameof(BoardEntryState.Aldrete)), ("padss", nameof(BoardEntryState.Padss)),
        ("escalation_open", nameof(BoardEntryState.EscalationOpen)), ("escalation_reason", nameof(BoardEntryState.EscalationReason)),
        ("escalation_level", nameof(BoardEntryState.EscalationLevel)), ("escalation_raised_ms", nameof(BoardEntryState.EscalationRaisedMs)),
        ("discharged_ms", nameof(BoardEntryState.DischargedMs)), ("destination", nameof(BoardEntryState.Destination)),
        ("updated_ms", nameof(BoardEntryState.UpdatedMs)), ("version", nameof(BoardEntryState.Version)),
    ];

    private static readonly string Select =
        "SELECT " + string.Join(", ", Fields.Select(f => $"{f.Column} AS {f.Property}")) + " FROM board_entry";

    // One statement for both dialects: SQLite and PostgreSQL share INSERT ... ON CONFLICT DO UPDATE with "excluded".
    private static readonly string Upsert =
        "INSERT INTO board_entry (" + string.Join(", ", Fields.Select(f => f.Column)) + ") VALUES ("
        + string.Join(", ", Fields.Select(f => "@" + f.Property)) + ") ON CONFLICT (referral_id) DO UPDATE SET "
        + string.Join(", ", Fields.Skip(1).Select(f => $"{f.Column} = excluded.{f.Column}"));

    public static Task<BoardEntryState?> FindAsync(DbConnection connection, DbTransaction? transaction, Guid referralId) =>
        connection.QuerySingleOrDefaultAsync<BoardEntryState>(Select + " WHERE referral_id = @id", new { id = referralId.ToString() }, transaction);

    /// <summary>
    /// Applies <paramref name="change"/> to the referral's entry (created from the referral when it has none yet) and
    /// stores it when it changed. Nothing happens for a referral scheduling does not know. Returns the stored entry.
    /// On PostgreSQL the referral's row is locked first (read-modify-write under READ COMMITTED): two events of one
    /// referral consumed at once are applied one after the other, never one over the other. SQLite has one writer.
    /// </summary>
    public static async Task<BoardEntryState?> ApplyAsync(
        DbConnection connection, DbTransaction transaction, Guid referralId, DateTimeOffset now, Func<BoardEntryState, BoardEntryState> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (connection is Npgsql.NpgsqlConnection)
        {
            await connection.ExecuteAsync("SELECT 1 FROM referral WHERE referral_id = @id FOR UPDATE", new { id = referralId.ToString() }, transaction);
        }

        var current = await FindAsync(connection, transaction, referralId);
        var isNew = current is null;
        current ??= await FromReferralAsync(connection, transaction, referralId);
        if (current is null)
        {
            return null;
        }

        var next = change(current);
        if (!isNew && next == current)
        {
            return current;
        }

        next = next with { UpdatedMs = now.ToUnixTimeMilliseconds(), Version = current.Version + 1 };
        await connection.ExecuteAsync(Upsert, next, transaction);
        return next;
    }

    /// <summary>Takes a referral off the board (declined at the IR consult).</summary>
    public static Task RemoveAsync(DbConnection connection, DbTransaction transaction, Guid referralId) =>
        connection.ExecuteAsync("DELETE FROM board_entry WHERE referral_id = @id", new { id = referralId.ToString() }, transaction);

    /// <summary>The entries on the board: everyone not discharged, and those discharged since <paramref name="dayStart"/>.</summary>
    public static async Task<IReadOnlyList<BoardEntryState>> ListAsync(DbConnection connection, DateTimeOffset dayStart, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<BoardEntryState>(new CommandDefinition(
            Select + " WHERE stage <> @discharged OR discharged_ms >= @dayStart",
            new { discharged = (long)IrSuite.Board.V1.BoardStage.Discharged, dayStart = dayStart.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken))).ToList();

    private static async Task<BoardEntryState?> FromReferralAsync(DbConnection connection, DbTransaction transaction, Guid referralId)
    {
        var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, referralId);
        if (referral is null || (ReferralStatus)referral.Status == ReferralStatus.Declined)
        {
            return null;
        }

        return new BoardEntryState
        {
            ReferralId = referral.ReferralId,
            PatientId = referral.PatientId,
            Stage = (long)BoardRules.FromReferralStatus((ReferralStatus)referral.Status, (SedationMode)referral.ExpectedSedation),
            Levels = referral.Levels,
            Sedation = referral.ExpectedSedation,
        };
    }
}
