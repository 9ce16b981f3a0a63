using System.CommandLine;
using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Board.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using IrSuite.Irctl.Output;
using Spectre.Console;
using Spectre.Console.Rendering;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary>
/// <c>irctl board</c>: the live department board (ir.board.v1, decision 0015): who is where, the countdown to the end of
/// the minimum observation, overdue checks and open escalations. Live by default; <c>--once</c> prints a snapshot.
/// </summary>
public static class BoardCommands
{
    private static readonly Method<GetBoardRequest, Board.V1.Board> GetBoard =
        Method<GetBoardRequest, Board.V1.Board>.Create(BoardReflection.Descriptor.Services[0], "GetBoard");

    private static readonly Method<WatchBoardRequest, BoardUpdate> WatchBoard =
        Method<WatchBoardRequest, BoardUpdate>.Create(BoardReflection.Descriptor.Services[0], "WatchBoard");

    public static Command Build(CommandKit kit)
    {
        var once = Flag("--once", "Print the board once (GetBoard) instead of following it live (WatchBoard)");
        var stages = Many("--stage", "Only these stages: " + string.Join(", ", StageNames()));
        var updates = Whole("--updates", "Stop after this many stream messages (0: until Ctrl+C or the stream ends)", 0);
        var command = new Command("board", "The live department board: every patient of the day by stage, the countdown to the end of the "
            + "minimum observation, overdue checks and escalations. With -o json, one BoardUpdate JSON object a line (or the Board with --once)")
        {
            once, stages, updates,
        };
        command.SetAction((parse, cancellation) => kit.RunAsync(parse, async invocation =>
        {
            var filter = ParseStages(parse.GetValue(stages) ?? []);
            if (parse.GetValue(once))
            {
                var request = new GetBoardRequest();
                request.Stages.Add(filter);
                var board = await invocation.CallAsync(GetBoard, request);
                invocation.Print(board, _ => View(board.Entries, board.ServerTime, TimeSpan.Zero));
                return ExitCodes.Ok;
            }

            return await FollowAsync(invocation, filter, parse.GetValue(updates));
        }, cancellation));
        return command;
    }

    /// <summary>Follows WatchBoard until Ctrl+C, the stream's end or <paramref name="limit"/> messages.</summary>
    private static async Task<int> FollowAsync(Invocation invocation, IReadOnlyList<BoardStage> filter, int limit)
    {
        var request = new WatchBoardRequest();
        request.Stages.Add(filter);
        // A live feed has no deadline; Ctrl+C cancels it.
        using var call = invocation.Channel.ServerStreamingCall(WatchBoard, request, new CallOptions(cancellationToken: invocation.Cancellation));
        var entries = new Dictionary<string, BoardEntry>(StringComparer.Ordinal);
        Timestamp? serverTime = null;
        var sinceServerTime = Stopwatch.StartNew();
        var received = 0;

        bool Apply(BoardUpdate update)
        {
            serverTime = update.ServerTime;
            sinceServerTime.Restart();
            switch (update.ChangeCase)
            {
                case BoardUpdate.ChangeOneofCase.Snapshot:
                    entries.Clear();
                    foreach (var entry in update.Snapshot.Entries)
                    {
                        entries[entry.ReferralId] = entry;
                    }

                    break;
                case BoardUpdate.ChangeOneofCase.Upserted:
                    entries[update.Upserted.ReferralId] = update.Upserted;
                    break;
                case BoardUpdate.ChangeOneofCase.Removed:
                    entries.Remove(update.Removed.ReferralId);
                    break;
            }

            return limit <= 0 || ++received < limit;
        }

        if (invocation.Json)
        {
            while (await call.ResponseStream.MoveNext(invocation.Cancellation))
            {
                await invocation.Environment.Out.WriteLineAsync(Formats.Json.Format(call.ResponseStream.Current));
                if (!Apply(call.ResponseStream.Current))
                {
                    break;
                }
            }

            return ExitCodes.Ok;
        }

        if (!invocation.Environment.OutputIsTerminal)
        {
            // Piped or captured: one board per change, heartbeats only move the clock.
            while (await call.ResponseStream.MoveNext(invocation.Cancellation))
            {
                var update = call.ResponseStream.Current;
                var more = Apply(update);
                if (update.ChangeCase != BoardUpdate.ChangeOneofCase.Heartbeat)
                {
                    invocation.Out.Write(View(entries.Values, serverTime, TimeSpan.Zero));
                }

                if (!more)
                {
                    break;
                }
            }

            return ExitCodes.Ok;
        }

        // A terminal: one table redrawn in place, the countdown ticking every second between messages.
        await invocation.Out.Live(View(entries.Values, serverTime, TimeSpan.Zero)).StartAsync(async live =>
        {
            var next = call.ResponseStream.MoveNext(invocation.Cancellation);
            while (true)
            {
                var tick = Task.Delay(TimeSpan.FromSeconds(1), invocation.Cancellation);
                if (await Task.WhenAny(next, tick) == next)
                {
                    if (!await next || !Apply(call.ResponseStream.Current))
                    {
                        break;
                    }

                    next = call.ResponseStream.MoveNext(invocation.Cancellation);
                }

                live.UpdateTarget(View(entries.Values, serverTime, sinceServerTime.Elapsed));
            }
        });
        return ExitCodes.Ok;
    }

