using System.Collections.Concurrent;
using IrSuite.ServiceDefaults.Data;

namespace IrSuite.ServiceDefaults.Audit;

/// <summary>
/// Appends to one database's audit chain the records no call transaction carried (reads, refusals, failures), with
/// group commit: concurrent callers' records go into one transaction, and each caller returns once its own record is
/// committed. The first caller to find the log idle writes everything queued so far; the others wait for that commit
/// (or write the next batch). A read therefore still never answers before its record is durable, but a burst of
/// reads costs one commit, and one hold of SQLite's single writer, per batch instead of one per call.
/// </summary>
public sealed class AuditLog : IDisposable
{
    /// <summary>Most records one transaction appends by default; a longer queue is written in several.</summary>
    public const int DefaultMaxBatch = 512;

    private readonly ServiceDatabase _database;
    private readonly ConcurrentQueue<Pending> _queue = new();
    private readonly SemaphoreSlim _writer = new(1, 1);

    private readonly int _maxBatch;

    internal AuditLog(ServiceDatabase database)
    {
        _database = database;
        _maxBatch = Math.Max(1, database.Options.AuditMaxBatch);
    }

    /// <summary>Number of transactions this log has committed (for the benchmark and tests).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    private long _commits;

    /// <summary>Appends <paramref name="records"/> and returns once they are committed; throws when their batch failed.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return;
        }

        var pending = new Pending(records);
        _queue.Enqueue(pending);
        while (!pending.Done.Task.IsCompleted)
        {
            await _writer.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!pending.Done.Task.IsCompleted)
                {
                    await WriteBatchAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _writer.Release();
            }
        }

        await pending.Done.Task.ConfigureAwait(false);
    }

    private async Task WriteBatchAsync()
    {
        var batch = new List<Pending>();
        var count = 0;
        while (count < _maxBatch && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
            count += next.Records.Count;
        }

        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            // Not cancellable: the callers are already answered by their handlers; what remains is the record.
            await _database.InAuditTransactionAsync(
                async (connection, transaction) =>
                {
                    await AuditChain.AppendAsync(connection, transaction, _database.ServiceName, batch.SelectMany(p => p.Records)).ConfigureAwait(false);
                    return 0;
                },
                CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _commits);
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Done.TrySetException(ex);
            }
        }
    }

    /// <summary>Called by the database's own disposal, after the host has stopped serving calls.</summary>
    public void Dispose() => _writer.Dispose();

    private sealed class Pending(IReadOnlyList<AuditRecord> records)
    {
        public IReadOnlyList<AuditRecord> Records { get; } = records;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
