using IrSuite.Board.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;

namespace IrSuite.Board.Tests;

/// <summary>The board's RPCs, and polling a read until the state an event brings is there (within a bound, never a fixed sleep).</summary>
internal static class BoardApi
{
    public static readonly Method<GetBoardRequest, V1.Board> GetBoard = Method<GetBoardRequest, V1.Board>.Create(BoardReflection.Descriptor.Services[0], "GetBoard");

    public static readonly Method<WatchBoardRequest, BoardUpdate> WatchBoard = Method<WatchBoardRequest, BoardUpdate>.Create(BoardReflection.Descriptor.Services[0], "WatchBoard");

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task<V1.Board> ReadAsync(GrpcChannel channel) => channel.UnaryAsync(GetBoard, new GetBoardRequest());

    /// <summary>The board's entry for the referral, once <paramref name="done"/> holds for it.</summary>
    public static async Task<BoardEntry> EntryAsync(GrpcChannel channel, string referralId, Func<BoardEntry, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var board = await ReadAsync(channel);
            if (board.Entries.FirstOrDefault(e => e.ReferralId == referralId) is { } entry && done(entry))
            {
                return entry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The board entry of {referralId} did not reach the expected state in time.");
            await Task.Delay(20);
        }
    }
}
