namespace IrSuite.Discharge.Domain;

/// <summary>
/// A clinical or workflow gate refused a command. <see cref="Rule"/> is a stable UPPER_SNAKE code clients
/// can act on; the description names rules and numbers only, never patient data.
/// </summary>
public sealed class DischargeGateException : Exception
{
    public DischargeGateException(string rule, string description)
        : base($"{rule}: {description}")
    {
        Rule = rule;
        Description = description;
    }

    public string Rule { get; }

    public string Description { get; }
}

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
}
