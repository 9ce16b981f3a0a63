using IrSuite.Contracts;

namespace IrSuite.Discharge.Domain;

/// <summary>
/// An escalation raised during the observation: a new neurological deficit calls for an urgent neurological examination
/// and CT (DOMAIN.md rule table: "Symptomatic cement leak or new neurological deficit -> escalation"; seeds; CIRSE).
/// It stays open, and going home is refused, until a clinician records the review (ResolveEscalation).
/// </summary>
public sealed record EscalationState(string Reason, DateTimeOffset RaisedAt, DateTimeOffset? ResolvedAt = null, string? ResolvedBy = null, string? Outcome = null)
{
    public bool IsOpen => ResolvedAt is null;

    public static EscalationState NewNeurologicalDeficit(DateTimeOffset at) => new(EscalationCodes.NewNeurologicalDeficit, at);
}

/// <summary>What the review of an escalation concluded (stored and returned as these codes).</summary>
public static class EscalationOutcomes
{
    public const string NoDeficit = "NO_DEFICIT";
    public const string ImagingNormal = "IMAGING_NORMAL";
    public const string DeficitManaged = "DEFICIT_MANAGED";
}

/// <summary>What the booking and the procedure told the observation (ProcedureCompleted) and the protocol applied.</summary>
public sealed record ObservationContext(
    string Admission, string SedationMode, bool CloseNeuroWatch, bool SkinDoseFollowUp, string Indication, string ProtocolVersion)
{
    /// <summary>Observations opened before issue 4: ambulatory, nothing else known.</summary>
    public static readonly ObservationContext Unknown = new(AdmissionCodes.Ambulatory, "", false, false, "", "");

    public bool IsHospitalised => Admission == AdmissionCodes.Hospitalised;
}
