using IrSuite.ServiceDefaults.Faults;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>The fault scenarios of issue 5 item 7 (reliability.md section 4.2, adapted to a small box).</summary>
public static class Scenarios
{
    private static readonly TimeSpan LoadBound = TimeSpan.FromSeconds(60);

    public static Scenario T0 { get; } = new("T0", "baseline, no fault");

    public static Scenario T1 { get; } = new("T1", "broker graceful restart (stop_app, 5 s, start_app)")
    {
        Fault = async c =>
        {
            await c.WaitForLoadAsync(LoadBound);
            await c.Rabbit.RestartGracefullyAsync(TimeSpan.FromSeconds(5));
        },
    };

    public static Scenario T2 { get; } = new("T2", "broker kill -9, restarted after 3 s")
    {
        SettleBeforeLoad = TimeSpan.FromSeconds(10),
        Fault = async c =>
        {
            await c.WaitForLoadAsync(LoadBound);
            await c.Rabbit.KillAndRestartAsync(TimeSpan.FromSeconds(3));
        },
    };

    public static Scenario T3 { get; } = new("T3", "broker hang: SIGSTOP 15 s, SIGCONT")
    {
        Fault = async c =>
        {
            await c.WaitForLoadAsync(LoadBound);
            await c.Rabbit.HangAsync(TimeSpan.FromSeconds(15));
        },
    };

    public static Scenario T5Restart { get; } = new("T5a", "PostgreSQL fast restart")
    {
        Fault = async c =>
        {
            await c.WaitForLoadAsync(LoadBound);
            await c.Postgres.RestartFastAsync();
        },
    };

    public static Scenario T5Kill { get; } = new("T5b", "PostgreSQL postmaster kill -9, restarted after 2 s")
    {
        Fault = async c =>
        {
            await c.WaitForLoadAsync(LoadBound);
            await c.Postgres.KillAndRestartAsync(TimeSpan.FromSeconds(2));
        },
    };

    public static Scenario T6BeforeCommit { get; } = new("T6a", "discharge crashes in a consumer before commit (5th message)")
    {
        Hook = ("discharge", Hook(FaultInjection.ConsumerBeforeCommit, 5)),
    };

    public static Scenario T6AfterCommit { get; } = new("T6b", "discharge crashes in a consumer after commit, before ack (5th message)")
    {
        Hook = ("discharge", Hook(FaultInjection.ConsumerAfterCommit, 5)),
    };

    public static Scenario T6Relay { get; } = new("T6c", "scheduling's relay crashes after publish, before marking sent (10th message)")
    {
        Hook = ("scheduling", Hook(FaultInjection.RelayAfterPublish, 10)),
    };

