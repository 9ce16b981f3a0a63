namespace IrSuite.Contracts.Anesthesia;

// Events of the anesthesia service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>The anaesthesiologist signed the clearance.</summary>
public sealed record ClearanceSigned(Guid ReferralId, Guid PatientId, string Decision, string SedationMode, DateTimeOffset OccurredAt);

/// <summary>The pre-anaesthetic visit (CSP D6124-92: within 24 h before the procedure) was done.</summary>
public sealed record PreAnestheticVisitRecorded(Guid ReferralId, Guid PatientId, DateTimeOffset VisitedAt, string AnesthesiologistId, DateTimeOffset OccurredAt);
