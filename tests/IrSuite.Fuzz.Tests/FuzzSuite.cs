using System.Collections.Concurrent;
using Google.Protobuf.Reflection;
using IrSuite.Grpc.Server;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IrSuite.Fuzz.Tests;

/// <summary>
/// The embedded suite in-process on a free port (temp data dir, manual clock), every Error-level log captured,
/// and a raw HTTP/2 client. One per test class.
/// </summary>
public sealed class FuzzSuite : IAsyncLifetime
{
    private InProcessSuite _suite = null!;

    public ManualTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public ErrorLogCollector Errors { get; } = new();

    public RawGrpcClient Client { get; private set; } = null!;

    public IrSuite.Grpc.Client.GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Every method of every ir.* service the host serves (from the registered descriptors).</summary>
    public IReadOnlyList<MethodDescriptor> Methods { get; private set; } = [];

    public IReadOnlyList<string> ServiceNames { get; private set; } = [];

    public bool HostStopping => _suite.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested;

    public async Task InitializeAsync()
    {
        _suite = await InProcessSuite.StartAsync(Time, builder =>
        {
            // Information logs to the console would cost more than the calls themselves; errors are what is judged.
            builder.Configuration["Logging:LogLevel:Default"] = "Warning";
            builder.Logging.AddProvider(Errors);
        });
        var registry = _suite.Services.GetRequiredService<GrpcServiceRegistry>();
        var services = registry.Registrations.Select(r => r.Descriptor).Where(d => d.FullName.StartsWith("ir.", StringComparison.Ordinal)).ToList();
        ServiceNames = services.Select(s => s.FullName).ToList();
        Methods = services.SelectMany(s => s.Methods).ToList();
        // The care team and the auditor: every ir.* RPC lets this caller past the role matrix, so mutated requests reach
        // the handlers' validation (the matrix itself is RoleMatrixTests' to prove).
        Client = new RawGrpcClient(new Uri(_suite.Address), "Bearer " + TestIdentity.Token(TestIdentity.DefaultSubject, [.. TestIdentity.CareTeam, Roles.Auditor, Roles.OrSystem]));
        Channel = _suite.Channel;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _suite.DisposeAsync();
    }

    /// <summary>
    /// Real ids for the fuzzer to aim at, so mutated requests reach past NOT_FOUND into the gates: one patient walked
    /// to discharge, one booked for the procedure, one prepared (referral, consult, clearance, consent, labs).
    /// </summary>
    public async Task<IReadOnlyList<string>> SeedPathwaysAsync()
    {
        var walker = ManualClockWalker.Create(Channel, Time);
        var walked = await walker.WalkAsync(1, ["L1"]);
        var booked = await walker.ScheduleProcedureAsync(2, ["T12", "L2"]);
        var prepared = await walker.PrepareAsync(3, new PatientProfile { Levels = ["L4"] });
        return [walked.Pathway.Referral.ReferralId, booked, prepared.Referral.ReferralId];
    }
}

/// <summary>Keeps every log entry at Error or above, from any category (the services, the runtime, Kestrel, MassTransit).</summary>
public sealed class ErrorLogCollector : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Collector(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Collector(ErrorLogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner._entries.Enqueue($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {exception?.GetType().Name}: {exception?.Message}");
            }
        }
    }
}
