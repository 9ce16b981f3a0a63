using System.Collections.Concurrent;
using IrSuite.Contracts;
using IrSuite.Contracts.Anesthesia;
using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Procedure;
using IrSuite.Contracts.Scheduling;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using IrSuite.TestSupport;

namespace IrSuite.ProcedureRecord.Tests.Infrastructure;

/// <summary>
/// The service in-process exactly as its host composes it: Kestrel on a free loopback port (real HTTP/2), a fresh
/// SQLite file, MassTransit's in-memory bus, a manual clock. Records the events the outbox relay publishes and
/// every Error-level log (a test fails on any).
/// </summary>
public sealed class ProcedureRecordApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _directory;
    private readonly ConsumeSignals _signals;
    private readonly IDisposable _observer;

    private ProcedureRecordApp(WebApplication app, string directory, ManualTimeProvider clock, ConsumeSignals signals, ErrorLog errors)
    {
        _app = app;
        _directory = directory;
        Clock = clock;
        _signals = signals;
        Errors = errors;
        _observer = app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(signals);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        // The default caller is the operator rad-007 (holding the care-team roles): the time-outs and levels it signs name it.
        Address = $"http://127.0.0.1:{bound.Port}";
        Channel = TestIdentity.Channel(Address, Operator);
        Client = new ProcedureClient(Channel);
    }

    /// <summary>The subject of the default caller's token: the operator of the tests' time-outs and levels.</summary>
    public const string Operator = "rad-007";

    /// <summary>08:00 UTC on a Monday.</summary>
    public static DateTimeOffset Start { get; } = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    public ManualTimeProvider Clock { get; }

    /// <summary>http://127.0.0.1:port of the service (for programs the tests run against it).</summary>
    public string Address { get; }

    public GrpcChannel Channel { get; }

    public ProcedureClient Client { get; }

    public PublishedEvents Events => _app.Services.GetRequiredService<PublishedEvents>();

    public ErrorLog Errors { get; }

    public IServiceProvider Services => _app.Services;

    public ProcedureRecordDatabase Database => _app.Services.GetRequiredService<ProcedureRecordDatabase>();

    /// <summary>Starts the service; <paramref name="settings"/> override configuration (e.g. site protocol values).</summary>
    public static async Task<ProcedureRecordApp> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("irsuite-procedure-").FullName;
        var clock = new ManualTimeProvider(Start);
        var errors = new ErrorLog();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(errors);
        builder.Configuration["Grpc:Address"] = "127.0.0.1:0";
        builder.Configuration[$"Databases:{ProcedureRecordModule.ServiceName}:ConnectionString"] = Path.Combine(directory, "procedure-record.db");
        foreach (var (key, value) in TestIdentity.HostSettings)
        {
            builder.Configuration[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<PublishedEvents>();
        builder.AddIrSuiteHost(ProcedureRecordModule.DefaultPort).AddProcedureRecord(builder.Configuration);
        builder.Services.AddIrSuiteBus(builder.Configuration, bus =>
        {
            ProcedureRecordModule.AddConsumers(bus);
            bus.AddConsumer<ProcedureEventsSink>();
        });
        var app = builder.Build();
        app.UseGrpcServer();
        await app.MigrateAsync(ProcedureRecordModule.Database);
        await app.StartAsync();
        return new ProcedureRecordApp(app, directory, clock, new ConsumeSignals(), errors);
    }

    /// <summary>Publishes a scheduling event and waits until this service has consumed it (committed).</summary>
    public Task DeliverAsync<T>(T message, Guid? messageId = null)
        where T : class
    {
        var id = messageId ?? Guid.NewGuid();
        var consumed = _signals.WaitFor(id);
        return PublishThenWaitAsync(message, id, consumed);
    }

    /// <summary>
    /// A booking for <paramref name="referralId"/> at <paramref name="start"/> (default: the clock's day at 09:00), consented
    /// for the same levels (unless <paramref name="consented"/> says otherwise), under local anaesthesia unless <paramref name="sedation"/>.
    /// </summary>
    public async Task<ProcedureScheduled> ScheduleAsync(
        Guid referralId,
        string[]? levels = null,
        string room = "IR-1",
        DateTimeOffset? start = null,
        Guid? patientId = null,
        string sedation = SedationCodes.Local,
        string[]? consented = null,
        string[]? allergyClasses = null)
    {
        var message = new ProcedureScheduled(
            referralId, patientId ?? Guid.NewGuid(), levels ?? ["L1"], room, "REC-1", start ?? Start.AddHours(1), Clock.GetUtcNow())
        {
            ConsentedLevels = consented ?? levels ?? ["L1"],
            SedationMode = sedation,
            Admission = AdmissionCodes.Ambulatory,
            AllergyClasses = allergyClasses ?? [],
            Pregnancy = "NOT_APPLICABLE",
            Indication = "OSTEOPOROTIC_FRACTURE",
            DurationMinutes = 60,
            ProtocolVersion = "scheduling-test#1",
        };
        await DeliverAsync(message);
        return message;
    }

    /// <summary>The anaesthesiologist's pre-anaesthetic visit at <paramref name="visitedAt"/>, consumed.</summary>
    public Task VisitAsync(Guid referralId, Guid patientId, DateTimeOffset visitedAt, Guid? messageId = null) =>
        DeliverAsync(new PreAnestheticVisitRecorded(referralId, patientId, visitedAt, "anes-01", Clock.GetUtcNow()), messageId);

    public async ValueTask DisposeAsync()
    {
        _observer.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task PublishThenWaitAsync<T>(T message, Guid id, Task consumed)
        where T : class
    {
        await _app.Services.GetRequiredService<IBus>().Publish(message, ctx => ctx.MessageId = id);
        await consumed.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Completes a task when a message id has been consumed (after the consumer's transaction committed).</summary>
    private sealed class ConsumeSignals : IConsumeObserver
    {
        private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();

        public Task WaitFor(Guid messageId) =>
            _waiting.GetOrAdd(messageId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class
        {
            if (context.MessageId is { } id && _waiting.TryGetValue(id, out var waiting))
            {
                waiting.TrySetResult();
            }

            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class => Task.CompletedTask;
    }
}

/// <summary>The procedure events the outbox relay published, as a test consumer received them.</summary>
public sealed class PublishedEvents
{
    private readonly ConcurrentQueue<object> _events = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyList<object> All => _events.ToArray();

    public void Add(object message)
    {
        _events.Enqueue(message);
        _signal.Release();
    }

    /// <summary>Waits (bounded) for the first published event of type <typeparamref name="T"/> matching the referral.</summary>
    public async Task<T> WaitForAsync<T>(Guid referralId, Func<T, Guid> referralOf)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = _events.OfType<T>().FirstOrDefault(e => referralOf(e) == referralId);
            if (found is not null)
            {
                return found;
            }

            await _signal.WaitAsync(timeout.Token);
        }
    }
}

/// <summary>Receives the events procedure-record publishes, as the discharge service would.</summary>
public sealed class ProcedureEventsSink(PublishedEvents events)
    : IConsumer<ProcedureStarted>, IConsumer<ProcedureCompleted>, IConsumer<ProcedureDiscontinued>, IConsumer<EscalationRaised>, IConsumer<SkinDoseFollowUpRequired>
{
    public Task Consume(ConsumeContext<EscalationRaised> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<SkinDoseFollowUpRequired> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ProcedureStarted> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ProcedureCompleted> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<ProcedureDiscontinued> context)
    {
        events.Add(context.Message);
        return Task.CompletedTask;
    }
}
