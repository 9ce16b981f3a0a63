namespace IrSuite.TestSupport;

/// <summary>Events seen on the bus (recorded by a test consumer), with a signal for each arrival.</summary>
public class RecordedEvents
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
    public async Task<T> WaitForAsync<T>(Func<T, bool> match) =>
        await TryWaitForAsync(match, TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"No matching {typeof(T).Name} within 10 s.");

    /// <summary>The first event of type <typeparamref name="T"/> matching <paramref name="match"/>, or null after <paramref name="wait"/>.</summary>
    public async Task<T?> TryWaitForAsync<T>(Func<T, bool> match, TimeSpan wait)
    {
        using var timeout = new CancellationTokenSource(wait);
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
                return All<T>().FirstOrDefault(match);
            }
        }
    }
}
