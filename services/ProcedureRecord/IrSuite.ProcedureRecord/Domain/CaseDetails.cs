namespace IrSuite.ProcedureRecord.Domain;

/// <summary>
/// What the booking (ProcedureScheduled) tells the room: consent levels, cleared sedation, admission, allergy classes,
/// pregnancy status, indication and planned length, and the protocol version scheduling checked it against. Codes only.
/// </summary>
public sealed record BookingDetails(
    IReadOnlyList<string> ConsentedLevels,
    string SedationMode,
    string Admission,
    IReadOnlyList<string> AllergyClasses,
    string Pregnancy,
    string Indication,
    int DurationMinutes,
    string ScheduledProtocolVersion)
{
    /// <summary>An old booking event without the issue-4 fields.</summary>
    public static BookingDetails None { get; } = new([], "", "", [], "", "", 0, "");
}

/// <summary>Intakes declared at sign-in; null means nothing of that kind since the fasting instructions.</summary>
public sealed record FastingReport(DateTimeOffset? LastClearLiquidsAt, DateTimeOffset? LastLightMealAt, DateTimeOffset? LastFattyMealAt)
{
    public static FastingReport NothingSince { get; } = new(null, null, null);
}

/// <summary>The antibiotic prophylaxis declared at the time-out.</summary>
public sealed record AntibioticDose(string Drug, DateTimeOffset? GivenAt);

/// <summary>One WHO time-out (every one is kept: a new one is done when the operator changes).</summary>
public sealed record TimeOutEntry(string OperatorId, IReadOnlyList<string> ConfirmedLevels, DateTimeOffset At, string? AntibioticDrug, DateTimeOffset? AntibioticGivenAt, string? EquipmentId);

/// <summary>A confirmed level deliberately not treated.</summary>
public sealed record AbandonedLevel(string Level, string Reason, DateTimeOffset At);

/// <summary>An escalation raised on the case (urgent neurological examination and CT).</summary>
public sealed record CaseEscalation(string Reason, string Level, DateTimeOffset RaisedAt, bool Open = true);
