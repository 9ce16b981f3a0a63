namespace IrSuite.ProcedureRecord.Data;

/// <summary>The case changed since it was read (optimistic concurrency): the caller retries.</summary>
public sealed class ConcurrencyConflictException(Guid referralId)
    : Exception("The procedure case was modified concurrently.")
{
    public Guid ReferralId { get; } = referralId;
}
