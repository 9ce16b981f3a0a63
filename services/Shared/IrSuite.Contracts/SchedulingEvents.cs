namespace IrSuite.Contracts.Scheduling;

// Events of the scheduling service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>A referral was registered.</summary>
public sealed record ReferralSubmitted(Guid ReferralId, Guid PatientId, string Indication, IReadOnlyList<string> Levels, DateTimeOffset OccurredAt);

/// <summary>The IR consult accepted the referral: the anaesthesia case opens.</summary>
public sealed record ReferralAccepted(Guid ReferralId, Guid PatientId, IReadOnlyList<string> Levels, string ExpectedSedation, DateTimeOffset OccurredAt);

/// <summary>A procedure slot was booked (room and recovery bed).</summary>
public sealed record ProcedureScheduled(Guid ReferralId, Guid PatientId, IReadOnlyList<string> Levels, string Room, string RecoveryBed, DateTimeOffset Start, DateTimeOffset OccurredAt);

/// <summary>A booked procedure was cancelled.</summary>
public sealed record ProcedureCancelled(Guid ReferralId, Guid PatientId, DateTimeOffset OccurredAt);

/// <summary>The follow-up consultation was booked.</summary>
public sealed record FollowUpBooked(Guid ReferralId, Guid PatientId, DateTimeOffset Start, DateTimeOffset OccurredAt);
