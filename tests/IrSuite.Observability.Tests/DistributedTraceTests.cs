using System.Diagnostics;
using IrSuite.Scheduling.V1;
using IrSuite.SuiteHost.Demo;

namespace IrSuite.Observability.Tests;

/// <summary>
/// One pathway through the four services over real PostgreSQL and RabbitMQ: each action chain is one trace, from the
/// gRPC call through the outbox row, the relay's publish and the broker to the consumers and their SQL.
/// </summary>
public sealed class DistributedTraceTests
{
    private const int PatientNumber = 3; // small: the walk books its slot 2 h + 90 min per patient number ahead, and labs expire

    [Fact]
    public async Task Pathway_FourServicesOverRabbitMq_EachActionChainIsOneTraceAcrossServicesAndBroker()
    {
        using var collector = new SpanCollector();
        PathwayResult result;
        await using (var suite = await FourServices.StartAsync())
        {
            using var scheduling = suite.Channel("scheduling");
            using var anesthesia = suite.Channel("anesthesia-consultation");
            using var procedure = suite.Channel("procedure-record");
            using var discharge = suite.Channel("discharge");
            var walker = new PathwayWalker(new PathwayEndpoints(scheduling, anesthesia, procedure, discharge), TimeProvider.System)
            {
                EventTimeout = TimeSpan.FromSeconds(60),
            };
            result = await walker.WalkAsync(PatientNumber, ["L1", "L2"]);
            Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
            await AssertChainsAsync(collector, suite);
        }

        // No identity in any span: the walker's family name never lands in a span name or attribute.
        var phi = $"Demo{PatientNumber}";
        Assert.DoesNotContain(collector.Spans, s => s.DisplayName.Contains(phi, StringComparison.Ordinal)
            || s.TagObjects.Any(t => t.Value?.ToString()?.Contains(phi, StringComparison.Ordinal) == true));
    }

    private static async Task AssertChainsAsync(SpanCollector collector, FourServices suite)
    {
        // CompleteCase (procedure-record) -> outbox -> relay publish -> RabbitMQ -> discharge's and scheduling's consumers -> their SQL.
        var complete = Assert.Single(collector.Spans, s => s.Kind == ActivityKind.Server && s.DisplayName == "ir.procedure.v1.ProcedureRecordService/CompleteCase");
        Assert.Equal("grpc", complete.GetTagItem("rpc.system"));
        Assert.Equal("ir.procedure.v1.ProcedureRecordService", complete.GetTagItem("rpc.service"));
        Assert.Equal("CompleteCase", complete.GetTagItem("rpc.method"));
        Assert.Equal(0, complete.GetTagItem("rpc.grpc.status_code"));
        var trace = complete.TraceId;
        // The consumers' SQL is the last link: wait until their spans have stopped (they run after the call returned).
        var spans = await WaitForAsync(collector, trace, s =>
            SqlOf(s, suite.Databases["discharge"]).Any() && SqlOf(s, suite.Databases["scheduling"]).Any());
        Assert.Contains(spans, s => s.Source.Name == "IrSuite.Grpc" && s.Kind == ActivityKind.Client && s.DisplayName == complete.DisplayName);
        Assert.Contains(spans, s => s.Kind == ActivityKind.Client && s.Source.Name == "Npgsql" && Mentions(s, suite.Databases["procedure-record"]));
        var publish = Assert.Single(spans, s => s.DisplayName == "outbox publish" && (string?)s.GetTagItem("messaging.message.type") == "ProcedureCompleted");
        Assert.Equal("procedure-record", publish.GetTagItem("irsuite.service"));
        Assert.Contains(spans, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer && s.ParentSpanId == publish.SpanId);
        var dischargeSql = SqlOf(spans, suite.Databases["discharge"]).First();
        var consume = Ancestors(spans, dischargeSql).FirstOrDefault(a => a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer);
        Assert.True(consume is not null, "The discharge consumer's SQL should descend from a MassTransit consume span: " + Describe(spans));
        Assert.Contains(Ancestors(spans, consume!), a => a.SpanId == publish.SpanId);

        // BookAppointment (scheduling) -> ProcedureScheduled -> anaesthesia's and procedure-record's consumers: all four services join.
        var books = collector.Spans.Where(s => s.Kind == ActivityKind.Server && s.DisplayName == "ir.scheduling.v1.SchedulingService/BookAppointment").ToList();
        Assert.NotEmpty(books);
        var booked = false;
        foreach (var book in books)
        {
            var chain = collector.Spans.Where(s => s.TraceId == book.TraceId).ToList();
            if (chain.Any(s => s.DisplayName == "outbox publish" && (string?)s.GetTagItem("messaging.message.type") == "ProcedureScheduled"))
            {
                chain = await WaitForAsync(collector, book.TraceId, s =>
                    SqlOf(s, suite.Databases["anesthesia-consultation"]).Any() && SqlOf(s, suite.Databases["procedure-record"]).Any());
                Assert.Contains(chain, s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer);
                booked = true;
            }
        }

        Assert.True(booked, "No BookAppointment trace carried ProcedureScheduled: " + Describe(collector.Spans));
    }

    private static IEnumerable<Activity> SqlOf(IEnumerable<Activity> spans, string database) =>
        spans.Where(s => s.Source.Name == "Npgsql" && Mentions(s, database));

    private static bool Mentions(Activity span, string text) =>
        span.TagObjects.Any(t => t.Value?.ToString()?.Contains(text, StringComparison.Ordinal) == true);

    private static IEnumerable<Activity> Ancestors(IReadOnlyList<Activity> spans, Activity span)
    {
        var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var current = span;
        while (current.ParentSpanId != default && byId.TryGetValue(current.ParentSpanId, out var parent))
        {
            yield return parent;
            current = parent;
        }
    }

    private static async Task<List<Activity>> WaitForAsync(SpanCollector collector, ActivityTraceId trace, Func<List<Activity>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var spans = collector.Spans.Where(s => s.TraceId == trace).ToList();
            if (done(spans))
            {
                return spans;
            }

            Assert.True(DateTime.UtcNow < deadline, "The trace did not reach every service: " + Describe(spans));
            await Task.Delay(50);
        }
    }

    private static string Describe(IEnumerable<Activity> spans) => string.Join("\n", spans.Select(s =>
        $"{s.TraceId} {s.SpanId}<-{s.ParentSpanId} [{s.Source.Name}/{s.Kind}] {s.DisplayName} {{{string.Join(", ", s.TagObjects.Select(t => t.Key + "=" + t.Value))}}}"));
}
