namespace IrSuite.Contracts.Anesthesia;

// Events of the anesthesia service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>The anaesthesiologist signed the clearance.</summary>
public sealed record ClearanceSigned(Guid ReferralId, Guid PatientId, string Decision, string SedationMode, DateTimeOffset OccurredAt);
