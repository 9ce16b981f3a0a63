using System.Collections.Concurrent;
using System.Diagnostics;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Server;
using IrSuite.Testing.V1;

namespace IrSuite.Grpc.Tests.Infrastructure;

/// <summary>What the probe service saw, for tests to assert on (no sleeps: tests await these signals).</summary>
public sealed class ProbeState
{
    private int _calls;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Fail this many calls with UNAVAILABLE before succeeding.</summary>
    public int FailuresBeforeSuccess { get; set; }

    public TaskCompletionSource<bool> HandlerCancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource<DateTime> HandlerStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentBag<string> ConnectionIds { get; } = [];

    public Metadata? LastRequestHeaders { get; set; }

    internal int NextCall() => Interlocked.Increment(ref _calls);
}

/// <summary>The probe service of the tests.</summary>
public sealed class ProbeService(ProbeState state)
{
    private static readonly Method<ProbeRequest, ProbeReply> EchoMethod = Method<ProbeRequest, ProbeReply>.Create(ProbeReflection.Descriptor.Services[0], "Echo");

    public async Task<ProbeReply> Echo(ProbeRequest request, ServerCallContext context)
    {
        var call = state.NextCall();
        state.ConnectionIds.Add(context.HttpContext.Connection.Id);
        state.LastRequestHeaders = context.RequestHeaders;
        if (call <= state.FailuresBeforeSuccess)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "Not yet."));
        }

        return await ReplyAsync(request, context);
    }

    public Task<ProbeReply> Submit(ProbeRequest request, ServerCallContext context) => Echo(request, context);

    public async Task Countdown(ProbeRequest request, IServerStreamWriter<ProbeReply> responses, ServerCallContext context)
    {
        state.HandlerStarted.TrySetResult(DateTime.UtcNow);
        for (var i = request.Count; i > 0 || request.Count < 0; i--)
        {
            try
            {
                await responses.WriteAsync(new ProbeReply { Count = i, Text = request.Text });
                if (request.DelayMs > 0)
                {
                    await Task.Delay(request.DelayMs, context.CancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                state.HandlerCancelled.TrySetResult(true);
                throw;
            }
        }
    }

    public async Task<ProbeReply> Collect(IAsyncStreamReader<ProbeRequest> requests, ServerCallContext context)
    {
        var count = 0;
        var text = "";
        await foreach (var request in requests.ReadAllAsync(context.CancellationToken))
        {
            count++;
            text += request.Text;
        }

        return new ProbeReply { Count = count, Text = text };
    }

    public async Task Chat(IAsyncStreamReader<ProbeRequest> requests, IServerStreamWriter<ProbeReply> responses, ServerCallContext context)
    {
        while (await requests.MoveNext())
        {
            if (requests.Current.FailCode != 0)
            {
                throw new RpcException(new Status((StatusCode)requests.Current.FailCode, requests.Current.Text));
            }

            await responses.WriteAsync(new ProbeReply { Text = requests.Current.Text, Count = requests.Current.Count });
        }
    }

    public async Task<ProbeReply> Relay(ProbeRequest request, ServerCallContext context)
    {
        using var channel = GrpcChannel.ForAddress(request.Text);
        // No explicit deadline or token: both come from the incoming call.
        return await channel.UnaryAsync(EchoMethod, new ProbeRequest { DelayMs = request.DelayMs, Count = request.Count });
    }

    private async Task<ProbeReply> ReplyAsync(ProbeRequest request, ServerCallContext context)
    {
        if (request.DelayMs > 0)
        {
            state.HandlerStarted.TrySetResult(DateTime.UtcNow);
            try
            {
                await Task.Delay(request.DelayMs, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                state.HandlerCancelled.TrySetResult(true);
                throw;
            }
        }

        if (request.FailCode != 0)
        {
            throw new RpcException(new Status((StatusCode)request.FailCode, request.Text));
        }

        if (request.Text == "throw")
        {
            throw new InvalidOperationException("secret detail: patient Jane Doe");
        }

        foreach (var entry in context.RequestHeaders)
        {
            context.ResponseTrailers.Add(entry);
        }

        return new ProbeReply
        {
            Text = request.Text,
            Count = request.Count,
            Blob = request.Blob,
            DeadlineUnixMs = context.Deadline == DateTime.MaxValue ? 0 : new DateTimeOffset(context.Deadline).ToUnixTimeMilliseconds(),
            TraceId = Activity.Current?.TraceId.ToString() ?? "",
        };
    }
}
