namespace IrSuite.ProcedureRecord.Domain;

/// <summary>The rule codes this service refuses with (FAILED_PRECONDITION, <c>ErrorInfo.type</c>). Stable: clients match on them.</summary>
public static class GateRules
{
    /// <summary>Sign-in needs a scheduled case.</summary>
    public const string SignInNotAllowed = "SIGN_IN_NOT_ALLOWED";

    /// <summary>Every sign-in item must be confirmed (WHO checklist).</summary>
    public const string SignInIncomplete = "SIGN_IN_INCOMPLETE";

    /// <summary>The time-out follows the sign-in (WHO checklist).</summary>
    public const string SignInRequired = "SIGN_IN_REQUIRED";

    /// <summary>Confirmed levels must equal the scheduled ones (wrong-level prevention: NASS "Sign, Mark &amp; X-ray"; Joint Commission Universal Protocol).</summary>
    public const string LevelsMismatch = "LEVELS_MISMATCH";

    /// <summary>No trocar, cement or sign-out before the time-out (WHO checklist).</summary>
    public const string TimeOutRequired = "TIME_OUT_REQUIRED";

    /// <summary>Only a level confirmed at the time-out may be treated (wrong-level prevention).</summary>
    public const string LevelNotConfirmed = "LEVEL_NOT_CONFIRMED";

    /// <summary>A level is treated once per case.</summary>
    public const string LevelAlreadyTreated = "LEVEL_ALREADY_TREATED";

    /// <summary>Signed out, completed, discontinued or cancelled: no further clinical entries.</summary>
    public const string CaseClosed = "CASE_CLOSED";

    /// <summary>Sign-out needs every confirmed level treated (treated = confirmed levels).</summary>
    public const string LevelsNotAllTreated = "LEVELS_NOT_ALL_TREATED";

    /// <summary>Sign-out needs the dose (Euratom 2013/59 art. 58(b)).</summary>
    public const string DoseRequired = "DOSE_REQUIRED";

    /// <summary>Every sign-out item must be confirmed (WHO checklist).</summary>
    public const string SignOutIncomplete = "SIGN_OUT_INCOMPLETE";

    /// <summary>No case closed without sign-out (WHO checklist).</summary>
    public const string SignOutRequired = "SIGN_OUT_REQUIRED";

    /// <summary>Only a started case (signed in, not ended) can be discontinued; an unstarted booking is cancelled in scheduling.</summary>
    public const string DiscontinueNotAllowed = "DISCONTINUE_NOT_ALLOWED";
}
