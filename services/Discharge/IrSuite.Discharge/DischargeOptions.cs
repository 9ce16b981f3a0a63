namespace IrSuite.Discharge;

/// <summary>
/// Technical settings of the discharge service (configuration section <c>Discharge</c>). The clinical ones (the
/// observation minimum, the check schedule, the scores' thresholds, the instructions) are the site protocol's
/// (<c>SiteProtocol:Observation</c>, <c>SiteProtocol:Discharge</c>).
/// </summary>
public sealed class DischargeOptions
{
    public const string Section = "Discharge";

    /// <summary>How often the due-time table is swept for elapsed observation minimums.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}
