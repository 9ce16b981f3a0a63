using IrSuite.Scheduling.Data;

namespace IrSuite.Scheduling.Board;

/// <summary>
/// Tells this process's board watchers that scheduling's database committed something (a board change is always
/// committed with the state change that causes it). Watchers re-read and send only what differs; changes committed by
/// another replica reach them at their next heartbeat re-read.
/// </summary>
public sealed class BoardNotifier : IDisposable
{
    private readonly SchedulingDatabase _database;

    public BoardNotifier(SchedulingDatabase database)
    {
        _database = database;
        _database.AfterCommit += Signal;
    }

    /// <summary>Raised after each commit; handlers must be quick (they run on the committing call's thread).</summary>
    public event Action? Changed;

    public void Signal() => Changed?.Invoke();

    public void Dispose() => _database.AfterCommit -= Signal;
}
