namespace IrSuite.Contracts.Procedure;

// Events of the procedure service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>The WHO time-out confirmed the levels: the procedure has started.</summary>
public sealed record ProcedureStarted(Guid ReferralId, Guid PatientId, IReadOnlyList<string> ConfirmedLevels, DateTimeOffset OccurredAt);

/// <summary>The case was completed; the observation starts from <see cref="EndedAt"/>.</summary>
public sealed record ProcedureCompleted(Guid ReferralId, Guid PatientId, IReadOnlyList<string> TreatedLevels, int ComplicationCount, int MaxCirseGrade, DateTimeOffset EndedAt, DateTimeOffset OccurredAt)
{
    /// <summary>An <see cref="AdmissionCodes"/> value carried from the booking (same-day or next-day discharge).</summary>
    public string Admission { get; init; } = "";

    /// <summary>A <see cref="SedationCodes"/> value carried from the booking.</summary>
    public string SedationMode { get; init; } = "";

    /// <summary>True when a cement leak was symptomatic (the observation watches the legs closely).</summary>
    public bool SymptomaticLeak { get; init; }

    /// <summary>True when the dose crossed the skin follow-up level.</summary>
    public bool SkinDoseFollowUp { get; init; }

    /// <summary>Indication code carried from the booking.</summary>
    public string Indication { get; init; } = "";
}

/// <summary>The reference air kerma crossed the site's skin follow-up level (NCRP 168: 5 Gy): a skin check is due.</summary>
public sealed record SkinDoseFollowUpRequired(Guid ReferralId, Guid PatientId, double ReferenceAirKermaMgy, DateTimeOffset DueBy, DateTimeOffset OccurredAt);

/// <summary>The case was stopped before completion.</summary>
public sealed record ProcedureDiscontinued(Guid ReferralId, Guid PatientId, string Reason, DateTimeOffset OccurredAt);
