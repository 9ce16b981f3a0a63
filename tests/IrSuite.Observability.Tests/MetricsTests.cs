using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using IrSuite.Contracts.Procedure;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Observability;
using IrSuite.SuiteHost.Demo;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Observability.Tests;

/// <summary>The RED instrument of every RPC and the clinical KPIs record as a pathway runs (embedded suite, in-memory bus).</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Pathway_Completes_RecordsRedPerCallAndClinicalKpis()
    {
        var recorded = new ConcurrentQueue<(string Meter, string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name is TelemetryNames.Grpc or TelemetryNames.Clinical or TelemetryNames.Messaging)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            recorded.Enqueue((instrument.Meter.Name, instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Keep(i, v, t));
        listener.Start();

        await using var host = await EmbeddedHost.StartAsync();
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(host.Channel), TimeProvider.System) { EventTimeout = TimeSpan.FromSeconds(30) };
        var result = await walker.WalkAsync(1, ["L1"]);
        Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
        // An error: the status code is a tag, so errors by code derive from the same histogram.
        var refused = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(
            Method<GetReferralRequest, Referral>.Create(SchedulingReflection.Descriptor.Services[0], "GetReferral"),
            new GetReferralRequest { ReferralId = "not-a-uuid" },
            new CallOptions().WithTimeout(TimeSpan.FromSeconds(10))));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        listener.RecordObservableInstruments();

        bool Has(string instrument, Func<Dictionary<string, object?>, bool>? tags = null) =>
            recorded.Any(r => r.Instrument == instrument && (tags is null || tags(r.Tags)));

        // RED: one duration per served call, by service, method and gRPC status (rate = count, errors = count by code).
        Assert.True(Has("rpc.server.call.duration", t => Equals(t["rpc.method"], "CompleteCase") && Equals(t["rpc.grpc.status_code"], 0)
            && Equals(t["rpc.service"], "ir.procedure.v1.ProcedureRecordService") && Equals(t["rpc.system"], "grpc")));
        Assert.True(Has("rpc.server.call.duration", t => Equals(t["rpc.method"], "GetReferral") && Equals(t["rpc.grpc.status_code"], (int)StatusCode.InvalidArgument)));
        Assert.True(Has("rpc.client.call.duration", t => Equals(t["rpc.method"], "CompleteCase")));

        // Clinical KPIs of the walked case.
        Assert.True(Has("irsuite.clinical.cases", t => Equals(t["outcome"], "completed")));
        Assert.True(Has("irsuite.clinical.procedure.duration"));
        Assert.True(Has("irsuite.clinical.dose.reference_air_kerma"));
        Assert.True(Has("irsuite.clinical.dose.dose_area_product"));
        Assert.True(Has("irsuite.clinical.observation.duration", t => Equals(t["destination"], "HOME")));
        await WaitAsync(() => Has("irsuite.clinical.referral_to_procedure") && Has("irsuite.clinical.time_to_discharge"));

        // Messaging: relay publishes and consumer applications, with their lag.
        Assert.True(Has("irsuite.outbox.published", t => Equals(t["message.type"], "ProcedureCompleted")));
        Assert.True(Has("irsuite.consumer.applied", t => Equals(t["consumer"], "ProcedureCompletedConsumer")));
        Assert.True(Has("irsuite.consumer.lag"));
        Assert.True(Has("irsuite.outbox.backlog", t => Equals(t["service"], "procedure-record")),
            string.Join("; ", recorded.Where(r => r.Meter == TelemetryNames.Messaging).Select(r => r.Instrument + " " + string.Join(",", r.Tags.Select(t => t.Key + "=" + t.Value))).Distinct()));
        Assert.True(Has("irsuite.outbox.oldest_age", t => Equals(t["service"], "discharge")));

        // The inbox: the same message id delivered twice is applied once, then counted as a duplicate.
        var bus = host.App.Services.GetRequiredService<IBus>();
        var redelivered = new ProcedureStarted(Guid.Parse(result.Referral.ReferralId), Guid.Parse(result.Referral.PatientId), ["L1"], DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();
        bool Duplicate() => Has("irsuite.consumer.duplicates", t => Equals(t["consumer"], "ProcedureStartedConsumer"));
        Assert.False(Duplicate());
        await bus.Publish(redelivered, c => c.MessageId = messageId);
        await bus.Publish(redelivered, c => c.MessageId = messageId);
        await WaitAsync(Duplicate);
        Assert.Equal(2, recorded.Count(r => r.Instrument == "irsuite.consumer.applied" && Equals(r.Tags["consumer"], "ProcedureStartedConsumer")));

        // Low-cardinality tags only: no id of the walked referral or patient in any tag value.
        var ids = new[] { result.Referral.ReferralId, result.Referral.PatientId };
        Assert.DoesNotContain(recorded, r => r.Tags.Values.Any(v => ids.Contains(v?.ToString())));
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The expected measurement was not recorded in time.");
            await Task.Delay(20);
        }
    }
}
