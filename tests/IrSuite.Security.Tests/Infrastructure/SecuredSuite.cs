using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.Security.Tests.Infrastructure;

/// <summary>
/// The embedded suite (four services, SQLite in a temp directory, in-memory bus) on a free loopback port, trusting the
/// test token issuer, with an injected clock. <paramref name="configure"/> adds settings, log providers or observers.
/// </summary>
public sealed class SecuredSuite : IAsyncDisposable
{
    private readonly string _data;
    private readonly WebApplication _app;

    private SecuredSuite(string data, WebApplication app, string address)
    {
        _data = data;
        _app = app;
        Address = address;
        Channel = TestIdentity.Channel(address);
    }

    /// <summary>http://127.0.0.1:port</summary>
    public string Address { get; }

    /// <summary>A channel presenting the care team's token (subject test-clinician).</summary>
    public GrpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    public string DataDirectory => _data;

    public static async Task<SecuredSuite> StartAsync(TimeProvider time, Action<WebApplicationBuilder>? configure = null)
    {
        var data = Directory.CreateTempSubdirectory("irsuite-sec-").FullName;
        var port = PeerProcess.FreePort();
        var app = SuiteHost.SuiteHost.Build([], builder =>
        {
            builder.Configuration["Grpc:Address"] = $"127.0.0.1:{port}";
            builder.Configuration["Health:HttpAddress"] = "127.0.0.1:0";
            builder.Configuration["Data:Directory"] = data;
            foreach (var (key, value) in TestIdentity.HostSettings)
            {
                builder.Configuration[key] = value;
            }

            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Services.AddSingleton(time);
            configure?.Invoke(builder);
        });
        await app.MigrateAsync(SuiteHost.SuiteHost.Databases);
        await app.StartAsync();
        return new SecuredSuite(data, app, $"http://127.0.0.1:{port}");
    }

    /// <summary>A channel to the suite presenting a token for <paramref name="subject"/> with <paramref name="roles"/>.</summary>
    public GrpcChannel ChannelAs(string subject, params string[] roles) => TestIdentity.Channel(Address, subject, roles);

    /// <summary>A channel presenting no token at all.</summary>
    public GrpcChannel AnonymousChannel() => GrpcChannel.ForAddress(Address);

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
