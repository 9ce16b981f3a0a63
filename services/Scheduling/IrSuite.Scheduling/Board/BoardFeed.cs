using System.Runtime.CompilerServices;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Board.V1;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;
using IrSuite.ServiceDefaults.Clinical;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Board;

/// <summary>
/// Reads the board projection and turns it into a live feed: a snapshot, then the entries that changed (or left) after
/// each local commit, and a heartbeat every <see cref="BoardOptions.HeartbeatInterval"/> on the injected clock, which
/// also re-reads (overdue marks move with the clock; other replicas' changes arrive). Shared by the gRPC stream and the
/// web page's server-sent events.
/// </summary>
public sealed class BoardFeed(
    SchedulingDatabase database, SiteProtocol protocol, TimeProvider time, BoardNotifier notifier, IOptions<BoardOptions> options, IHostApplicationLifetime lifetime)
{
    public TimeSpan HeartbeatInterval => options.Value.HeartbeatInterval;

    /// <summary>Signalled when the host stops: every feed ends then, so watchers do not hold up the shutdown (they reconnect).</summary>
    public CancellationToken Stopping => lifetime.ApplicationStopping;

    /// <summary>The board now, restricted to <paramref name="stages"/> (all when empty).</summary>
    public async Task<IrSuite.Board.V1.Board> ReadAsync(IReadOnlySet<BoardStage> stages, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var dayStart = protocol.LocalDayStart(now);
        IReadOnlyList<BoardEntryState> rows;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            rows = await BoardRepository.ListAsync(connection, dayStart, cancellationToken);
        }

        var grace = protocol.Observation.OverdueGrace.Value;
        var board = new IrSuite.Board.V1.Board
        {
            ServerTime = Timestamp.FromDateTimeOffset(now),
            Day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, protocol.SiteTimeZone).DateTime).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ObservationMinimum = Duration.FromTimeSpan(protocol.Observation.Minimum.Value),
            HeartbeatInterval = Duration.FromTimeSpan(HeartbeatInterval),
        };
        board.Entries.AddRange(rows
            .Where(r => BoardRules.IsShown(r, dayStart) && (stages.Count == 0 || stages.Contains(r.BoardStage)))
            .OrderBy(r => r.Stage)
            .ThenBy(r => r.ScheduledStartMs ?? r.UpdatedMs)
            .ThenBy(r => r.ReferralId, StringComparer.Ordinal)
            .Select(r => ToProto(r, now, grace)));
        return board;
    }

    /// <summary>
    /// The live feed until <paramref name="cancellationToken"/> (the watcher left), the host stops, or the clock passes
    /// <paramref name="until"/> (the watcher's token is no longer accepted): the feed then just ends; <see cref="HasExpired"/>
    /// tells the last case from the others. Snapshot, changes, heartbeats.
    /// </summary>
    public async IAsyncEnumerable<BoardUpdate> WatchAsync(
        IReadOnlySet<BoardStage> stages, DateTimeOffset? until, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var wake = new Wakeup(lifetime.ApplicationStopping);
        notifier.Changed += wake.Changed;
        try
        {
            // The heartbeat timer exists before the snapshot is sent, so a clock moved after the snapshot always fires it.
            using var heartbeat = time.CreateTimer(static state => ((Wakeup)state!).Heartbeat(), wake, HeartbeatInterval, HeartbeatInterval);
            // A token is not re-presented on a stream: the feed ends when the one it was opened with expires.
            using var expiry = until is { } limit
                ? time.CreateTimer(static state => ((Wakeup)state!).Changed(), wake, Max(limit - time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan)
                : null;
            if (HasExpired(until))
            {
                yield break;
            }

            var board = await ReadAsync(stages, cancellationToken);
            var sent = board.Entries.ToDictionary(e => e.ReferralId, StringComparer.Ordinal);
            yield return new BoardUpdate { ServerTime = board.ServerTime, Snapshot = board };
            while (true)
            {
                var (stopping, beat) = await wake.WaitAsync(cancellationToken);
                if (stopping || HasExpired(until))
                {
                    yield break;
                }

                var current = await ReadAsync(stages, cancellationToken);
                var now = current.ServerTime;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var entry in current.Entries)
                {
                    seen.Add(entry.ReferralId);
                    if (!sent.TryGetValue(entry.ReferralId, out var previous) || !previous.Equals(entry))
                    {
                        sent[entry.ReferralId] = entry;
                        yield return new BoardUpdate { ServerTime = now, Upserted = entry };
                    }
                }

                foreach (var gone in sent.Keys.Where(id => !seen.Contains(id)).ToList())
                {
                    sent.Remove(gone);
                    yield return new BoardUpdate { ServerTime = now, Removed = new EntryRemoved { ReferralId = gone } };
                }

                if (beat)
                {
                    yield return new BoardUpdate { ServerTime = now, Heartbeat = new Heartbeat() };
                }
            }
        }
        finally
        {
            notifier.Changed -= wake.Changed;
        }
    }

    /// <summary>True once the clock has passed <paramref name="until"/> (a watcher's token no longer accepted).</summary>
    public bool HasExpired(DateTimeOffset? until) => until is { } limit && time.GetUtcNow() >= limit;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    internal static BoardEntry ToProto(BoardEntryState row, DateTimeOffset now, TimeSpan grace)
    {
        var entry = new BoardEntry
        {
            ReferralId = row.ReferralId,
            PatientId = row.PatientId,
            Stage = row.BoardStage,
            Sedation = (CommonV1.SedationMode)row.Sedation,
            Admission = (CommonV1.AdmissionType)row.Admission,
            Clearance = row.Clearance,
            PreAnestheticVisitDone = row.PreAnestheticVisit != 0,
            DischargeDestination = row.Destination,
            UpdatedAt = At(row.UpdatedMs),
        };
        entry.Levels.AddRange(SchedulingRepository.FromJson(row.Levels));
        if (row.ScheduledStartMs is { } start)
        {
            entry.Slot = new ScheduledSlot { Room = row.Room, RecoveryBed = row.RecoveryBed, Start = At(start) };
        }

        if (row.ProcedureStartedMs is not null || row.ProcedureEndedMs is not null)
        {
            entry.Procedure = new ProcedureProgress
            {
                StartedAt = row.ProcedureStartedMs is { } started ? At(started) : null,
                EndedAt = row.ProcedureEndedMs is { } ended ? At(ended) : null,
                Outcome = row.ProcedureOutcome,
                SkinDoseFollowUp = row.SkinDoseFollowUp != 0,
            };
        }
        else if (row.SkinDoseFollowUp != 0)
        {
            entry.Procedure = new ProcedureProgress { SkinDoseFollowUp = true };
        }

        if (row.ObservationStartedMs is not null || row.LastCheckMs is not null)
        {
            var observation = new ObservationProgress
            {
                StartedAt = row.ObservationStartedMs is { } from ? At(from) : null,
                MinimumUntil = row.MinimumUntilMs is { } until ? At(until) : null,
                MinimumElapsed = row.MinimumElapsed != 0,
                NextCheckDue = row.NextCheckDueMs is { } due ? At(due) : null,
                CheckOverdue = BoardRules.IsCheckOverdue(row, now, grace),
                LastCheckAt = row.LastCheckMs is { } last ? At(last) : null,
                CheckCount = (int)row.CheckCount,
            };
            if (row.Aldrete is { } aldrete)
            {
                observation.Aldrete = (int)aldrete;
            }

            if (row.Padss is { } padss)
            {
                observation.Padss = (int)padss;
            }

            entry.Observation = observation;
        }

        if (row.EscalationRaisedMs is { } raised)
        {
            entry.Escalation = new EscalationFlag
            {
                Open = row.EscalationOpen != 0,
                Reason = row.EscalationReason,
                Level = row.EscalationLevel,
                RaisedAt = At(raised),
            };
        }

        if (row.DischargedMs is { } discharged)
        {
            entry.DischargedAt = At(discharged);
        }

        return entry;
    }

    private static Timestamp At(long ms) => Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    /// <summary>One watcher's wake-up: a commit or a heartbeat (remembered until the watcher takes it).</summary>
    private sealed class Wakeup(CancellationToken stopping) : IDisposable
    {
        private readonly SemaphoreSlim _signal = new(0, 1);
        private int _heartbeat;

        public void Changed() => Release();

        public void Heartbeat()
        {
            Interlocked.Exchange(ref _heartbeat, 1);
            Release();
        }

        /// <summary>Waits for the next wake-up: whether the host is stopping, and whether a heartbeat is due.</summary>
        public async Task<(bool Stopping, bool Heartbeat)> WaitAsync(CancellationToken cancellationToken)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
            try
            {
                await _signal.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return (true, false);
            }

            return (false, Interlocked.Exchange(ref _heartbeat, 0) == 1);
        }

        public void Dispose() => _signal.Dispose();

        private void Release()
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: the watcher re-reads everything anyway.
            }
            catch (ObjectDisposedException)
            {
                // The watcher left between the commit and this signal.
            }
        }
    }
}
