namespace IrSuite.ProcedureRecord.Domain;

/// <summary>
/// A clinical or workflow rule refused a command. <see cref="Rule"/> is a stable code (see <see cref="GateRules"/>);
/// the message names states, levels and fields only, never patient data.
/// </summary>
public sealed class ClinicalGateException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}
