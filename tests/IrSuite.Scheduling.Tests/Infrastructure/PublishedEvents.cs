using IrSuite.Contracts.Scheduling;
using MassTransit;

namespace IrSuite.Scheduling.Tests.Infrastructure;

/// <summary>Events the outbox relay published on the bus, with a signal for each arrival.</summary>
public sealed class PublishedEvents
{
    private readonly Lock _sync = new();
    private readonly List<object> _events = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<T> All<T>()
    {
        lock (_sync)
        {
            return _events.OfType<T>().ToList();
        }
    }

    public void Add(object message)
    {
        TaskCompletionSource arrived;
        lock (_sync)
        {
            _events.Add(message);
            arrived = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        arrived.SetResult();
    }

    /// <summary>The first event of type <typeparamref name="T"/> matching <paramref name="match"/>, waiting up to 10 s.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            Task arrived;
            lock (_sync)
            {
                var found = _events.OfType<T>().FirstOrDefault(match);
                if (found is not null)
                {
                    return found;
                }

                arrived = _arrived.Task;
            }

            try
            {
                await arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return All<T>().FirstOrDefault(match) ?? throw new TimeoutException($"No matching {typeof(T).Name} within 10 s.");
            }
        }
    }
}

/// <summary>Records the scheduling service's events as a downstream service would receive them.</summary>
public sealed class RecordingConsumer(PublishedEvents events) :
    IConsumer<ProcedureScheduled>, IConsumer<FollowUpBooked>, IConsumer<FractureLiaisonReferralRequested>
{
    public Task Consume(ConsumeContext<ProcedureScheduled> context) => Record(context.Message);

    public Task Consume(ConsumeContext<FollowUpBooked> context) => Record(context.Message);

    public Task Consume(ConsumeContext<FractureLiaisonReferralRequested> context) => Record(context.Message);

    private Task Record(object message)
    {
        events.Add(message);
        return Task.CompletedTask;
    }
}
