using System.Runtime.InteropServices;
using IrSuite.Reliability.FaultSuite;

// faults [--patients N] [--concurrency C] [--scenarios T0,T1,...] [--repeat K]   the fault table (each scenario K times)
// bench  [--patients N] [--concurrency 1,4,8]                         the T0 throughput baseline
var command = args.FirstOrDefault() ?? "faults";
string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, "--" + name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

var patients = int.Parse(Option("patients", "200"), System.Globalization.CultureInfo.InvariantCulture);
var minimum = TimeSpan.FromSeconds(double.Parse(Option("observation-seconds", "2"), System.Globalization.CultureInfo.InvariantCulture));
await using var suite = await FaultSuite.StartAsync(Console.WriteLine);
// timeout(1), Ctrl+C or SIGTERM: stop the services and private servers (by their process ids) before leaving.
void Interrupted(PosixSignalContext context)
{
    context.Cancel = true;
    Console.WriteLine("interrupted: stopping the services and the private servers");
    suite.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
    Environment.Exit(130);
}

using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupted);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupted);
if (command == "bench")
{
    foreach (var concurrency in Option("concurrency", "1,4,8").Split(',').Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)))
    {
        Console.WriteLine(await Bench.RunAsync(suite, patients, concurrency, minimum));
    }

    return 0;
}

var wanted = Option("scenarios", string.Join(',', Scenarios.All.Select(s => s.Name))).Split(',');
var concurrencyOption = int.Parse(Option("concurrency", "8"), System.Globalization.CultureInfo.InvariantCulture);
var repeat = int.Parse(Option("repeat", "1"), System.Globalization.CultureInfo.InvariantCulture);
var results = new List<ScenarioResult>();
for (var round = 1; round <= repeat; round++)
{
    foreach (var scenario in Scenarios.All.Where(s => wanted.Contains(s.Name, StringComparer.OrdinalIgnoreCase)))
    {
        Console.WriteLine($"== {scenario.Name} (round {round} of {repeat}): {scenario.Description} ({patients} patients, concurrency {concurrencyOption})");
        results.Add(await suite.RunAsync(scenario, patients, concurrencyOption, minimum, Path.Combine(Path.GetTempPath(), $"irsuite-ledger-{scenario.Name}.jsonl")));
    }
}

Console.WriteLine();
Console.WriteLine(ResultTable.Render(results));
var failed = results.Where(r => Scenarios.All.First(s => s.Name == r.Scenario).ExpectNoLoss && (r.Lost > 0 || r.AppliedDuplicates > 0)).Select(r => r.Scenario).ToList();
if (repeat > 1)
{
    Console.WriteLine($"{results.Count - failed.Count} of {results.Count} runs without loss or duplicate");
}

Console.WriteLine(failed.Count == 0 ? "lost = 0 and applied duplicates = 0 where expected" : "FAILED: " + string.Join(", ", failed));
return failed.Count == 0 ? 0 : 1;
