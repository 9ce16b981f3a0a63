namespace IrSuite.ProcedureRecord.Domain;

/// <summary>
/// One refused precondition: <see cref="Rule"/> is the stable rule code (see <see cref="GateRules"/>), <see cref="Subject"/>
/// the checklist item or field it concerns (the rule code itself when there is none). Never patient data.
/// </summary>
public sealed record GateViolation(string Rule, string Subject, string Description);

/// <summary>
/// A clinical or workflow rule refused a command. <see cref="Rule"/> is the first violated rule code; <see cref="Violations"/>
/// lists every violation found (one per missing item or rule). Messages name states, levels and fields only.
/// </summary>
public sealed class ClinicalGateException : Exception
{
    public ClinicalGateException(string rule, string message)
        : this([new GateViolation(rule, rule, message)])
    {
    }

    public ClinicalGateException(IReadOnlyList<GateViolation> violations)
        : base(string.Join(" ", violations.Select(v => v.Description)))
    {
        ArgumentOutOfRangeException.ThrowIfZero(violations.Count);
        Violations = violations;
    }

    public string Rule => Violations[0].Rule;

    public IReadOnlyList<GateViolation> Violations { get; }
}
