using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.EndToEnd.Tests;

/// <summary>The embedded suite (all four services, SQLite in a temp directory, in-memory bus) on a free port with an injected clock; it trusts the test token issuer and <see cref="Channel"/> presents the care team's token.</summary>
public sealed class EmbeddedSuite : IAsyncDisposable
{
    private readonly string _data;
    private readonly WebApplication _app;

    private EmbeddedSuite(string data, WebApplication app, GrpcChannel channel)
    {
        _data = data;
        _app = app;
        Channel = channel;
    }

    public GrpcChannel Channel { get; }

    public static async Task<EmbeddedSuite> StartAsync(TimeProvider time)
    {
        var data = Directory.CreateTempSubdirectory("irsuite-e2e-").FullName;
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
        });
        await app.MigrateAsync(SuiteHost.SuiteHost.Databases);
        await app.StartAsync();
        return new EmbeddedSuite(data, app, TestIdentity.Channel($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
