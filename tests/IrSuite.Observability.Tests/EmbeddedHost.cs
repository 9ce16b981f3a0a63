using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace IrSuite.Observability.Tests;

/// <summary>The embedded suite host (SQLite in a temp directory, in-memory bus, real time, a 1 s observation minimum) on free ports.</summary>
public sealed class EmbeddedHost : IAsyncDisposable
{
    private readonly string _data;

    private EmbeddedHost(string data, WebApplication app, int grpcPort, int healthPort)
    {
        _data = data;
        App = app;
        GrpcPort = grpcPort;
        HealthPort = healthPort;
        Channel = TestIdentity.Channel($"http://127.0.0.1:{grpcPort}");
    }

    public WebApplication App { get; }

    public int GrpcPort { get; }

    public int HealthPort { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Starts the host; <paramref name="migrate"/> false leaves the databases without their schema (not ready).</summary>
    public static async Task<EmbeddedHost> StartAsync(bool migrate = true)
    {
        var data = Directory.CreateTempSubdirectory("irsuite-obs-").FullName;
        var grpcPort = PeerProcess.FreePort();
        var healthPort = PeerProcess.FreePort();
        var app = SuiteHost.SuiteHost.Build([], builder =>
        {
            builder.Configuration["Grpc:Address"] = $"127.0.0.1:{grpcPort}";
            builder.Configuration["Health:HttpAddress"] = $"127.0.0.1:{healthPort}";
            builder.Configuration["Board:HttpAddress"] = "127.0.0.1:0";
            builder.Configuration["Data:Directory"] = data;
            foreach (var (key, value) in TestIdentity.HostSettings)
            {
                builder.Configuration[key] = value;
            }

            builder.Configuration["SiteProtocol:Observation:Minimum:Value"] = "00:00:01";
            builder.Configuration["SiteProtocol:Anesthesia:ConsultLeadDays:Value"] = "0";
            builder.Configuration["Discharge:SweepInterval"] = "00:00:00.100";
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        if (migrate)
        {
            await app.MigrateAsync(SuiteHost.SuiteHost.Databases);
        }

        await app.StartAsync();
        return new EmbeddedHost(data, app, grpcPort, healthPort);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
