using System.Threading.Channels;
using IrSuite.Board.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;

namespace IrSuite.Board.Tests;

/// <summary>A WatchBoard stream read in the background: every update kept in order, waits on arrivals with a bound.</summary>
internal sealed class BoardWatch : IAsyncDisposable
{
    private readonly AsyncServerStreamingCall<BoardUpdate> _call;
    private readonly Channel<BoardUpdate> _incoming = Channel.CreateUnbounded<BoardUpdate>();
    private readonly List<BoardUpdate> _received = [];
    private readonly Task _pump;

    private BoardWatch(GrpcChannel channel, WatchBoardRequest request)
    {
        _call = channel.ServerStreamingCall(BoardApi.WatchBoard, request);
        _pump = PumpAsync();
    }

    /// <summary>Every update taken so far by <see cref="NextAsync"/> and <see cref="WaitForAsync"/>, in arrival order.</summary>
    public IReadOnlyList<BoardUpdate> Received => _received;

    public static BoardWatch Open(GrpcChannel channel, WatchBoardRequest? request = null) => new(channel, request ?? new WatchBoardRequest());

    /// <summary>The next update (throws the call's RpcException when the stream failed).</summary>
    public async Task<BoardUpdate> NextAsync()
    {
        using var timeout = new CancellationTokenSource(BoardApi.Timeout);
        try
        {
            if (!await _incoming.Reader.WaitToReadAsync(timeout.Token))
            {
                await _pump; // rethrows the stream's failure
                throw new InvalidOperationException("The board stream ended.");
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException("No board update arrived in time.");
        }

        var update = await _incoming.Reader.ReadAsync();
        _received.Add(update);
        return update;
    }

    /// <summary>Takes updates until one satisfies <paramref name="match"/>, and returns it.</summary>
    public async Task<BoardUpdate> WaitForAsync(Func<BoardUpdate, bool> match)
    {
        while (true)
        {
            var update = await NextAsync();
            if (match(update))
            {
                return update;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        try
        {
            await _pump;
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The call was cancelled by the disposal.
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (await _call.ResponseStream.MoveNext())
            {
                await _incoming.Writer.WriteAsync(_call.ResponseStream.Current);
            }

            _incoming.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _incoming.Writer.TryComplete(ex);
            throw;
        }
    }
}
