using System.Net;
using System.Security.Cryptography.X509Certificates;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Testing.V1;
using IrSuite.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.Grpc.Tests.Infrastructure;

/// <summary>A real Kestrel server on a free loopback port (HTTP/2, h2c or TLS) serving the probe service.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri address, ProbeState state)
    {
        _app = app;
        Address = address;
        State = state;
    }

    public Uri Address { get; }

    public ProbeState State { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TestServer> StartAsync(
        Action<GrpcServerBuilder>? configureGrpc = null,
        Action<IServiceCollection>? configureServices = null,
        X509Certificate2? certificate = null,
        Action<WebApplication>? configureApp = null,
        ILoggerProvider? logger = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logger is not null)
        {
            builder.Logging.AddProvider(logger);
            builder.Logging.CaptureFrom(LogLevel.Debug);
        }

        builder.WebHost.ConfigureKestrel(k => k.ListenGrpc(new IPEndPoint(IPAddress.Loopback, 0), certificate));
        var state = new ProbeState();
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton<ProbeService>();
        configureServices?.Invoke(builder.Services);
        var grpc = builder.Services.AddGrpcServer().AddService<ProbeService>(ProbeReflection.Descriptor.Services[0]);
        configureGrpc?.Invoke(grpc);
        var app = builder.Build();
        configureApp?.Invoke(app);
        app.UseGrpcServer();
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var address = new Uri($"{(certificate is null ? "http" : "https")}://127.0.0.1:{bound.Port}");
        return new TestServer(app, address, state);
    }

    public GrpcChannel CreateChannel(GrpcChannelOptions? options = null) => GrpcChannel.ForAddress(Address, options);

    /// <summary>An HttpClient speaking HTTP/2 prior knowledge, for hand-crafted requests.</summary>
    public HttpClient CreateRawClient() => new(new SocketsHttpHandler())
    {
        BaseAddress = Address,
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
