using IrSuite.ServiceDefaults.Clinical;
using IrSuite.Scheduling.V1;

namespace IrSuite.Scheduling.Domain;

/// <summary>What discharge sets off: the 1-month follow-up with X-ray, and the fracture-liaison referral (seeds; IOF Capture the Fracture).</summary>
public static class FollowUpPlanner
{
    /// <summary>Follow-up start: discharge + Scheduling.FollowUpAfterDays (seeds: consultation with an X-ray at 1 month).</summary>
    public static DateTimeOffset FollowUpStart(DateTimeOffset dischargedAt, SchedulingRules rules) =>
        dischargedAt + TimeSpan.FromDays(rules.FollowUpAfterDays.Value);

    /// <summary>A fracture-liaison referral is due when osteoporosis is suspected for an osteoporotic fracture.</summary>
    public static bool NeedsFractureLiaison(Indication indication, bool osteoporosisSuspected) =>
        osteoporosisSuspected && indication == Indication.OsteoporoticFracture;

    /// <summary>The fracture date: the earliest imaging of the referral, else the referral date.</summary>
    public static DateTimeOffset FractureDate(IEnumerable<DateTimeOffset> imagingDates, DateTimeOffset referredAt)
    {
        var dates = imagingDates.ToList();
        return dates.Count == 0 ? referredAt : dates.Min();
    }

    /// <summary>Assessment due within Scheduling.FractureLiaisonWithinWeeks of the fracture (IOF: 12 weeks).</summary>
    public static DateTimeOffset FractureLiaisonDue(DateTimeOffset fractureAt, SchedulingRules rules) =>
        fractureAt + TimeSpan.FromDays(7 * rules.FractureLiaisonWithinWeeks.Value);
}
