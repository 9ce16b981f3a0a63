using System.Diagnostics;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>What a scenario does to the system while the load runs.</summary>
public sealed record Scenario(string Name, string Description)
{
    /// <summary>The fault; returns when it is over (the moment recovery is measured from). Null: baseline.</summary>
    public Func<ScenarioContext, Task>? Fault { get; init; }

    /// <summary>Extra settings for one service's first start (a crash hook); the harness restarts it without them.</summary>
    public (string Service, Dictionary<string, string> Settings)? Hook { get; init; }

    /// <summary>Start order; the fault starts the rest (T12).</summary>
    public IReadOnlyList<string>? StartFirst { get; init; }

    /// <summary>Whether the sink's queues exist before the services publish (T12 starts it afterwards).</summary>
    public bool SinkFirst { get; init; } = true;

    /// <summary>How long the walk waits for another service's event before the pathway counts as failed.</summary>
    public TimeSpan EventTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Time between the services' start and the load (and so the fault). RabbitMQ 3.10 saves a new quorum queue's Raft
    /// metadata (<c>ra_log_meta</c>) every 5 s; a <c>kill -9</c> inside that window can leave the queue without a leader
    /// for good after the restart, a loss of the broker's own state that no client can repair (decision 0019). A crash
    /// in production meets queues declared at deployment, so T2 lets them settle for twice that interval.
    /// </summary>
    public TimeSpan SettleBeforeLoad { get; init; } = TimeSpan.Zero;

    /// <summary>Whether lost and applied duplicates must be 0 (T12 without Mandatory publishes reports its loss).</summary>
    public bool ExpectNoLoss { get; init; } = true;
}

/// <summary>The running scenario's servers, services and sink, for the fault to act on.</summary>
public sealed class ScenarioContext(PrivatePostgres postgres, PrivateRabbitMq rabbit, SuiteUnderTest suite, Func<int> completed)
{
    public PrivatePostgres Postgres => postgres;

    public PrivateRabbitMq Rabbit => rabbit;

    public SuiteUnderTest Suite => suite;

    public EventSink? Sink { get; set; }

    public List<string> Notes { get; } = [];

    public int Completed => completed();

    /// <summary>Waits until the load has done some work (about a third of the pathways started), bounded.</summary>
    public Task WaitForLoadAsync(TimeSpan bound) =>
        OsProcess.WaitUntilAsync(() => Task.FromResult(Ledger.Current.Entries.Count(e => e.Rpc == "SubmitReferral") >= 3), bound);
}

/// <summary>
/// Runs scenarios on one pair of private servers: per scenario a fresh database and virtual host, the four services,
/// the sink, the load, the fault, a drain and the checker. Bounded everywhere; loopback only; stops what it started.
/// </summary>
public sealed class FaultSuite : IAsyncDisposable
{
    private FaultSuite(PrivatePostgres postgres, PrivateRabbitMq rabbit, string template)
    {
        Postgres = postgres;
        Rabbit = rabbit;
        Template = template;
    }

    /// <summary>The migrated database every scenario copies.</summary>
    public string Template { get; }

    public PrivatePostgres Postgres { get; }

    public PrivateRabbitMq Rabbit { get; }

    public Action<string>? Log { get; init; }

    /// <summary>The scenario's services while it runs (stopped by <see cref="DisposeAsync"/> on an interrupt).</summary>
    public SuiteUnderTest? Running { get; set; }

    public static async Task<FaultSuite> StartAsync(Action<string>? log = null)
    {
        var watch = Stopwatch.StartNew();
        var postgres = await PrivatePostgres.StartAsync();
        var rabbit = await PrivateRabbitMq.StartAsync();
        var template = await SuiteUnderTest.CreateTemplateAsync(postgres, rabbit);
        log?.Invoke($"private PostgreSQL :{postgres.Port} and RabbitMQ :{rabbit.Port} up, template migrated in {watch.Elapsed.TotalSeconds:F1} s");
        return new FaultSuite(postgres, rabbit, template) { Log = log };
    }

