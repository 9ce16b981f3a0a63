namespace IrSuite.Contracts.Discharge;

// Events of the discharge service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>The observation started (from the procedure's end).</summary>
public sealed record ObservationStarted(Guid ReferralId, Guid PatientId, DateTimeOffset StartedAt, DateTimeOffset MinimumUntil, DateTimeOffset OccurredAt)
{
    /// <summary>When the first check (vitals, pain, legs, puncture site) is due; null on messages from before the board.</summary>
    public DateTimeOffset? FirstCheckDue { get; init; }
}

/// <summary>An observation round was recorded; carries where the check schedule stands after it (for the department board).</summary>
public sealed record ObservationRoundRecorded(Guid ReferralId, Guid PatientId, DateTimeOffset TakenAt, int RoundCount, DateTimeOffset OccurredAt)
{
    /// <summary>When the next check is due after this round; null when none is (the schedule ended).</summary>
    public DateTimeOffset? NextCheckDue { get; init; }

    /// <summary>The Aldrete total of the latest round that scored it (0-10), else null.</summary>
    public int? Aldrete { get; init; }

    /// <summary>The PADSS total of the latest round that scored it (0-10), else null.</summary>
    public int? Padss { get; init; }
}

/// <summary>An escalation was reviewed and closed; <see cref="Outcome"/> is the review's outcome code.</summary>
public sealed record EscalationResolved(Guid ReferralId, Guid PatientId, string Outcome, DateTimeOffset OccurredAt);

/// <summary>The minimum observation has elapsed (fired once by the durable due-time table).</summary>
public sealed record ObservationMinimumElapsed(Guid ReferralId, Guid PatientId, DateTimeOffset OccurredAt);

/// <summary>The patient was discharged.</summary>
public sealed record PatientDischarged(Guid ReferralId, Guid PatientId, string Destination, DateTimeOffset OccurredAt)
{
    /// <summary>An <see cref="AdmissionCodes"/> value: AMBULATORY (home the same day) or HOSPITALISED (next day); empty on old messages.</summary>
    public string Admission { get; init; } = "";

    /// <summary>Indication code carried from the booking (scheduling's fracture-liaison referral uses it); empty when unknown.</summary>
    public string Indication { get; init; } = "";

    /// <summary>The site protocol version (version#fingerprint) the discharge was checked against.</summary>
    public string ProtocolVersion { get; init; } = "";

    /// <summary>When the post-discharge phone call is due (discharge + the site's call hours).</summary>
    public DateTimeOffset? PostDischargeCallDueAt { get; init; }
}
