namespace IrSuite.EndToEnd.Tests;

/// <summary>Waits, within a bound, for state that arrives through events (polling an observable condition, not sleeping).</summary>
public static class Eventually
{
    public static async Task ThatAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The expected state did not arrive in time.");
            await Task.Delay(20);
        }
    }

    /// <summary>Polls a read until its value satisfies <paramref name="done"/> (the state an event brings), within a bound.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "The expected state did not arrive in time.");
            await Task.Delay(20);
        }
    }
}
