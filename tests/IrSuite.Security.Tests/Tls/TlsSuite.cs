using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.Security.Tests.Tls;

/// <summary>
/// The embedded suite serving gRPC over TLS with the development CA's <c>suite</c> certificate on a free loopback port
/// (SQLite in a temp directory, trusting the test token issuer); <paramref name="settings"/> adds configuration
/// (mutual TLS, peer TLS).
/// </summary>
public sealed class TlsSuite : IAsyncDisposable
{
    private readonly string _data;
    private readonly WebApplication _app;

    private TlsSuite(string data, WebApplication app, int port)
    {
        _data = data;
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>https://127.0.0.1:port (the certificate names IP 127.0.0.1).</summary>
    public string Address => $"https://127.0.0.1:{Port}";

    public IServiceProvider Services => _app.Services;

    public static async Task<TlsSuite> StartAsync(DevCa ca, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var data = Directory.CreateTempSubdirectory("irsuite-tls-").FullName;
        var port = PeerProcess.FreePort();
        var app = SuiteHost.SuiteHost.Build([], builder =>
        {
            builder.Configuration["Grpc:Address"] = $"127.0.0.1:{port}";
            builder.Configuration["Health:HttpAddress"] = "127.0.0.1:0";
            builder.Configuration["Data:Directory"] = data;
            builder.Configuration["Grpc:Tls:CertificateFile"] = ca.Certificate("suite");
            builder.Configuration["Grpc:Tls:KeyFile"] = ca.Key("suite");
            foreach (var (key, value) in TestIdentity.HostSettings.Concat(settings ?? new Dictionary<string, string?>()))
            {
                builder.Configuration[key] = value;
            }

            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.MigrateAsync(SuiteHost.SuiteHost.Databases);
        await app.StartAsync();
        return new TlsSuite(data, app, port);
    }

    /// <summary>
    /// A channel presenting the care team's token that trusts <paramref name="caFile"/> (null: the system store) and
    /// presents the given client certificate (null: none).
    /// </summary>
    public GrpcChannel Channel(string? caFile, string? clientCertificate = null, string? clientKey = null)
    {
        var options = TestIdentity.ChannelOptions();
        options.ConfigureHandler = ServiceDefaults.Security.Tls.ClientHandler(caFile, clientCertificate, clientKey);
        return GrpcChannel.ForAddress(Address, options);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
