namespace IrSuite.Contracts.Scheduling;

// Events of the scheduling service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>A referral was registered.</summary>
public sealed record ReferralSubmitted(Guid ReferralId, Guid PatientId, string Indication, IReadOnlyList<string> Levels, DateTimeOffset OccurredAt);

/// <summary>The IR consult accepted the referral: the anaesthesia case opens.</summary>
public sealed record ReferralAccepted(Guid ReferralId, Guid PatientId, IReadOnlyList<string> Levels, string ExpectedSedation, DateTimeOffset OccurredAt);

/// <summary>A procedure slot was booked (room and recovery bed).</summary>
public sealed record ProcedureScheduled(Guid ReferralId, Guid PatientId, IReadOnlyList<string> Levels, string Room, string RecoveryBed, DateTimeOffset Start, DateTimeOffset OccurredAt)
{
    /// <summary>The levels on the signed consent (wrong-level prevention: requested = consented = time-out = treated).</summary>
    public IReadOnlyList<string> ConsentedLevels { get; init; } = [];

    /// <summary>A <see cref="SedationCodes"/> value: the cleared sedation, or LOCAL.</summary>
    public string SedationMode { get; init; } = "";

    /// <summary>An <see cref="AdmissionCodes"/> value.</summary>
    public string Admission { get; init; } = "";

    /// <summary><see cref="AllergyCodes"/> values (never the free-text allergy list).</summary>
    public IReadOnlyList<string> AllergyClasses { get; init; } = [];

    /// <summary>Pregnancy status code (NOT_APPLICABLE, EXCLUDED...).</summary>
    public string Pregnancy { get; init; } = "";

    /// <summary>Indication code (OSTEOPOROTIC_FRACTURE, TUMOUR).</summary>
    public string Indication { get; init; } = "";

    /// <summary>Planned length of the slot.</summary>
    public int DurationMinutes { get; init; }

    /// <summary>The site protocol version the booking was checked against.</summary>
    public string ProtocolVersion { get; init; } = "";
}

/// <summary>A booked procedure was cancelled.</summary>
public sealed record ProcedureCancelled(Guid ReferralId, Guid PatientId, DateTimeOffset OccurredAt);

/// <summary>The follow-up consultation was booked.</summary>
public sealed record FollowUpBooked(Guid ReferralId, Guid PatientId, DateTimeOffset Start, DateTimeOffset OccurredAt)
{
    /// <summary>True when a control X-ray is ordered with the follow-up (the 1-month visit).</summary>
    public bool WithXRay { get; init; }
}

/// <summary>
/// Osteoporosis was suspected for an osteoporotic fracture: a fracture-liaison / rheumatology referral task was created
/// at discharge, assessment due by <see cref="DueBy"/> (IOF Capture the Fracture: within 12 weeks of the fracture).
/// </summary>
public sealed record FractureLiaisonReferralRequested(Guid ReferralId, Guid PatientId, DateTimeOffset FractureAt, DateTimeOffset DueBy, DateTimeOffset OccurredAt)
{
    /// <summary>The site protocol version applied.</summary>
    public string ProtocolVersion { get; init; } = "";
}
