using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Server;
using IrSuite.Grpc.Tests.Infrastructure;
using IrSuite.Testing.V1;
using Microsoft.Extensions.Logging;

namespace IrSuite.Grpc.Tests;

/// <summary>Interceptors, W3C trace context, the duration metric and source-generated logs.</summary>
[Collection(nameof(TelemetryTests))]
public sealed class TelemetryTests
{
    [Fact]
    public async Task TraceContext_FlowsFromClientToServer_AndServerActivityIsTagged()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "IrSuite.Grpc",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();
        using var parent = new Activity("test-root").Start();

        var reply = await channel.UnaryAsync(CallTests.Echo, new ProbeRequest { FailCode = 0 });

        Assert.Equal(parent.TraceId.ToString(), reply.TraceId);
        var serverSpan = Assert.Single(stopped, a => a.Kind == ActivityKind.Server && a.TraceId == parent.TraceId);
        Assert.Equal("/irsuite.testing.v1.ProbeService/Echo", serverSpan.GetTagItem("grpc.method"));
        Assert.Equal(0, serverSpan.GetTagItem("grpc.status_code"));
        Assert.Equal("grpc", serverSpan.GetTagItem("rpc.system"));
        Assert.Equal("irsuite.testing.v1.ProbeService", serverSpan.GetTagItem("rpc.service"));
        var clientSpan = Assert.Single(stopped, a => a.Source.Name == "IrSuite.Grpc" && a.Kind == ActivityKind.Client && a.TraceId == parent.TraceId);
        Assert.Equal(parent.SpanId, clientSpan.ParentSpanId);
        Assert.Equal(clientSpan.SpanId, serverSpan.ParentSpanId);
        Assert.Equal(0, clientSpan.GetTagItem("rpc.grpc.status_code"));
    }

    [Fact]
    public async Task Metrics_ServerDurationRecordedWithMethodAndStatus()
    {
        var measurements = new ConcurrentQueue<(double Value, Dictionary<string, object?> Tags)>();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "IrSuite.Grpc" && instrument.Name == "rpc.server.call.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<double>((_, value, tags, _) =>
            measurements.Enqueue((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        meters.Start();
        await using var server = await TestServer.StartAsync();
        using var channel = server.CreateChannel();

        await channel.UnaryAsync(CallTests.Echo, new ProbeRequest());
        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CallTests.Submit, new ProbeRequest { FailCode = 5 }));

        Assert.Contains(measurements, m => (string?)m.Tags["rpc.method"] == "Echo" && (int?)m.Tags["rpc.grpc.status_code"] == 0 && m.Value > 0);
        Assert.Contains(measurements, m => (string?)m.Tags["rpc.method"] == "Submit" && (int?)m.Tags["rpc.grpc.status_code"] == 5);
    }

    [Fact]
    public async Task Logging_SourceGeneratedEventsCarryMethodAndStatusOnly()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await TestServer.StartAsync(logger: logs);
        using var channel = server.CreateChannel();

        await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CallTests.Submit, new ProbeRequest { Text = "throw" }));

        Assert.Contains(logs.Entries, e => e.EventId.Id == 1 && e.Message.Contains("/irsuite.testing.v1.ProbeService/Submit", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventId.Id == 2 && e.Message.Contains("Unknown", StringComparison.Ordinal));
        var failure = Assert.Single(logs.Entries, e => e.EventId.Id == 3);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("Jane", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Interceptor_SeesTheFinalStatusAndCanShortCircuit()
    {
        var seen = new ConcurrentQueue<(string Method, StatusCode Code)>();
        await using var server = await TestServer.StartAsync(
            configureServices: s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(s, seen),
            configureGrpc: g => g.AddInterceptor<RecordingInterceptor>());
        using var channel = server.CreateChannel();

        await channel.UnaryAsync(CallTests.Echo, new ProbeRequest());
        var refused = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(CallTests.Submit, new ProbeRequest { Text = "refuse-me" }, new CallOptions(new Metadata().Add("x-refuse", "yes"))));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Equal([("Echo", StatusCode.OK), ("Submit", StatusCode.PermissionDenied)], seen.ToArray());
        Assert.Equal(1, server.State.Calls);
    }

    /// <summary>Records each call's final status; refuses calls carrying x-refuse without running the handler.</summary>
    public sealed class RecordingInterceptor(ConcurrentQueue<(string Method, StatusCode Code)> seen) : IServerInterceptor
    {
        public async Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
        {
            if (context.RequestHeaders.GetValue("x-refuse") is not null)
            {
                context.Status = new Status(StatusCode.PermissionDenied, "Refused by interceptor.");
            }
            else
            {
                await next(context);
            }

            seen.Enqueue((context.Method.Name, context.Status.StatusCode));
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, EventId EventId, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue((logLevel, eventId, formatter(state, exception)));
        }
    }
}
