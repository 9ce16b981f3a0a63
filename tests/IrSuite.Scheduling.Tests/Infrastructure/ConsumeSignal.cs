using System.Collections.Concurrent;
using MassTransit;

namespace IrSuite.Scheduling.Tests.Infrastructure;

/// <summary>Signals each finished consume of <typeparamref name="T"/> (success or fault), so tests wait on the event, not on time.</summary>
public sealed class ConsumeSignal<T> : IConsumeObserver
    where T : class
{
    private readonly SemaphoreSlim _done = new(0);
    private readonly ConcurrentQueue<Exception> _faults = new();

    public Task PreConsume<TMessage>(ConsumeContext<TMessage> context)
        where TMessage : class => Task.CompletedTask;

    public Task PostConsume<TMessage>(ConsumeContext<TMessage> context)
        where TMessage : class
    {
        if (context.Message is T)
        {
            _done.Release();
        }

        return Task.CompletedTask;
    }

    public Task ConsumeFault<TMessage>(ConsumeContext<TMessage> context, Exception exception)
        where TMessage : class
    {
        if (context.Message is T)
        {
            _faults.Enqueue(exception);
            _done.Release();
        }

        return Task.CompletedTask;
    }

    /// <summary>Waits (up to 10 s) for the next consume to finish; fails the test if it faulted.</summary>
    public async Task WaitAsync()
    {
        Assert.True(await _done.WaitAsync(TimeSpan.FromSeconds(10)), $"No {typeof(T).Name} was consumed within 10 s.");
        Assert.Empty(_faults);
    }
}
