namespace IrSuite.ProcedureRecord.Domain;

/// <summary>What a scheduling event did to an existing case.</summary>
public enum ScheduleOutcome
{
    /// <summary>Room, start or levels changed (a re-scheduling before sign-in).</summary>
    Updated,

    /// <summary>Same slot and levels as already recorded.</summary>
    Unchanged,

    /// <summary>A cancelled booking was booked again.</summary>
    Reopened,

    /// <summary>The case has started (or ended): the booking no longer changes it.</summary>
    AlreadyStarted,

    /// <summary>Older than the scheduling event already applied (out-of-order delivery).</summary>
    Stale,

    /// <summary>The event names another patient for this referral: refused.</summary>
    PatientMismatch,
}

/// <summary>What a cancellation did to an existing case.</summary>
public enum CancelOutcome
{
    /// <summary>Removed from the worklist.</summary>
    Cancelled,

    /// <summary>Already cancelled.</summary>
    AlreadyCancelled,

    /// <summary>The case has started (or ended): left alone.</summary>
    AlreadyStarted,

    /// <summary>Older than the scheduling event already applied (out-of-order delivery).</summary>
    Stale,
}
