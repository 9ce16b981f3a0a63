using Polly;
using Polly.Retry;

namespace IrSuite.ServiceDefaults.Data;

/// <summary>
/// The Polly pipeline around a service's database work (decision 0008): a few jittered exponential retries of
/// transient failures, only while the outcome is known. Opening a connection and a transaction that failed
/// before its commit are safe to run again (nothing was written); a failed commit is not retried, because it
/// may have been applied - the caller gets the error, and a client retry with the same request id is answered
/// from the idempotency record.
/// </summary>
public static class DatabaseResilience
{
    /// <summary>Set on the resilience context once the commit was sent: from then on nothing is retried.</summary>
    public static readonly ResiliencePropertyKey<bool> CommitSent = new("irsuite.db.commit-sent");

    public static ResiliencePipeline Build(Action<Exception>? onConnectionBroken = null, DatabaseRetryOptions? options = null, TimeProvider? time = null)
    {
        options ??= new DatabaseRetryOptions();
        return new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } ex
                    && ex is not OperationCanceledException
                    && !(args.Context.Properties.TryGetValue(CommitSent, out var sent) && sent)
                    && TransientFaults.IsTransientDatabase(ex)),
                OnRetry = args =>
                {
                    if (args.Outcome.Exception is { } ex && TransientFaults.IsConnectionBroken(ex))
                    {
                        // After a server restart every pooled connection is dead: drop them all, not one per attempt.
                        onConnectionBroken?.Invoke(ex);
                    }

                    return default;
                },
            })
            .Build();
    }
}

/// <summary>Bounds of the database retry (configuration <c>Databases:&lt;service&gt;:Retry</c>).</summary>
public sealed class DatabaseRetryOptions
{
    public int MaxRetryAttempts { get; set; } = 4;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(2);
}