    public static Scenario T7 { get; } = new("T7", "duplicate storm: ~10 % of delivered events republished with the same MessageId")
    {
        Fault = async c =>
        {
            await c.WaitForLoadAsync(LoadBound);
            // Republish in waves while the load runs, so duplicates meet fresh traffic.
            for (var wave = 0; wave < 5; wave++)
            {
                var seen = c.Sink!.Deliveries.GroupBy(d => d.MessageId).Select(g => g.First()).ToList();
                await c.Sink.RepublishAsync(seen.Where((_, i) => i % 10 == wave % 10));
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            var all = c.Sink!.Deliveries.GroupBy(d => d.MessageId).Select(g => g.First()).ToList();
            await c.Sink!.RepublishAsync(all.Where((_, i) => i % 10 == 9));
        },
    };

    public static Scenario T8 { get; } = new("T8", "poison: malformed JSON and a type nobody consumes, raw-published to a service queue")
    {
        Fault = async c =>
        {
            await c.WaitForLoadAsync(LoadBound);
            var queues = await c.Rabbit.ListQueuesAsync(c.Suite.VirtualHost);
            var target = queues.Select(q => q.Name).First(n => n.EndsWith("procedure-completed", StringComparison.Ordinal) && n.Contains("discharge", StringComparison.Ordinal));
            for (var i = 0; i < 5; i++)
            {
                await c.Sink!.PublishRawAsync(target, "{\"messageId\": this is not json");
                await c.Sink.PublishRawAsync(target, "{\"messageId\":\"" + Guid.NewGuid() + "\",\"messageType\":[\"urn:message:IrSuite.Faults:NobodyConsumesThis\"],\"message\":{\"x\":1}}");
            }

            var isolated = await OsProcess.WaitUntilAsync(async () =>
            {
                var now = await c.Rabbit.ListQueuesAsync(c.Suite.VirtualHost);
                return now.Any(q => q.Name == target + "_error" && q.Messages >= 5) && now.Any(q => q.Name == target + "_skipped" && q.Messages >= 5);
            }, TimeSpan.FromSeconds(30));
            var after = await c.Rabbit.ListQueuesAsync(c.Suite.VirtualHost);
            c.Notes.Add($"poison isolated: {isolated}; _error {after.FirstOrDefault(q => q.Name == target + "_error").Messages}, _skipped {after.FirstOrDefault(q => q.Name == target + "_skipped").Messages}");
        },
    };

    public static Scenario T9 { get; } = new("T9", "timer durability: kill -9 discharge and restart the broker inside the observation window")
    {
        Fault = async c =>
        {
            // Wait until observations (and their timers) exist, then crash the timer owner and the broker.
            await OsProcess.WaitUntilAsync(() => Task.FromResult(Ledger.Current.Entries.Count(e => e.Rpc == "RecordObservation" && e.Outcome == "ok") >= 2), TimeSpan.FromSeconds(90));
            await c.Suite.Processes["discharge"].KillAsync();
            await c.Rabbit.RestartGracefullyAsync(TimeSpan.FromSeconds(2));
            await c.Suite.Processes["discharge"].StartAsync();
            var (expected, fired, early, late) = await new Checker(c.Suite, c.Rabbit, null).TimersAsync();
            c.Notes.Add($"at restart: {fired}/{expected} timers fired, {early} early, max lateness {late:F1} s");
        },
    };

    public static Scenario T12 { get; } = new("T12", "start order: scheduling publishes before the consumers declared their queues")
    {
        StartFirst = ["scheduling"],
        SinkFirst = false,
        ExpectNoLoss = false,
        EventTimeout = TimeSpan.FromSeconds(20),
        Fault = async c =>
        {
            // The consumers start once scheduling has published its first ReferralAccepted (into no queue yet).
            await OsProcess.WaitUntilAsync(async () =>
                (await new Checker(c.Suite, c.Rabbit, null).OutboxAsync()).Any(r => r.MessageType.Contains("ReferralAccepted", StringComparison.Ordinal) && r.DispatchedAtMs is not null),
                LoadBound, TimeSpan.FromMilliseconds(50));
            await Task.WhenAll(new[] { "anesthesia-consultation", "procedure-record", "discharge" }.Select(s => c.Suite.Processes[s].StartAsync()));
            // The early walks fail at their first call to a consumer that was not up. A few walks now, with every
            // service up, give each consumer applied messages, which is how the checker knows who consumes what.
            var late = await new LoadDriver(c.Suite) { EventTimeout = TimeSpan.FromSeconds(60) }.RunAsync(3, 3, TimeSpan.FromMinutes(3), firstPatient: 500);
            c.Notes.Add($"{late.Count(o => o.Ok)}/3 walks after all services were up completed");
        },
    };

    public static IReadOnlyList<Scenario> All { get; } = [T0, T1, T2, T3, T5Restart, T5Kill, T6BeforeCommit, T6AfterCommit, T6Relay, T7, T8, T9, T12];

    private static Dictionary<string, string> Hook(string point, int after) => new()
    {
        ["Faults__Point"] = point,
        ["Faults__After"] = after.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
