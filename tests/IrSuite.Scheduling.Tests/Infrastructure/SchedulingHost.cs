using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dapper;
using IrSuite.Anesthesia.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.TestSupport;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.Scheduling.Tests.Infrastructure;

/// <summary>
/// The scheduling service started in-process as its Program.cs does, on a free loopback port, with a SQLite file,
/// the in-memory bus, a manual clock, and a fake anesthesia-consultation (GetPlan) served by the same host.
/// </summary>
public sealed class SchedulingHost : IAsyncDisposable
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Descriptor = SchedulingReflection.Descriptor.Services[0];

    private readonly WebApplication _app;

    private SchedulingHost(WebApplication app, Uri address, ErrorLog errors)
    {
        _app = app;
        Errors = errors;
        Channel = TestIdentity.Channel(address);
    }

    public IServiceProvider Services => _app.Services;

    public GrpcChannel Channel { get; }

    public FakeAnesthesiaPlans Anesthesia => Services.GetRequiredService<FakeAnesthesiaPlans>();

    public PublishedEvents Events => Services.GetRequiredService<PublishedEvents>();

    public IBus Bus => Services.GetRequiredService<IBus>();

    public SchedulingDatabase Database => Services.GetRequiredService<SchedulingDatabase>();

    /// <summary>Error-level log entries written by the service (a test fails if any appear unexpectedly).</summary>
    public ErrorLog Errors { get; }

    public static async Task<SchedulingHost> StartAsync(ManualTimeProvider clock, string directory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Directory.CreateDirectory(directory);
        var (builder, _, errors) = ComponentHostBuilder.Create(clock, new Dictionary<string, string?>
        {
            ["Databases:scheduling:ConnectionString"] = Path.Combine(directory, "scheduling.db"),
            ["Services:anesthesia-consultation:Address"] = "http://127.0.0.1:{port}",
        }, settings);
        builder.Services.AddSingleton<FakeAnesthesiaPlans>();
        builder.Services.AddSingleton<PublishedEvents>();

        builder.AddIrSuiteHost(SchedulingModule.DefaultPort)
            .AddScheduling(builder.Configuration)
            .AddService<FakeAnesthesia>(AnesthesiaReflection.Descriptor.Services[0]);
        builder.Services.AddIrSuiteBus(builder.Configuration, bus =>
        {
            SchedulingModule.AddConsumers(bus);
            bus.AddConsumer<RecordingConsumer>();
        });

        var app = builder.Build();
        app.UseGrpcServer();
        await app.MigrateAsync(SchedulingModule.Database);
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new SchedulingHost(app, new Uri($"http://127.0.0.1:{bound.Port}"), errors);
    }

    public Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        Channel.UnaryAsync(Method<TRequest, TResponse>.Create(Descriptor, method), request, new CallOptions().WithTimeout(TimeSpan.FromSeconds(30)));

    public Task<Referral> SubmitReferralAsync(SubmitReferralRequest request) => CallAsync<SubmitReferralRequest, Referral>("SubmitReferral", request);

    public Task<Referral> RecordIrConsultAsync(RecordIrConsultRequest request) => CallAsync<RecordIrConsultRequest, Referral>("RecordIrConsult", request);

    public Task<Appointment> BookAsync(BookAppointmentRequest request) => CallAsync<BookAppointmentRequest, Appointment>("BookAppointment", request);

    public Task<Appointment> CancelAsync(CancelAppointmentRequest request) => CallAsync<CancelAppointmentRequest, Appointment>("CancelAppointment", request);

    public Task<Readiness> GetReadinessAsync(GetReadinessRequest request) => CallAsync<GetReadinessRequest, Readiness>("GetReadiness", request);

    public Task<Consent> RecordConsentAsync(RecordConsentRequest request) => CallAsync<RecordConsentRequest, Consent>("RecordConsent", request);

    public Task<LabResults> RecordLabsAsync(RecordLabsRequest request) => CallAsync<RecordLabsRequest, LabResults>("RecordLabs", request);

    public Task<AnticoagulantPlan> PlanAnticoagulationAsync(PlanAnticoagulationRequest request) => CallAsync<PlanAnticoagulationRequest, AnticoagulantPlan>("PlanAnticoagulation", request);

    public Task<Referral> UpdatePregnancyAsync(UpdatePregnancyStatusRequest request) => CallAsync<UpdatePregnancyStatusRequest, Referral>("UpdatePregnancyStatus", request);

    public Task<Pathway> GetPathwayAsync(string referralId) => CallAsync<GetPathwayRequest, Pathway>("GetPathway", new GetPathwayRequest { ReferralId = referralId });

    public Task<Referral> GetReferralAsync(string referralId) => CallAsync<GetReferralRequest, Referral>("GetReferral", new GetReferralRequest { ReferralId = referralId });

    /// <summary>Publishes an event as another service would, and waits until scheduling consumed it.</summary>
    public async Task PublishAndWaitAsync<T>(T message, Guid? messageId = null)
        where T : class
    {
        var signal = new ConsumeSignal<T>();
        using var handle = Bus.ConnectConsumeObserver(signal);
        await Bus.Publish(message, context => context.MessageId = messageId ?? Guid.NewGuid());
        await signal.WaitAsync();
    }

    /// <summary>Outbox rows of one scheduling event type (short name, e.g. <c>ProcedureScheduled</c>).</summary>
    public async Task<int> OutboxCountAsync(string eventName)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_message WHERE message_type LIKE @type", new { type = $"IrSuite.Contracts.Scheduling.{eventName},%" });
    }

    /// <summary>Outbox rows of one scheduling event type for one referral (the aggregate).</summary>
    public async Task<int> OutboxCountAsync(string eventName, string referralId)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_message WHERE message_type LIKE @type AND aggregate_id = @referralId",
            new { type = $"IrSuite.Contracts.Scheduling.{eventName},%", referralId });
    }

    /// <summary>Rows of a table (state unchanged checks).</summary>
    public async Task<int> CountAsync(string table)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<int>($"SELECT COUNT(*) FROM {table}");
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

}
