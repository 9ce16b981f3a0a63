using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.TestSupport;

/// <summary>
/// The embedded suite host (four services, SQLite in a temp directory, in-memory bus) in the test process on a free
/// loopback port, trusting the test token issuer (<see cref="TestIdentity.HostSettings"/>), Warning-level logs. An
/// injected clock replaces the system one; <c>configure</c> adds settings, log providers or observers (it runs last,
/// so it can override anything). Disposal stops the host and deletes its data.
/// </summary>
public sealed class InProcessSuite : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lazy<GrpcChannel> _channel;

    private InProcessSuite(string data, WebApplication app, int port, bool tls)
    {
        DataDirectory = data;
        _app = app;
        Port = port;
        Address = $"{(tls ? "https" : "http")}://127.0.0.1:{port}";
        _channel = new Lazy<GrpcChannel>(() => TestIdentity.Channel(Address));
    }

    public int Port { get; }

    /// <summary>http://127.0.0.1:port, or https:// when started with TLS (the development certificates name IP 127.0.0.1).</summary>
    public string Address { get; }

    /// <summary>A channel presenting the care team's token (subject <see cref="TestIdentity.DefaultSubject"/>).</summary>
    public GrpcChannel Channel => _channel.Value;

    public IServiceProvider Services => _app.Services;

    public string DataDirectory { get; }

    /// <summary>Builds, migrates and starts the suite; <paramref name="tls"/> when <paramref name="configure"/> sets a server certificate.</summary>
    public static async Task<InProcessSuite> StartAsync(TimeProvider? time = null, Action<WebApplicationBuilder>? configure = null, bool tls = false)
    {
        var data = Directory.CreateTempSubdirectory("irsuite-suite-").FullName;
        var port = PeerProcess.FreePort();
        var app = SuiteHost.SuiteHost.Build([], builder =>
        {
            builder.Configuration["Grpc:Address"] = $"127.0.0.1:{port}";
            builder.Configuration["Health:HttpAddress"] = "127.0.0.1:0";
            builder.Configuration["Board:HttpAddress"] = "127.0.0.1:0";
            builder.Configuration["Data:Directory"] = data;
            foreach (var (key, value) in TestIdentity.HostSettings)
            {
                builder.Configuration[key] = value;
            }

            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }

            configure?.Invoke(builder);
        });
        await app.MigrateAsync(SuiteHost.SuiteHost.Databases);
        await app.StartAsync();
        return new InProcessSuite(data, app, port, tls);
    }

    /// <summary>A channel to the suite presenting a token for <paramref name="subject"/> with <paramref name="roles"/>.</summary>
    public GrpcChannel ChannelAs(string subject, params string[] roles) => TestIdentity.Channel(Address, subject, roles);

    /// <summary>A channel presenting no token at all.</summary>
    public GrpcChannel AnonymousChannel() => GrpcChannel.ForAddress(Address);

    /// <summary>
    /// A channel presenting the care team's token that trusts <paramref name="caFile"/> (null: the system store) and
    /// presents the given client certificate (null: none).
    /// </summary>
    public GrpcChannel TlsChannel(string? caFile, string? clientCertificate = null, string? clientKey = null)
    {
        var options = TestIdentity.ChannelOptions();
        options.ConfigureHandler = ServiceDefaults.Security.Tls.ClientHandler(caFile, clientCertificate, clientKey);
        return GrpcChannel.ForAddress(Address, options);
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel.IsValueCreated)
        {
            _channel.Value.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
