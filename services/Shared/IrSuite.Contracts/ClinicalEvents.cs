namespace IrSuite.Contracts.Clinical;

// Events more than one service raises. Pseudonymous ids and codes only.
/// <summary>
/// An escalation: urgent neurological examination and CT (symptomatic cement leak in the room, new neurological
/// deficit in the room or during the observation). <see cref="Reason"/> is an <see cref="EscalationCodes"/> value,
/// <see cref="Source"/> the raising service, <see cref="Level"/> the vertebral level when known (else empty).
/// </summary>
public sealed record EscalationRaised(Guid ReferralId, Guid PatientId, string Reason, string Source, string Level, DateTimeOffset OccurredAt);
