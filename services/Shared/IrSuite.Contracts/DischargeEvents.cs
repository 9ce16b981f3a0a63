namespace IrSuite.Contracts.Discharge;

// Events of the discharge service. Pseudonymous ids only: never identity or free clinical text.
/// <summary>The observation started (from the procedure's end).</summary>
public sealed record ObservationStarted(Guid ReferralId, Guid PatientId, DateTimeOffset StartedAt, DateTimeOffset MinimumUntil, DateTimeOffset OccurredAt);

/// <summary>The minimum observation has elapsed (fired once by the durable due-time table).</summary>
public sealed record ObservationMinimumElapsed(Guid ReferralId, Guid PatientId, DateTimeOffset OccurredAt);

/// <summary>The patient was discharged.</summary>
public sealed record PatientDischarged(Guid ReferralId, Guid PatientId, string Destination, DateTimeOffset OccurredAt);
