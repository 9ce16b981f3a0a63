using System.Collections.Concurrent;
using MassTransit;

namespace IrSuite.TestSupport;

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

    /// <summary>Waits (up to 10 s) for the next consume to finish; throws if none finished or it faulted.</summary>
    public async Task WaitAsync()
    {
        if (!await _done.WaitAsync(TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"No {typeof(T).Name} was consumed within 10 s.");
        }

        if (_faults.TryPeek(out var fault))
        {
            throw new InvalidOperationException($"Consuming {typeof(T).Name} faulted.", fault);
        }
    }
}
