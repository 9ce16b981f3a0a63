using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Dapper;
using IrSuite.Contracts.Procedure;
using IrSuite.Discharge.Data;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using IrSuite.TestSupport;

namespace IrSuite.Discharge.Tests.Infrastructure;

/// <summary>
/// The discharge service started in-process exactly as its Program.cs does, on a free loopback port, with a SQLite
/// file, the in-memory bus, a manual clock, and a fake procedure-record served by the same host.
/// </summary>
public sealed class DischargeHost : IAsyncDisposable
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Descriptor = DischargeReflection.Descriptor.Services[0];

    private readonly WebApplication _app;

    private DischargeHost(WebApplication app, Uri address, ErrorLog errors)
    {
        _app = app;
        Errors = errors;
        Channel = TestIdentity.Channel(address);
        ProcedureCompletions = new ConsumeSignal<ProcedureCompleted>();
        Bus.ConnectConsumeObserver(ProcedureCompletions);
    }

    public IServiceProvider Services => _app.Services;

    public GrpcChannel Channel { get; }

    public FakeProcedureCases ProcedureRecord => Services.GetRequiredService<FakeProcedureCases>();

    public PublishedEvents Events => Services.GetRequiredService<PublishedEvents>();

    public ConsumeSignal<ProcedureCompleted> ProcedureCompletions { get; }

    public IBus Bus => Services.GetRequiredService<IBus>();

    public DueTimeSweeper<DischargeDatabase> Sweeper => Services.GetRequiredService<DueTimeSweeper<DischargeDatabase>>();

    public DischargeDatabase Database => Services.GetRequiredService<DischargeDatabase>();

    /// <summary>Error-level log entries written by the service (a test fails if any appear unexpectedly).</summary>
    public ErrorLog Errors { get; }

    /// <param name="directory">Where the SQLite file lives (reuse it to simulate a restart).</param>
    /// <param name="settings">Extra configuration, e.g. <c>SiteProtocol:Observation:Minimum:Value</c>.</param>
    /// <param name="procedureRecordReachable">False points procedure-record at a port nobody listens on.</param>
    public static async Task<DischargeHost> StartAsync(
        ManualTimeProvider clock, string directory, IReadOnlyDictionary<string, string?>? settings = null, bool procedureRecordReachable = true)
    {
        var (builder, _, errors) = ComponentHostBuilder.Create(clock, new Dictionary<string, string?>
        {
            ["Databases:discharge:ConnectionString"] = Path.Combine(directory, "discharge.db"),
            ["Services:procedure-record:Address"] = procedureRecordReachable ? "http://127.0.0.1:{port}" : $"http://127.0.0.1:{PeerProcess.FreePort()}",
            // The background sweeper waits a day of manual time between sweeps, so tests sweep explicitly and deterministically.
            ["Discharge:SweepInterval"] = "1.00:00:00",
        }, settings);
        builder.Services.AddSingleton<FakeProcedureCases>();
        builder.Services.AddSingleton<PublishedEvents>();

        builder.AddIrSuiteHost(DischargeModule.DefaultPort)
            .AddDischarge(builder.Configuration)
            .AddService<FakeProcedureRecord>(ProcedureReflection.Descriptor.Services[0]);
        builder.Services.AddIrSuiteBus(builder.Configuration, bus =>
        {
            DischargeModule.AddConsumers(bus);
            bus.AddConsumer<RecordingConsumer>();
        });

        var app = builder.Build();
        app.UseGrpcServer();
        await app.MigrateAsync(DischargeModule.Database);
        var parked = clock.PendingTimers;
        await app.StartAsync();
        // The hosted sweeper sweeps once at start-up, then parks in a delay on the manual clock: wait for that, so
        // the sweeps a test runs itself never race with it (it is the only user of the manual clock's timers).
        await clock.WaitForPendingTimersAsync(parked + 1);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new DischargeHost(app, new Uri($"http://127.0.0.1:{bound.Port}"), errors);
    }

    /// <summary>Calls the service as the channel's caller, or as the identity in <paramref name="headers"/> (TestIdentity.As).</summary>
    public Task<TResponse> CallAsync<TRequest, TResponse>(string method, TRequest request, Metadata? headers = null)
        where TRequest : class, Google.Protobuf.IMessage<TRequest>
        where TResponse : class, Google.Protobuf.IMessage<TResponse> =>
        Channel.UnaryAsync(Method<TRequest, TResponse>.Create(Descriptor, method), request, new CallOptions(headers).WithTimeout(TimeSpan.FromSeconds(30)));

    public Task<ObservationStatus> RecordObservationAsync(RecordObservationRequest request) =>
        CallAsync<RecordObservationRequest, ObservationStatus>("RecordObservation", request);

    public Task<ObservationStatus> GetStatusAsync(Guid referralId) =>
        CallAsync<GetObservationStatusRequest, ObservationStatus>("GetObservationStatus", new GetObservationStatusRequest { ReferralId = referralId.ToString() });

    public Task<DischargeSummary> DischargeAsync(DischargePatientRequest request, Metadata? headers = null) =>
        CallAsync<DischargePatientRequest, DischargeSummary>("DischargePatient", request, headers);

    public Task<ListObservationsResponse> ListObservationsAsync() =>
        CallAsync<ListObservationsRequest, ListObservationsResponse>("ListObservations", new ListObservationsRequest());

    public Task<ObservationStatus> ResolveEscalationAsync(ResolveEscalationRequest request, Metadata? headers = null) =>
        CallAsync<ResolveEscalationRequest, ObservationStatus>("ResolveEscalation", request, headers);

    public Task<DischargeSummaryDocument> GetDocumentAsync(Guid referralId) =>
        CallAsync<GetDischargeSummaryDocumentRequest, DischargeSummaryDocument>(
            "GetDischargeSummaryDocument", new GetDischargeSummaryDocumentRequest { ReferralId = referralId.ToString() });

    /// <summary>Outbox rows of a full type name prefix (e.g. <c>IrSuite.Contracts.Clinical.EscalationRaised</c>).</summary>
    public async Task<int> OutboxCountOfAsync(string fullTypeName)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_message WHERE message_type LIKE @type", new { type = $"{fullTypeName},%" });
    }

    public Task<DischargeSummary> GetSummaryAsync(Guid referralId) =>
        CallAsync<GetDischargeSummaryRequest, DischargeSummary>("GetDischargeSummary", new GetDischargeSummaryRequest { ReferralId = referralId.ToString() });

    /// <summary>Publishes a completion as procedure-record would and waits until the discharge service consumed it.</summary>
    public async Task CompleteProcedureAsync(ProcedureCompleted completed, Guid? messageId = null)
    {
        await Bus.Publish(completed, context => context.MessageId = messageId ?? Guid.NewGuid());
        await ProcedureCompletions.WaitAsync();
    }

    /// <summary>Outbox rows of one event type (short name, e.g. <c>PatientDischarged</c>).</summary>
    public async Task<int> OutboxCountAsync(string eventName)
    {
        await using var connection = await Database.OpenAsync();
        return await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM outbox_message WHERE message_type LIKE @type", new { type = $"IrSuite.Contracts.Discharge.{eventName},%" });
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

}
