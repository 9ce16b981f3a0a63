namespace IrSuite.ServiceDefaults.Idempotency;

/// <summary>Configuration section <c>Idempotency</c> (decision 0007).</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>
    /// How long a request id is remembered. After this a reused id counts as new: the row is replaced when the
    /// id comes again, and the retention sweep deletes expired rows (decision 0020).
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
