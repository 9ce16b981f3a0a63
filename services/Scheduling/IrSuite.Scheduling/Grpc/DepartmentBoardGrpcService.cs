using Google.Protobuf.Collections;
using IrSuite.Board.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Scheduling.Board;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Security;

namespace IrSuite.Scheduling.Grpc;

/// <summary>ir.board.v1.DepartmentBoardService: the board projection as a snapshot or a live stream (decision 0015).</summary>
public sealed class DepartmentBoardGrpcService(BoardFeed feed)
{
    public async Task<IrSuite.Board.V1.Board> GetBoard(GetBoardRequest request, ServerCallContext context) =>
        await feed.ReadAsync(ValidateStages(request.Stages), context.CancellationToken);

    public async Task WatchBoard(WatchBoardRequest request, IServerStreamWriter<BoardUpdate> responseStream, ServerCallContext context)
    {
        var stages = ValidateStages(request.Stages);
        var audit = AuditScope.Current;
        var until = context.Caller().AcceptedUntil;
        await foreach (var update in feed.WatchAsync(stages, until, context.CancellationToken))
        {
            if (audit is not null)
            {
                await audit.RecordStreamedAsync(update);
            }

            await responseStream.WriteAsync(update, context.CancellationToken);
        }

        if (feed.HasExpired(until))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The bearer token has expired; watch again with a new token."));
        }

        // Otherwise the feed ends by itself only when the host stops: tell the watcher to reconnect (to this or another replica).
        throw new RpcException(new Status(StatusCode.Unavailable, "The board's server is stopping; watch again."));
    }

    internal static IReadOnlySet<BoardStage> ValidateStages(RepeatedField<BoardStage> stages)
    {
        var v = new RequestValidator();
        for (var i = 0; i < stages.Count; i++)
        {
            v.Defined($"stages[{i}]", stages[i]);
        }

        v.ThrowIfInvalid();
        return stages.ToHashSet();
    }
}
