using System.Collections.Concurrent;
using System.Threading.Channels;
using IrSuite.Anesthesia.V1;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.Contracts.Anesthesia;
using IrSuite.Contracts.Scheduling;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using IrSuite.TestSupport;

namespace IrSuite.AnesthesiaConsultation.Tests.Infrastructure;

/// <summary>
/// The service as Program.cs composes it, on a free loopback port, a fresh SQLite file, the in-memory bus
/// and a manual clock. Tests publish what the service consumes, await signals (no sleeps), and fail on any
/// Error-level log.
/// </summary>
public sealed class AnesthesiaServiceHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);

    private static readonly ServiceDescriptorMethods Methods = new();
    private readonly WebApplication _app;
    private readonly string _directory;

    private AnesthesiaServiceHost(WebApplication app, string directory, ManualTimeProvider clock, GrpcChannel channel, ErrorLog errors, ConsumedSignal consumed)
    {
        _app = app;
        _directory = directory;
        Clock = clock;
        Channel = channel;
        Errors = errors;
        Consumed = consumed;
    }

    public ManualTimeProvider Clock { get; }

    public GrpcChannel Channel { get; }

    public ErrorLog Errors { get; }

    public ConsumedSignal Consumed { get; }

    public ChannelReader<ClearanceSigned> ClearancesSigned => _app.Services.GetRequiredService<Channel<ClearanceSigned>>().Reader;

    public ChannelReader<PreAnestheticVisitRecorded> VisitsRecorded => _app.Services.GetRequiredService<Channel<PreAnestheticVisitRecorded>>().Reader;

    public IrSuite.ServiceDefaults.Clinical.SiteProtocol Protocol => _app.Services.GetRequiredService<IrSuite.ServiceDefaults.Clinical.SiteProtocol>();

    public AnesthesiaConsultationDatabase Database => _app.Services.GetRequiredService<AnesthesiaConsultationDatabase>();

    /// <summary>Starts the host; <paramref name="settings"/> override configuration, e.g. <c>SiteProtocol:Bleeding:InrMax:Value</c>.</summary>
    public static async Task<AnesthesiaServiceHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("irsuite-anesthesia-").FullName;
        var clock = new ManualTimeProvider(Start);
        var errors = new ErrorLog();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(errors);
        builder.Configuration["Grpc:Address"] = "127.0.0.1:0";
        builder.Configuration[$"Databases:{AnesthesiaConsultationModule.ServiceName}:ConnectionString"] = Path.Combine(directory, "anesthesia.db");
        foreach (var (key, value) in TestIdentity.HostSettings)
        {
            builder.Configuration[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton(System.Threading.Channels.Channel.CreateUnbounded<PreAnestheticVisitRecorded>());
        builder.Services.AddSingleton(System.Threading.Channels.Channel.CreateUnbounded<ClearanceSigned>());
        builder.AddIrSuiteHost(AnesthesiaConsultationModule.DefaultPort).AddAnesthesiaConsultation(builder.Configuration);
        builder.Services.AddIrSuiteBus(builder.Configuration, bus =>
        {
            AnesthesiaConsultationModule.AddConsumers(bus);
            bus.AddConsumer<ClearanceSignedProbe>();
            bus.AddConsumer<PreAnestheticVisitRecordedProbe>();
        });
        var app = builder.Build();
        app.UseGrpcServer();
        await app.MigrateAsync(AnesthesiaConsultationModule.Database);
        await app.StartAsync();
        var consumed = new ConsumedSignal();
        app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(consumed);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var channel = TestIdentity.Channel($"http://127.0.0.1:{bound.Port}");
        return new AnesthesiaServiceHost(app, directory, clock, channel, errors, consumed);
    }

    /// <summary>Publishes a ReferralAccepted (as scheduling would) and waits until the service has consumed it.</summary>
    public async Task<ReferralAccepted> AcceptReferralAsync(Guid? referralId = null, string expectedSedation = "GENERAL", Guid? messageId = null, IReadOnlyList<string>? levels = null)
    {
        var accepted = new ReferralAccepted(referralId ?? Guid.NewGuid(), Guid.NewGuid(), levels ?? ["L1", "L2"], expectedSedation, Clock.GetUtcNow());
        await PublishAndWaitAsync(accepted, messageId ?? Guid.NewGuid());
        return accepted;
    }

    public Task PublishAndWaitAsync(ReferralAccepted accepted, Guid messageId) => PublishAndWaitAsync<ReferralAccepted>(accepted, messageId);

    /// <summary>Publishes an event the service consumes and waits until it has been consumed.</summary>
    public async Task PublishAndWaitAsync<T>(T message, Guid messageId)
        where T : class
    {
        var done = Consumed.WaitFor(messageId);
        await _app.Services.GetRequiredService<IBus>().Publish(message, context => context.MessageId = messageId);
        await done.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Publishes a ProcedureScheduled (as scheduling would) for the slot and waits until it has been consumed.</summary>
    public async Task<ProcedureScheduled> ScheduleProcedureAsync(ReferralAccepted accepted, DateTimeOffset start, string sedationMode = "GENERAL")
    {
        var scheduled = new ProcedureScheduled(accepted.ReferralId, accepted.PatientId, accepted.Levels, "IR-1", "REC-1", start, Clock.GetUtcNow())
        {
            SedationMode = sedationMode,
        };
        await PublishAndWaitAsync(scheduled, Guid.NewGuid());
        return scheduled;
    }

    /// <summary>Publishes a ProcedureCancelled and waits until it has been consumed.</summary>
    public Task CancelProcedureAsync(ReferralAccepted accepted) =>
        PublishAndWaitAsync(new ProcedureCancelled(accepted.ReferralId, accepted.PatientId, Clock.GetUtcNow()), Guid.NewGuid());

    /// <summary>The next PreAnestheticVisitRecorded the outbox relay published.</summary>
    public async Task<PreAnestheticVisitRecorded> NextVisitRecordedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await VisitsRecorded.ReadAsync(timeout.Token);
    }

    /// <summary>The next ClearanceSigned the outbox relay published.</summary>
    public async Task<ClearanceSigned> NextClearanceSignedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await ClearancesSigned.ReadAsync(timeout.Token);
    }

    public Task<AnesthesiaPlan> RecordAssessmentAsync(RecordAssessmentRequest request) => Channel.UnaryAsync(Methods.RecordAssessment, request);

    public Task<AnesthesiaPlan> PlanSedationAsync(PlanSedationRequest request) => Channel.UnaryAsync(Methods.PlanSedation, request);

    public Task<AnesthesiaPlan> SignClearanceAsync(SignClearanceRequest request) => Channel.UnaryAsync(Methods.SignClearance, request);

    public Task<AnesthesiaPlan> RecordPreAnestheticVisitAsync(RecordPreAnestheticVisitRequest request) => Channel.UnaryAsync(Methods.RecordPreAnestheticVisit, request);

    public Task<AnesthesiaPlan> GetPlanAsync(string referralId) => Channel.UnaryAsync(Methods.GetPlan, new GetPlanRequest { ReferralId = referralId });

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class ServiceDescriptorMethods
    {
        private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = AnesthesiaReflection.Descriptor.Services[0];

        public Method<RecordAssessmentRequest, AnesthesiaPlan> RecordAssessment { get; } = Method<RecordAssessmentRequest, AnesthesiaPlan>.Create(Service, "RecordAssessment");

        public Method<PlanSedationRequest, AnesthesiaPlan> PlanSedation { get; } = Method<PlanSedationRequest, AnesthesiaPlan>.Create(Service, "PlanSedation");

        public Method<SignClearanceRequest, AnesthesiaPlan> SignClearance { get; } = Method<SignClearanceRequest, AnesthesiaPlan>.Create(Service, "SignClearance");

        public Method<RecordPreAnestheticVisitRequest, AnesthesiaPlan> RecordPreAnestheticVisit { get; } =
            Method<RecordPreAnestheticVisitRequest, AnesthesiaPlan>.Create(Service, "RecordPreAnestheticVisit");

        public Method<GetPlanRequest, AnesthesiaPlan> GetPlan { get; } = Method<GetPlanRequest, AnesthesiaPlan>.Create(Service, "GetPlan");
    }
}

