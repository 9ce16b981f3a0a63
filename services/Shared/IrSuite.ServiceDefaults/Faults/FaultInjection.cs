namespace IrSuite.ServiceDefaults.Faults;

/// <summary>
/// Crash points for the fault-injection suite (tests/Reliability). Off unless the process environment names a
/// point: <c>Faults__Point</c> = <c>consumer-before-commit</c> | <c>consumer-after-commit</c> |
/// <c>relay-after-publish</c>, and <c>Faults__After</c> = N (default 1) fires on the Nth hit of that point, once:
/// the process dies at once, by SIGKILL to itself (no shutdown hooks, no flushing, no core dump), so the harness sees
/// what a real crash leaves behind. Environment.Exit would run the host's graceful stop, which waits for the very call
/// that is exiting; Environment.FailFast aborts through SIGABRT, and where the machine pipes core dumps to a handler
/// the process can linger for a long time before it exits (seen once in CI: the hook "did not fire" within the run).
/// Read once at start-up; when off, a hit is one static field read.
/// </summary>
public static class FaultInjection
{
    public const string ConsumerBeforeCommit = "consumer-before-commit";

    public const string ConsumerAfterCommit = "consumer-after-commit";

    public const string RelayAfterPublish = "relay-after-publish";

    private static readonly string? ArmedPoint = ReadPoint();
    private static readonly long FireOn = ReadAfter();
    private static long _hits;

    /// <summary>True when a crash point is armed in this process.</summary>
    public static bool IsArmed => ArmedPoint is not null;

    /// <summary>Marks that execution reached <paramref name="point"/>; terminates the process on the armed hit.</summary>
    public static void Hit(string point)
    {
        if (ArmedPoint is null || !string.Equals(point, ArmedPoint, StringComparison.Ordinal))
        {
            return;
        }

        if (Interlocked.Increment(ref _hits) == FireOn)
        {
            Console.Error.WriteLine("fault injected at " + point + ": killing this process");
            Console.Error.Flush();
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            self.Kill();
            // Not a wait for anything: kill(2) may return before the kernel has torn the process down, and this thread
            // must not go on to the code after the crash point (mark the row sent, commit) in that instant.
            Thread.Sleep(Timeout.Infinite);
        }
    }

    private static string? ReadPoint()
    {
        var point = Environment.GetEnvironmentVariable("Faults__Point");
        return point is ConsumerBeforeCommit or ConsumerAfterCommit or RelayAfterPublish ? point : null;
    }

    private static long ReadAfter() =>
        long.TryParse(Environment.GetEnvironmentVariable("Faults__After"), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var after) && after > 0 ? after : 1;
}