    public async Task<ScenarioResult> RunAsync(Scenario scenario, int patients, int concurrency, TimeSpan observationMinimum, string? ledgerPath = null)
    {
        Ledger.Current = new Ledger();
        var name = scenario.Name.ToLowerInvariant() + "_" + Guid.NewGuid().ToString("N")[..6];
        await using var suite = await SuiteUnderTest.CreateAsync(Postgres, Rabbit, name, observationMinimum, Template);
        Running = suite;
        var completed = 0;
        var context = new ScenarioContext(Postgres, Rabbit, suite, () => Volatile.Read(ref completed));
        EventSink? sink = null;
        try
        {
            if (scenario.SinkFirst)
            {
                sink = context.Sink = await EventSink.StartAsync(Rabbit, suite.VirtualHost);
            }

            await Task.WhenAll((scenario.StartFirst ?? SuiteUnderTest.Services.Select(s => s.Service).ToList())
                .Select(service => suite.Processes[service].StartAsync(scenario.Hook is { } h && h.Service == service ? h.Settings : null)));
            if (scenario.SettleBeforeLoad > TimeSpan.Zero)
            {
                await Task.Delay(scenario.SettleBeforeLoad); // the fault's timing (see Scenario.SettleBeforeLoad), not a wait for a result
            }

            var checker = new Checker(suite, Rabbit, sink);
            using var stop = new CancellationTokenSource();
            var maxBacklog = 0;
            var backlogSamples = new List<(long AtMs, int Backlog)>();
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        var backlog = await checker.BacklogAsync();
                        maxBacklog = Math.Max(maxBacklog, backlog);
                        lock (backlogSamples)
                        {
                            backlogSamples.Add((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), backlog));
                        }
                    }
                    catch (Exception ex) when (ex is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
                    {
                        // The database is down (T5): no sample.
                    }

                    await Task.Delay(250, CancellationToken.None);
                }
            });

            // A service that ends on its own (a crash hook at its crash point, or a service that stops itself to be
            // restarted: decision 0019) is started again without its hook settings, as an orchestrator would.
            var restarts = new List<(string Service, int? ExitCode)>();
            long? faultEndMs = null;
            var supervisor = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    foreach (var process in suite.Processes.Values.Where(p => p.ExitedOnItsOwn))
                    {
                        var code = process.ExitCode;
                        await process.StartAsync();
                        lock (restarts)
                        {
                            restarts.Add((process.Service, code));
                        }

                        if (scenario.Hook is { } hooked && hooked.Service == process.Service)
                        {
                            faultEndMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        }
                    }

                    try
                    {
                        await Task.Delay(200, stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            });

            var deadline = TimeSpan.FromSeconds(Math.Max(180, patients * 4));
            var load = new LoadDriver(suite) { EventTimeout = scenario.EventTimeout }.RunAsync(patients, concurrency, deadline, onCompleted: n => Volatile.Write(ref completed, n));
            var fault = scenario.Fault is { } act ? Task.Run(async () =>
            {
                await act(context);
                faultEndMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            }) : Task.CompletedTask;
            await fault;
            var outcomes = await load;
            // The supervisor keeps restarting through the drain: a service may give up while its backlog drains.
            var drained = await checker.DrainAsync(TimeSpan.FromSeconds(90));
            stop.CancelAsync().Wait();
            await supervisor;
            if (scenario.Hook is { } hook)
            {
                var hookRestarts = restarts.Count(r => r.Service == hook.Service);
                context.Notes.Add(hookRestarts == 1 ? "crash hook fired; service restarted" : hookRestarts == 0 ? "crash hook did not fire" : $"crash hook fired; service restarted {hookRestarts} times");
            }

            foreach (var (service, code) in restarts.Where(r => scenario.Hook is not { } h || r.Service != h.Service))
            {
                context.Notes.Add($"{service} exited on its own (exit code {code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}) and was restarted");
            }

            await sampler;
            var diagnostics = "";
            if (!drained)
            {
                var stuck = (await Rabbit.ListQueuesAsync(suite.VirtualHost)).Where(q => q.Messages > 0).Select(q => $"{q.Name}={q.Messages}/{q.Consumers}c");
                context.Notes.Add($"drain cap reached (backlog {await checker.BacklogAsync()}; queues {string.Join(" ", stuck)})");
                diagnostics = string.Join("\n", suite.Processes.Select(p => $"--- {p.Key}, last warnings and errors:\n" + string.Join("\n", WarningLines(p.Value.Output).TakeLast(15))));
                Log?.Invoke(diagnostics);
            }

            double? recovery = null;
            if (faultEndMs is { } end)
            {
                var outbox = await checker.OutboxAsync();
                var firstPublish = outbox.Where(r => r.DispatchedAtMs >= end).Select(r => r.DispatchedAtMs!.Value).DefaultIfEmpty(end).Min();
                long zero;
                lock (backlogSamples)
                {
                    zero = backlogSamples.Where(s => s.AtMs >= end && s.Backlog == 0).Select(s => s.AtMs).DefaultIfEmpty(end).Min();
                }

                recovery = Math.Max(firstPublish - end, zero - end) / 1000.0;
            }

            var result = await checker.CheckAsync(scenario.Name, outcomes, recovery, maxBacklog, string.Join("; ", context.Notes)) with { Diagnostics = diagnostics };
            if (scenario.Name == "T9")
            {
                result = result with { Notes = result.Notes + $"; after drain: {result.Timers.Fired}/{result.Timers.Expected} timers fired once, {result.Timers.Early} early" };
            }

            if (ledgerPath is not null)
            {
                await Ledger.Current.WriteAsync(ledgerPath);
            }

            Log?.Invoke($"{scenario.Name}: {ResultTable.Row(result)}");
            foreach (var failure in outcomes.Where(o => !o.Ok).GroupBy(o => o.Error).Select(g => $"{g.Count()} x {g.Key}"))
            {
                Log?.Invoke($"  failed pathways: {failure}");
            }

            return result;
        }
        finally
        {
            Running = null;
            if (sink is not null)
            {
                await sink.DisposeAsync();
            }
        }
    }

    private static IEnumerable<string> WarningLines(string output) =>
        output.Split('\n').Where(l => new[] { "warn", "fail", "error", "exception" }.Any(w => l.Contains(w, StringComparison.OrdinalIgnoreCase)));

    public async ValueTask DisposeAsync()
    {
        if (Running is { } running)
        {
            foreach (var process in running.Processes.Values)
            {
                await process.KillAsync();
            }
        }

        await Rabbit.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}
