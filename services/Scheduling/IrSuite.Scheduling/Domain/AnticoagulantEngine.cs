using IrSuite.ServiceDefaults.Clinical;
using MedicationKind = IrSuite.Common.V1.MedicationKind;

namespace IrSuite.Scheduling.Domain;

/// <summary>A current medication of the referral, as the hold engine sees it.</summary>
public sealed record DrugOnReferral(string Name, MedicationKind Kind);

/// <summary>The hold of one drug; stop-from and restart depend on the slot.</summary>
public sealed record DrugHoldLine(
    string Drug, MedicationKind Kind, double HoldDays, DateTimeOffset? LastDoseAt, DateTimeOffset EarliestProcedureAt, double RestartAfterHours, string Source)
{
    /// <summary>The last dose must be taken no later than this for a slot starting at <paramref name="slotStart"/>.</summary>
    public DateTimeOffset StopFrom(DateTimeOffset slotStart) => slotStart - TimeSpan.FromDays(HoldDays);

    /// <summary>Restart not before the slot end plus the restart delay (haemostasis secured).</summary>
    public DateTimeOffset RestartAfter(DateTimeOffset slotEnd) => slotEnd + TimeSpan.FromHours(RestartAfterHours);
}

/// <summary>A hold plan: one line per anticoagulant / antiplatelet, and the earliest procedure start over all of them.</summary>
public sealed record HoldPlan(IReadOnlyList<DrugHoldLine> Drugs, DateTimeOffset EarliestProcedureAt, double? CreatinineClearance, DateTimeOffset PlannedAt)
{
    /// <summary>Warfarin is being stopped: the shorter lab validity window applies (clinical-anchors R8).</summary>
    public bool StopsWarfarin => Drugs.Any(d => AnticoagulantEngine.IsWarfarin(d.Drug));
}

/// <summary>
/// Drug holds before a high bleeding-risk procedure (vertebroplasty; SIR 2019 consensus, the site's
/// Bleeding.DrugHolds table): hold days by drug and creatinine clearance, earliest procedure date, restart time.
/// </summary>
public static class AnticoagulantEngine
{
    public const string UnknownDrug = "ANTICOAGULANT_UNKNOWN_DRUG";
    public const string CreatinineClearanceRequired = "CREATININE_CLEARANCE_REQUIRED";

    public static bool IsWarfarin(string drug) => string.Equals(drug.Trim(), "warfarin", StringComparison.OrdinalIgnoreCase);

    /// <summary>The site's hold row for a drug (by INN, case-insensitive), or null.</summary>
    public static DrugHold? Find(BleedingRiskRules rules, string drug)
    {
        var name = drug.Trim();
        return rules.DrugHolds.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
    }

    /// <summary>The medications the hold rules concern: classified anticoagulant / antiplatelet, or named on the hold table.</summary>
    public static IReadOnlyList<(int Index, DrugOnReferral Drug)> Relevant(IReadOnlyList<DrugOnReferral> medications, BleedingRiskRules rules) =>
        medications.Select((m, i) => (Index: i, Drug: m))
            .Where(p => p.Drug.Kind is MedicationKind.Anticoagulant or MedicationKind.Antiplatelet || Find(rules, p.Drug.Name) is not null)
            .ToList();

    /// <summary>
    /// Plans every hold. Refuses (all problems at once) a drug missing from the table (a local rule is needed) and a
    /// drug with renal rows when the creatinine clearance is unknown. <paramref name="lastDoses"/> is by drug name,
    /// case-insensitive; a drug without a last dose is still taken, so its hold starts now.
    /// </summary>
    public static HoldPlan Plan(
        IReadOnlyList<DrugOnReferral> medications, double? creatinineClearance, IReadOnlyDictionary<string, DateTimeOffset> lastDoses, DateTimeOffset now, BleedingRiskRules rules)
    {
        var violations = new List<GateViolation>();
        var lines = new List<DrugHoldLine>();
        foreach (var (index, drug) in Relevant(medications, rules))
        {
            var hold = Find(rules, drug.Name);
            if (hold is null)
            {
                violations.Add(new(UnknownDrug, $"medications[{index}] is not on the site hold table (SiteProtocol:Bleeding:DrugHolds): a local rule is needed."));
                continue;
            }

            if (hold.HoldDaysWhenCrClBelow.Count > 0 && creatinineClearance is null)
            {
                violations.Add(new(CreatinineClearanceRequired, $"medications[{index}] has renal-adjusted holds: give creatinine_clearance_ml_min (or record labs with it)."));
                continue;
            }

            var days = hold.HoldDaysFor(creatinineClearance);
            DateTimeOffset? lastDose = lastDoses.TryGetValue(drug.Name.Trim(), out var taken) ? taken : null;
            var earliest = (lastDose ?? now) + TimeSpan.FromDays(days);
            var kind = drug.Kind is MedicationKind.Anticoagulant or MedicationKind.Antiplatelet
                ? drug.Kind
                : hold.Kind == DrugKind.Antiplatelet ? MedicationKind.Antiplatelet : MedicationKind.Anticoagulant;
            lines.Add(new DrugHoldLine(drug.Name.Trim(), kind, days, lastDose, earliest, hold.RestartAfterHours, hold.Source));
        }

        if (violations.Count > 0)
        {
            throw Gates.Refuse(violations);
        }

        var earliestOverall = lines.Count == 0 ? now : lines.Max(l => l.EarliestProcedureAt);
        return new HoldPlan(lines, earliestOverall, creatinineClearance, now);
    }
}
