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

/// <summary>The discharge as recorded.</summary>
public sealed record DischargeRecord(
    DateTimeOffset DischargedAt,
    DischargeDestination Destination,
    string ClinicianId,
    IReadOnlyList<string> Instructions,
    ProcedureOutline Procedure);
