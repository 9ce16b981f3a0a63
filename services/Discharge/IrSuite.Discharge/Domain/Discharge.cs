namespace IrSuite.Discharge.Domain;

/// <summary>Where the patient goes.</summary>
public enum DischargeDestination
{
    /// <summary>Home the same day (ambulatory), with an adult escort.</summary>
    Home = 1,

    /// <summary>Back to the ward; home the next day.</summary>
    Ward = 2,
}

/// <summary>What the discharging clinician asks for. A null destination means none was given.</summary>
public sealed record DischargeDecision(DischargeDestination? Destination, bool EscortPresent, string? ClinicianId);

/// <summary>
/// The procedure as the discharge summary reports it, copied from procedure-record at discharge so the summary
/// never depends on that service afterwards.
/// </summary>
public sealed record ProcedureOutline(IReadOnlyList<string> Levels, double TotalCementMl, IReadOnlyList<string> Complications, DateTimeOffset? EndedAt);

/// <summary>One instruction as given: the site protocol's code and its text at that moment.</summary>
public sealed record InstructionLine(string Code, string Text);

/// <summary>The discharge as recorded.</summary>
public sealed record DischargeRecord(
    DateTimeOffset DischargedAt,
    DischargeDestination Destination,
    string ClinicianId,
    IReadOnlyList<InstructionLine> Instructions,
    ProcedureOutline Procedure)
{
    /// <summary>The site protocol (version#fingerprint) the discharge and its instructions came from.</summary>
    public string ProtocolVersion { get; init; } = "";

    /// <summary>Latest modified Aldrete total at the discharge.</summary>
    public int? AldreteScore { get; init; }

    /// <summary>Latest PADSS total at the discharge.</summary>
    public int? PadssScore { get; init; }

    public bool EscortPresent { get; init; }

    /// <summary>Discharge + the site's post-discharge call hours (PADSS validation protocol: 24 h call).</summary>
    public DateTimeOffset PostDischargeCallDueAt { get; init; }

    /// <summary>Site-local date of the follow-up consultation with X-ray (seeds: 1 month); booked by scheduling.</summary>
    public DateOnly? FollowUpDueDate { get; init; }

    public int FollowUpWindowDays { get; init; }

    /// <summary>Checks overdue at the discharge.</summary>
    public int OverdueCheckCount { get; init; }
}
