namespace IrSuite.Discharge;

/// <summary>Site policy of the discharge service (configuration section <c>Discharge</c>).</summary>
public sealed class DischargeOptions
{
    public const string Section = "Discharge";

    /// <summary>
    /// The instructions of DOMAIN.md stage 5 (from the seed leaflets), used when the site configures none. They are
    /// site configuration: some published leaflets are stricter (no driving 2 days, no lifting > 4.5 kg for 3 months).
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultInstructions =
    [
        "No driving for 24 hours.",
        "Rest and limit activity for 48 hours.",
        "No heavy lifting for 2 weeks.",
        "Call the department at once for fever, chills or unusual pain.",
        "Report any skin redness or hair loss at the X-ray site in the following weeks.",
    ];

    /// <summary>"Observation >= 2 h after the end of the procedure before discharge" (DOMAIN.md, seeds); per site.</summary>
    public TimeSpan ObservationMinimum { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How often the due-time table is swept for elapsed observation minimums.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Instructions given at discharge. Starts empty because the configuration binder appends to a pre-filled list;
    /// <see cref="DefaultInstructions"/> fill it after binding when the site sets none.
    /// </summary>
    public List<string> Instructions { get; set; } = [];
}
