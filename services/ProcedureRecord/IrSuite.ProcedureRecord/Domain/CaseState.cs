namespace IrSuite.ProcedureRecord.Domain;

/// <summary>
/// Where a case stands. The WHO Surgical Safety Checklist (2009) orders the first four:
/// sign-in before sedation, time-out before the trocar, sign-out before the patient leaves the room.
/// </summary>
public enum CaseState
{
    /// <summary>Booked by scheduling; the patient is not yet signed in.</summary>
    Scheduled,

    /// <summary>Sign-in done.</summary>
    SignedIn,

    /// <summary>Time-out done: trocar and cement may proceed at the confirmed levels.</summary>
    TimedOut,

    /// <summary>Sign-out done: the record is closed to clinical entries.</summary>
    SignedOut,

    /// <summary>Completed; the observation starts from the end time.</summary>
    Completed,

    /// <summary>Stopped after sign-in, before completion.</summary>
    Discontinued,

    /// <summary>The booking was cancelled before sign-in: off the worklist.</summary>
    Cancelled,
}
