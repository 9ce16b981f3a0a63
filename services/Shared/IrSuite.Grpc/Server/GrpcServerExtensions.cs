using System.Net;
using System.Security.Cryptography.X509Certificates;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using IrSuite.Grpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IrSuite.Grpc;

/// <summary>Wires the gRPC server into an ASP.NET Core host.</summary>
public static class GrpcServerExtensions
{
    /// <summary>Adds the gRPC server runtime; chain <see cref="GrpcServerBuilder.AddService{TService}"/> for each service.</summary>
    public static GrpcServerBuilder AddGrpcServer(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        var registry = services.FirstOrDefault(d => d.ServiceType == typeof(GrpcServiceRegistry))?.ImplementationInstance as GrpcServiceRegistry;
        if (registry is null)
        {
            registry = new GrpcServiceRegistry();
            services.AddSingleton(registry);
            services.AddOptions<GrpcServerOptions>();
            services.TryAddSingleton<ServerRuntime>();
        }

        if (configure is not null)
        {
            services.Configure(configure);
        }

        return new GrpcServerBuilder(services, registry);
    }

    /// <summary>Serves the registered gRPC services; place it before any other request handling.</summary>
    public static IApplicationBuilder UseGrpcServer(this IApplicationBuilder app) => app.UseMiddleware<GrpcServerMiddleware>();

    /// <summary>
    /// Listens for gRPC on an endpoint: HTTP/2 only, h2c without a certificate, TLS (ALPN h2) with one.
    /// Raises the HTTP/2 flow-control windows and stream limit for large messages and many parallel calls.
    /// </summary>
    public static void ListenGrpc(this KestrelServerOptions kestrel, IPEndPoint endpoint, X509Certificate2? certificate = null) =>
        kestrel.ListenGrpc(endpoint, certificate is null ? null : https => https.ServerCertificate = certificate);

    /// <summary>
    /// The same with full https settings (server certificate, client certificates for mutual TLS); h2c when
    /// <paramref name="https"/> is null.
    /// </summary>
    public static void ListenGrpc(this KestrelServerOptions kestrel, IPEndPoint endpoint, Action<HttpsConnectionAdapterOptions>? https)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        kestrel.AddServerHeader = false;
        kestrel.Limits.Http2.MaxStreamsPerConnection = 256;
        kestrel.Limits.Http2.InitialConnectionWindowSize = 4 * 1024 * 1024;
        kestrel.Limits.Http2.InitialStreamWindowSize = 2 * 1024 * 1024;
        // gRPC metadata is ASCII, but one non-ASCII header byte would make Kestrel close the whole HTTP/2 connection
        // (PROTOCOL_ERROR) and fail every call multiplexed on it: read such bytes as Latin-1 and let the runtime
        // answer just that call with a gRPC status.
        kestrel.RequestHeaderEncodingSelector = _ => System.Text.Encoding.Latin1;
        kestrel.Listen(endpoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (https is not null)
            {
                var options = new HttpsConnectionAdapterOptions();
                https(options);
                listen.UseHttps(options);
            }
        });
    }
}

/// <summary>Registers services with the gRPC server.</summary>
public sealed class GrpcServerBuilder(IServiceCollection services, GrpcServiceRegistry registry)
{
    public IServiceCollection Services => services;

    /// <summary>
    /// Serves <typeparamref name="TService"/> under a protobuf service descriptor (e.g.
    /// <c>TestReflection.Descriptor.Services[0]</c>). The class is created per call (scoped) unless it was
    /// registered beforehand with another lifetime.
    /// </summary>
    public GrpcServerBuilder AddService<TService>(ServiceDescriptor descriptor)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(TService));
        if (existing is null)
        {
            services.AddScoped<TService>();
        }

        registry.Add(new ServiceRegistration(descriptor, typeof(TService), existing?.Lifetime ?? ServiceLifetime.Scoped));
        return this;
    }

    /// <summary>Adds an interceptor (resolved once, as a singleton) inside the built-in telemetry one.</summary>
    public GrpcServerBuilder AddInterceptor<TInterceptor>()
        where TInterceptor : class, IServerInterceptor
    {
        services.TryAddSingleton<TInterceptor>();
        services.Configure<GrpcServerOptions>(o => o.Interceptors.Add(typeof(TInterceptor)));
        return this;
    }
}
