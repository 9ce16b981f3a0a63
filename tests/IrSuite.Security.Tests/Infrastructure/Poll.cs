namespace IrSuite.Security.Tests.Infrastructure;

/// <summary>Polls an observable condition (state an event brings) within a bound; no sleep stands for synchronisation.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? bound = null)
    {
        var deadline = DateTime.UtcNow + (bound ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The expected state did not arrive in time.");
            await Task.Delay(20);
        }
    }
}
