using IrSuite.Board.V1;
using IrSuite.Contracts;
using SedationMode = IrSuite.Common.V1.SedationMode;

namespace IrSuite.Scheduling.Domain;

/// <summary>
/// One referral's row of the department board projection (decision 0015): codes, pseudonymous ids and instants in Unix
/// milliseconds; flags are 0/1 (one column type for SQLite and PostgreSQL).
/// </summary>
public sealed record BoardEntryState
{
    public string ReferralId { get; init; } = "";

    public string PatientId { get; init; } = "";

    public long Stage { get; init; }

    /// <summary>JSON array of levels.</summary>
    public string Levels { get; init; } = "[]";

    public long Sedation { get; init; }

    public long Admission { get; init; }

    public string Clearance { get; init; } = "";

    public long PreAnestheticVisit { get; init; }

    public string Room { get; init; } = "";

    public string RecoveryBed { get; init; } = "";

    public long? ScheduledStartMs { get; init; }

    public long? ProcedureStartedMs { get; init; }

    public long? ProcedureEndedMs { get; init; }

    public string ProcedureOutcome { get; init; } = "";

    public long SkinDoseFollowUp { get; init; }

    public long? ObservationStartedMs { get; init; }

    public long? MinimumUntilMs { get; init; }

    public long MinimumElapsed { get; init; }

    public long? NextCheckDueMs { get; init; }

    public long? LastCheckMs { get; init; }

    public long CheckCount { get; init; }

    public long? Aldrete { get; init; }

    public long? Padss { get; init; }

    public long EscalationOpen { get; init; }

    public string EscalationReason { get; init; } = "";

    public string EscalationLevel { get; init; } = "";

    public long? EscalationRaisedMs { get; init; }

    public long? DischargedMs { get; init; }

    public string Destination { get; init; } = "";

    public long UpdatedMs { get; init; }

    public long Version { get; init; }

    public BoardStage BoardStage => (BoardStage)Stage;
}

/// <summary>
/// How the board's stages move. Pure. Events may arrive late or out of order, so a reported stage only moves an entry
/// forward; the only ways back are a cancelled booking (to ready-to-schedule or awaiting-clearance).
/// </summary>
public static class BoardRules
{
    /// <summary>Procedure outcome codes on the board.</summary>
    public const string Completed = "COMPLETED";

    public const string Discontinued = "DISCONTINUED";

    // ClearanceSigned.Decision codes (anesthesia-consultation's vocabulary).
    private const string Fit = "FIT";
    private const string FitWithConditions = "FIT_WITH_CONDITIONS";
    private const string NotFit = "NOT_FIT";

    /// <summary>The later of the two stages (the enum is in pathway order).</summary>
    public static BoardStage Advance(BoardStage current, BoardStage reported) => reported > current ? reported : current;

    /// <summary>Accepted at the IR consult: sedation or general anaesthesia needs a clearance before booking.</summary>
    public static BoardStage AfterAccepted(SedationMode expected) =>
        expected is SedationMode.Local or SedationMode.Unspecified ? BoardStage.ReadyToSchedule : BoardStage.AwaitingClearance;

    /// <summary>The clearance was signed: a FIT (with or without conditions) lets the referral be booked; NOT_FIT does not.</summary>
    public static BoardEntryState AfterClearance(BoardEntryState entry, string decision)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var ready = decision != NotFit;
        return entry with
        {
            Clearance = decision,
            Stage = (long)(entry.BoardStage == BoardStage.AwaitingClearance && ready ? BoardStage.ReadyToSchedule : entry.BoardStage),
        };
    }

    /// <summary>The procedure booking was cancelled: back before the booking, the slot forgotten.</summary>
    public static BoardEntryState AfterCancelled(BoardEntryState entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.BoardStage != BoardStage.Scheduled)
        {
            return entry;
        }

        var needsClearance = AfterAccepted((SedationMode)entry.Sedation) == BoardStage.AwaitingClearance
            && entry.Clearance is not (Fit or FitWithConditions);
        return entry with
        {
            Stage = (long)(needsClearance ? BoardStage.AwaitingClearance : BoardStage.ReadyToSchedule),
            Room = "",
            RecoveryBed = "",
            ScheduledStartMs = null,
        };
    }

    /// <summary>True when the next check is past due beyond the grace at <paramref name="now"/> (only while observed).</summary>
    public static bool IsCheckOverdue(BoardEntryState entry, DateTimeOffset now, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.BoardStage is BoardStage.InObservation or BoardStage.ReadyForDischarge
            && entry.NextCheckDueMs is { } due
            && now.ToUnixTimeMilliseconds() > due + (long)grace.TotalMilliseconds;
    }

    /// <summary>Discharged patients stay on the board for the rest of the site-local day they left on.</summary>
    public static bool IsShown(BoardEntryState entry, DateTimeOffset dayStart)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.BoardStage != BoardStage.Discharged || (entry.DischargedMs ?? 0) >= dayStart.ToUnixTimeMilliseconds();
    }

    /// <summary>The stage a referral is in from its status alone (an entry created after the fact, or from before the board).</summary>
    public static BoardStage FromReferralStatus(IrSuite.Scheduling.V1.ReferralStatus status, SedationMode expected) => status switch
    {
        IrSuite.Scheduling.V1.ReferralStatus.Submitted => BoardStage.Referred,
        IrSuite.Scheduling.V1.ReferralStatus.Accepted => AfterAccepted(expected),
        IrSuite.Scheduling.V1.ReferralStatus.Scheduled => BoardStage.Scheduled,
        IrSuite.Scheduling.V1.ReferralStatus.ProcedureDone => BoardStage.InRoom,
        IrSuite.Scheduling.V1.ReferralStatus.Discharged => BoardStage.Discharged,
        _ => BoardStage.Unspecified,
    };

    /// <summary>The sedation mode of a code carried by an event (SedationCodes), or Unspecified.</summary>
    public static SedationMode Sedation(string code) => code switch
    {
        SedationCodes.Local => SedationMode.Local,
        SedationCodes.LocalWithSedation => SedationMode.LocalWithSedation,
        SedationCodes.ConsciousSedation => SedationMode.ConsciousSedation,
        SedationCodes.General => SedationMode.General,
        _ => SedationMode.Unspecified,
    };

    /// <summary>The later of two optional instants.</summary>
    public static long? Latest(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
