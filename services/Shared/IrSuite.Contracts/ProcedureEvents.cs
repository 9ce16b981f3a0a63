namespace IrSuite.Contracts.Procedure;

// Events of the procedure service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>The WHO time-out confirmed the levels: the procedure has started.</summary>
public sealed record ProcedureStarted(Guid ReferralId, Guid PatientId, IReadOnlyList<string> ConfirmedLevels, DateTimeOffset OccurredAt);

/// <summary>The case was completed; the observation starts from <see cref="EndedAt"/>.</summary>
public sealed record ProcedureCompleted(Guid ReferralId, Guid PatientId, IReadOnlyList<string> TreatedLevels, int ComplicationCount, int MaxCirseGrade, DateTimeOffset EndedAt, DateTimeOffset OccurredAt);

/// <summary>The case was stopped before completion.</summary>
public sealed record ProcedureDiscontinued(Guid ReferralId, Guid PatientId, string Reason, DateTimeOffset OccurredAt);
