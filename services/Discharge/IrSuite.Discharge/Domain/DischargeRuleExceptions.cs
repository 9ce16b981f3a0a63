namespace IrSuite.Discharge.Domain;

/// <summary>
/// A clinical or workflow gate refused a command. <see cref="Rule"/> is a stable UPPER_SNAKE code clients
/// can act on; the description names rules and numbers only, never patient data.
/// </summary>
public sealed class DischargeGateException : Exception
{
    public DischargeGateException(string rule, string description)
        : this([new GateViolation(rule, description)])
    {
    }

    /// <summary>Several gates refused at once; <see cref="Rule"/> is the first.</summary>
    public DischargeGateException(IReadOnlyList<GateViolation> violations)
        : base(string.Join(" ", (violations ?? throw new ArgumentNullException(nameof(violations))).Select(v => $"{v.Rule}: {v.Description}")))
    {
        if (violations.Count == 0)
        {
            throw new ArgumentException("At least one violation.", nameof(violations));
        }

        Violations = [.. violations];
        Rule = violations[0].Rule;
        Description = string.Join(" ", violations.Select(v => v.Description));
    }

    public string Rule { get; }

    public string Description { get; }

    /// <summary>Every refused gate, in the order checked.</summary>
    public IReadOnlyList<GateViolation> Violations { get; }
}

/// <summary>One refused gate: its stable code and a description naming rules and numbers only.</summary>
public sealed record GateViolation(string Rule, string Description);

/// <summary>A command carried a missing or unusable field (<see cref="Field"/> is the proto field path).</summary>
public sealed class DischargeInputException : Exception
{
    public DischargeInputException(string field, string description)
        : base($"{field}: {description}")
    {
        Field = field;
        Description = description;
    }

    public string Field { get; }

    public string Description { get; }
}

/// <summary>The stable rule codes of the discharge service.</summary>
public static class DischargeRules
{
    public const string AlreadyDischarged = "ALREADY_DISCHARGED";
    public const string ObservationMinimumNotElapsed = "OBSERVATION_MINIMUM_NOT_ELAPSED";
    public const string DischargeCriteriaNotMet = "DISCHARGE_CRITERIA_NOT_MET";
    public const string EscortRequired = "ESCORT_REQUIRED";

    /// <summary>Leaving recovery: modified Aldrete &gt;= the site minimum (Aldrete 1995: 9/10).</summary>
    public const string AldreteBelowMinimum = "ALDRETE_BELOW_MINIMUM";

    /// <summary>Going home: PADSS &gt;= the site minimum (Chung: 9/10).</summary>
    public const string PadssBelowMinimum = "PADSS_BELOW_MINIMUM";

    /// <summary>A hospitalised patient goes home the next site-local day, not before the site's hour.</summary>
    public const string NextDayDischargeRule = "NEXT_DAY_DISCHARGE_RULE";

    /// <summary>Going home before the site's getting-up time.</summary>
    public const string GettingUpNotYetAllowed = "GETTING_UP_NOT_YET_ALLOWED";

    /// <summary>Going home while an escalation (new neurological deficit) is not resolved.</summary>
    public const string EscalationOpen = "ESCALATION_OPEN";

    /// <summary>ResolveEscalation with no escalation open.</summary>
    public const string NoOpenEscalation = "NO_OPEN_ESCALATION";

    /// <summary>The discharge summary document exists only after the discharge.</summary>
    public const string NotDischarged = "NOT_DISCHARGED";
}
