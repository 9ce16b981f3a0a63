namespace IrSuite.ProcedureRecord.Domain;

/// <summary>The rule codes this service refuses with (FAILED_PRECONDITION, <c>ErrorInfo.type</c>). Stable: clients match on them.</summary>
public static class GateRules
{
    /// <summary>Sign-in needs a scheduled case.</summary>
    public const string SignInNotAllowed = "SIGN_IN_NOT_ALLOWED";

    /// <summary>Every sign-in item must be confirmed (WHO Surgical Safety Checklist 2009); one violation per item.</summary>
    public const string SignInIncomplete = "WHO_SIGN_IN_INCOMPLETE";

    /// <summary>Sedation or GA: a pre-anaesthetic visit within the site window before sign-in (CSP D6124-92: 24 h).</summary>
    public const string PreAnestheticVisitRequired = "PRE_ANESTHETIC_VISIT_REQUIRED";

    /// <summary>Sedation or GA: fasting intervals respected at sign-in (ASA fasting guidelines 2017: 2 / 6 / 8 h).</summary>
    public const string FastingNotRespected = "FASTING_NOT_RESPECTED";

    /// <summary>The booking carried no consented levels: sign-in refused until the consent reaches this service.</summary>
    public const string ConsentRequired = "CONSENT_REQUIRED";

    /// <summary>Consented levels must equal the requested (scheduled) levels (NASS SMaX; Joint Commission Universal Protocol).</summary>
    public const string ConsentLevelsMismatch = "CONSENT_LEVELS_MISMATCH";

    /// <summary>The time-out follows the sign-in (WHO checklist).</summary>
    public const string SignInRequired = "SIGN_IN_REQUIRED";

    /// <summary>Every time-out item must be confirmed (WHO checklist); one violation per item.</summary>
    public const string TimeOutIncomplete = "WHO_TIME_OUT_INCOMPLETE";

    /// <summary>Confirmed levels must equal the scheduled and consented ones (wrong-level prevention: NASS "Sign, Mark &amp; X-ray"; Joint Commission Universal Protocol).</summary>
    public const string LevelsMismatch = "LEVELS_MISMATCH";

    /// <summary>Antibiotic prophylaxis given within the site window before the time-out (WHO checklist: 60 min before incision).</summary>
    public const string AntibioticWindowNotMet = "ANTIBIOTIC_WINDOW_NOT_MET";

    /// <summary>No beta-lactam for a patient with a beta-lactam allergy (local protocol, Moon 2010).</summary>
    public const string AntibioticAllergyConflict = "ANTIBIOTIC_ALLERGY_CONFLICT";

    /// <summary>No trocar, cement or sign-out before the time-out (WHO checklist).</summary>
    public const string TimeOutRequired = "TIME_OUT_REQUIRED";

    /// <summary>A new operator needs a new time-out before treating (Universal Protocol; NASS SMaX).</summary>
    public const string OperatorChangedTimeOutRequired = "OPERATOR_CHANGED_TIME_OUT_REQUIRED";

    /// <summary>Only a level confirmed at the time-out may be treated (wrong-level prevention).</summary>
    public const string LevelNotConfirmed = "LEVEL_NOT_CONFIRMED";

    /// <summary>A level is treated once per case.</summary>
    public const string LevelAlreadyTreated = "LEVEL_ALREADY_TREATED";

    /// <summary>A level recorded as abandoned is not treated (and a treated level cannot be abandoned).</summary>
    public const string LevelAbandoned = "LEVEL_ABANDONED";

    /// <summary>No cement lot past its expiry date on the procedure date (EU MDR 2017/745 art. 27(9) traceability).</summary>
    public const string CementLotExpired = "CEMENT_LOT_EXPIRED";

    /// <summary>Signed out, completed, discontinued or cancelled: no further clinical entries.</summary>
    public const string CaseClosed = "CASE_CLOSED";

    /// <summary>Completion needs every confirmed level treated or abandoned with a reason (treated = confirmed levels).</summary>
    public const string LevelsNotAllTreated = "LEVELS_NOT_TREATED";

    /// <summary>Completion needs the dose (Euratom 2013/59 art. 58(b)).</summary>
    public const string DoseRequired = "DOSE_REQUIRED";

    /// <summary>Every sign-out item must be confirmed (WHO checklist); one violation per item.</summary>
    public const string SignOutIncomplete = "WHO_SIGN_OUT_INCOMPLETE";

    /// <summary>The sign-out confirms exactly the treated levels (wrong-level prevention: treated = reported).</summary>
    public const string SignOutLevelsMismatch = "SIGN_OUT_LEVELS_MISMATCH";

    /// <summary>No case closed without sign-out (WHO checklist).</summary>
    public const string SignOutRequired = "SIGN_OUT_REQUIRED";

    /// <summary>Only a started case (signed in, not ended) can be discontinued; an unstarted booking is cancelled in scheduling.</summary>
    public const string DiscontinueNotAllowed = "DISCONTINUE_NOT_ALLOWED";

    /// <summary>The report exists for a completed or discontinued case only.</summary>
    public const string CaseNotClosed = "CASE_NOT_CLOSED";
}