    /// <summary>The board as a table, rows in pathway order; time left counted from the server's clock.</summary>
    private static IRenderable View(IEnumerable<BoardEntry> entries, Timestamp? serverTime, TimeSpan sinceServerTime)
    {
        var now = (serverTime?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow) + sinceServerTime;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("stage", "referral", "patient", "levels", "room / bed", "slot", "time left (2 h mark)", "next check", "escalation");
        var rows = entries.OrderBy(e => e.Stage).ThenBy(e => e.Slot?.Start?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue).ThenBy(e => e.ReferralId, StringComparer.Ordinal).ToList();
        foreach (var e in rows)
        {
            var observation = e.Observation;
            var timeLeft = observation?.MinimumUntil is null ? string.Empty
                : observation.MinimumElapsed || observation.MinimumUntil.ToDateTimeOffset() <= now ? "[green]elapsed[/]"
                : Countdown(observation.MinimumUntil.ToDateTimeOffset() - now);
            var nextCheck = observation?.NextCheckDue is null ? string.Empty
                : observation.CheckOverdue ? $"[red bold]OVERDUE {Formats.Time(observation.NextCheckDue)}[/]" : Formats.Time(observation.NextCheckDue);
            var escalation = e.Escalation is { Open: true } open ? $"[red bold]{Markup.Escape(open.Reason)} {Markup.Escape(open.Level)}[/]" : string.Empty;
            table.AddRow(
                Markup.Escape(ProtoEnums.Name(e.Stage)),
                Markup.Escape(e.ReferralId),
                Markup.Escape(e.PatientId),
                Markup.Escape(string.Join(" ", e.Levels)),
                Markup.Escape(e.Slot is null ? string.Empty : $"{e.Slot.Room} / {e.Slot.RecoveryBed}"),
                e.Slot?.Start is null ? string.Empty : Formats.Time(e.Slot.Start),
                timeLeft,
                nextCheck,
                escalation);
        }

        return table.Caption($"{rows.Count} patients, server time {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z");
    }

    private static string Countdown(TimeSpan left) => $"{(int)left.TotalHours}:{left.Minutes:00}:{left.Seconds:00}";

    private static IEnumerable<string> StageNames() =>
        ProtoEnums.Names<BoardStage>().Where(n => n.Key != 0).Select(n => n.Value.Replace('_', '-').ToLowerInvariant());

    private static List<BoardStage> ParseStages(IEnumerable<string> names)
    {
        var known = ProtoEnums.Names<BoardStage>().Where(n => n.Key != 0).ToDictionary(n => n.Value.Replace('_', '-').ToLowerInvariant(), n => (BoardStage)n.Key);
        return names.Select(name => known.TryGetValue(name.Trim().Replace('_', '-').ToLowerInvariant(), out var stage)
            ? stage
            : throw new UsageException($"--stage: '{name}' is not one of {string.Join(", ", known.Keys)}")).ToList();
    }
}
