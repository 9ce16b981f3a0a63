using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>
/// The T0 throughput baseline (issue 5 item 8): complete pathways per second, p50/p99 per RPC (client side, from the
/// ledger), event propagation p50/p99 (outbox commit to the consumer's inbox row), CPU and memory per process, each
/// concurrency on a freshly started suite after an unmeasured warm-up.
/// A benchmark that prints figures, not a test.
/// </summary>
public static class Bench
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static async Task<string> RunAsync(FaultSuite faults, int patients, int concurrency, TimeSpan observationMinimum)
    {
        Ledger.Current = new Ledger();
        await using var suite = await SuiteUnderTest.CreateAsync(faults.Postgres, faults.Rabbit, "bench_" + Guid.NewGuid().ToString("N")[..6], observationMinimum, faults.Template);
        faults.Running = suite;
        await suite.StartAsync();
        var pids = suite.Processes.ToDictionary(p => p.Key, p => p.Value.Pid);
        pids["rabbitmq"] = faults.Rabbit.Pid;
        pids["postgres"] = faults.Postgres.Pid;
        pids["load driver (this process)"] = Environment.ProcessId;
        var checker = new Checker(suite, faults.Rabbit, null);

        // Warm-up, not measured: freshly started services spend their first minute or so compiling (tiered JIT), and
        // a run measured from the start would charge that to the pathways. Then drain, so the measured window starts
        // with empty queues and outboxes.
        var warmUp = Math.Max(16, 2 * concurrency);
        var warmUpOutcomes = await new LoadDriver(suite).RunAsync(warmUp, concurrency, TimeSpan.FromSeconds(Math.Max(300, warmUp * 4)), firstPatient: patients + 1);
        await checker.DrainAsync(TimeSpan.FromSeconds(60));
        Ledger.Current = new Ledger();
        var measuredFromMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var before = pids.ToDictionary(p => p.Key, p => CpuTicks(p.Key, p.Value));
        var watch = Stopwatch.StartNew();
        var outcomes = await new LoadDriver(suite).RunAsync(patients, concurrency, TimeSpan.FromSeconds(Math.Max(300, patients * 4)));
        var elapsed = watch.Elapsed.TotalSeconds;
        var after = pids.ToDictionary(p => p.Key, p => CpuTicks(p.Key, p.Value));
        await checker.DrainAsync(TimeSpan.FromSeconds(60));
        var outbox = (await checker.OutboxAsync()).Where(r => r.CreatedAtMs >= measuredFromMs).ToDictionary(r => r.MessageId, StringComparer.Ordinal);
        var propagation = (await checker.InboxAsync()).Where(i => outbox.ContainsKey(i.MessageId)).Select(i => (double)(i.ReceivedAtMs - outbox[i.MessageId].CreatedAtMs)).ToList();

        var text = new StringBuilder();
        var ok = outcomes.Count(o => o.Ok);
        text.AppendLine(CultureInfo.InvariantCulture, $"## concurrency {concurrency}: after a warm-up of {warmUpOutcomes.Count(o => o.Ok)}/{warmUp} pathways (not measured), {ok}/{outcomes.Count} pathways in {elapsed:F1} s = {ok / elapsed:F2} pathways/s (observation minimum {observationMinimum.TotalSeconds:F0} s of each pathway is waiting)");
        text.AppendLine(CultureInfo.InvariantCulture, $"pathway duration p50 {Percentile(outcomes.Where(o => o.Ok).Select(o => o.Seconds * 1000).ToList(), 50):F0} ms, p99 {Percentile(outcomes.Where(o => o.Ok).Select(o => o.Seconds * 1000).ToList(), 99):F0} ms");
        text.AppendLine(CultureInfo.InvariantCulture, $"event propagation (outbox commit -> consumer applied), {propagation.Count} deliveries: p50 {Percentile(propagation, 50):F0} ms, p99 {Percentile(propagation, 99):F0} ms");
        text.AppendLine("| rpc | calls | p50 ms | p99 ms |");
        text.AppendLine("|---|---|---|---|");
        foreach (var rpc in Ledger.Current.Entries.Where(e => e.Outcome == "ok").GroupBy(e => e.Rpc).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ms = rpc.Select(e => e.Ms).ToList();
            text.AppendLine(CultureInfo.InvariantCulture, $"| {rpc.Key} | {ms.Count} | {Percentile(ms, 50):F1} | {Percentile(ms, 99):F1} |");
        }

        text.AppendLine("| process | CPU % of one core during the load | CPU ms per completed pathway | memory MB |");
        text.AppendLine("|---|---|---|---|");
        var totalCpuSeconds = 0.0;
        foreach (var (name, pid) in pids)
        {
            var cpuSeconds = (after[name] - before[name]) / TicksPerSecond;
            totalCpuSeconds += cpuSeconds;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {cpuSeconds / elapsed * 100:F0} | {(ok == 0 ? double.NaN : cpuSeconds * 1000 / ok):F0} | {MemoryMb(name, pid):F0} |");
        }

        var calls = Ledger.Current.Entries.Count;
        text.AppendLine(CultureInfo.InvariantCulture, $"all processes: {totalCpuSeconds / elapsed:F2} cores busy on average of {Environment.ProcessorCount}; {(ok == 0 ? double.NaN : totalCpuSeconds * 1000 / ok):F0} CPU ms per pathway; {(ok == 0 ? 0 : calls / ok)} RPCs per pathway (polls included); load average at the end {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        text.AppendLine("memory: peak RSS (VmHWM) of each service and of RabbitMQ; PostgreSQL: the private (anonymous) memory of its processes summed, since each backend's RSS also counts the shared buffers it touched.");

        return text.ToString();
    }

    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        var rank = (int)Math.Ceiling(p / 100 * values.Count) - 1;
        return values[Math.Clamp(rank, 0, values.Count - 1)];
    }

    /// <summary>utime + stime of the process (PostgreSQL and RabbitMQ: summed over the server's process tree).</summary>
    private static long CpuTicks(string name, int pid) => Tree(name, pid).Sum(p =>
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{p}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    });

    private static double MemoryMb(string name, int pid) => Tree(name, pid).Sum(p =>
    {
        try
        {
            var field = name is "postgres" ? "RssAnon:" : "VmHWM:";
            var line = File.ReadLines($"/proc/{p}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    });

    private static List<int> Tree(string name, int pid)
    {
        var pids = new List<int> { pid };
        if (name is "postgres")
        {
            foreach (var dir in Directory.GetDirectories("/proc").Select(Path.GetFileName))
            {
                if (int.TryParse(dir, out var child))
                {
                    try
                    {
                        var stat = File.ReadAllText($"/proc/{child}/stat");
                        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                        if (fields[1] == pid.ToString(CultureInfo.InvariantCulture))
                        {
                            pids.Add(child);
                        }
                    }
                    catch (IOException)
                    {
                        // Gone.
                    }
                }
            }
        }

        return pids;
    }
}