/// <summary>Stands for the services that consume ClearanceSigned (scheduling): hands each event to the test.</summary>
public sealed class ClearanceSignedProbe(Channel<ClearanceSigned> received) : IConsumer<ClearanceSigned>
{
    public Task Consume(ConsumeContext<ClearanceSigned> context) => received.Writer.WriteAsync(context.Message, context.CancellationToken).AsTask();
}

/// <summary>Stands for procedure-record (it gates the WHO sign-in on PreAnestheticVisitRecorded): hands each event to the test.</summary>
public sealed class PreAnestheticVisitRecordedProbe(Channel<PreAnestheticVisitRecorded> received) : IConsumer<PreAnestheticVisitRecorded>
{
    public Task Consume(ConsumeContext<PreAnestheticVisitRecorded> context) => received.Writer.WriteAsync(context.Message, context.CancellationToken).AsTask();
}

/// <summary>Completes when a message id has been consumed (after every consumer of it finished, faults included).</summary>
public sealed class ConsumedSignal : IConsumeObserver
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiting = new();

    public Task WaitFor(Guid messageId) => Get(messageId).Task;

    public Task PreConsume<T>(ConsumeContext<T> context)
        where T : class => Task.CompletedTask;

    public Task PostConsume<T>(ConsumeContext<T> context)
        where T : class
    {
        Complete(context);
        return Task.CompletedTask;
    }

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
        where T : class
    {
        if (context.MessageId is { } id)
        {
            Get(id).TrySetException(exception);
        }

        return Task.CompletedTask;
    }

    private void Complete(ConsumeContext context)
    {
        if (context.MessageId is { } id && _waiting.TryRemove(id, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    private TaskCompletionSource Get(Guid id) => _waiting.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
