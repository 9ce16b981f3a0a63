using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace IrSuite.ServiceDefaults.Observability;

/// <summary>
/// Plain HTTP/1.1 health probes on their own port (<c>Health:HttpAddress</c>; default the gRPC host and port + 100):
/// <c>/healthz/live</c> answers 200 while the process serves, <c>/healthz/ready</c> 200 while the checks tagged
/// "ready" pass (each database reachable and migrated, the broker connected: the same checks as grpc.health.v1's
/// readiness) and 503 otherwise or once the host is stopping. The body is only <c>Healthy</c> or <c>Unhealthy</c>: no
/// check names or exception text reach a caller. Nothing else is served on that port (404), and these paths are not
/// served on the gRPC port.
/// </summary>
public sealed class HealthHttpEndpoint
{
    public const string AddressKey = "Health:HttpAddress";
    public const string LivePath = "/healthz/live";
    public const string ReadyPath = "/healthz/ready";

    private HealthHttpEndpoint(IPEndPoint endpoint) => Endpoint = endpoint;

    /// <summary>Where the probes listen (a configured port 0 is resolved to a free port at start-up, so this is the real one).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The endpoint from configuration, or the gRPC endpoint's host with its port + 100 (port 0 stays 0: any free port).</summary>
    public static HealthHttpEndpoint Resolve(IConfiguration configuration, IPEndPoint grpc)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(grpc);
        var endpoint = configuration[AddressKey] is { Length: > 0 } configured
            ? IPEndPoint.Parse(configured)
            : new IPEndPoint(grpc.Address, grpc.Port == 0 ? 0 : grpc.Port + 100);
        if (endpoint.Port == 0)
        {
            // The middleware tells the probe port by number, so it must be known before Kestrel binds.
            using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(endpoint.Address, 0));
            endpoint = new IPEndPoint(endpoint.Address, ((IPEndPoint)probe.LocalEndPoint!).Port);
        }

        return new HealthHttpEndpoint(endpoint);
    }

    internal void Listen(KestrelServerOptions kestrel) =>
        kestrel.Listen(Endpoint, listen => listen.Protocols = HttpProtocols.Http1);

    /// <summary>Puts the probe handler in front of the host's own pipeline (before the gRPC middleware).</summary>
    internal sealed class StartupFilter(HealthHttpEndpoint endpoint) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var checks = app.ApplicationServices.GetRequiredService<HealthCheckService>();
            var lifetime = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>();
            var port = endpoint.Endpoint.Port;
            app.Use((http, nextMiddleware) => http.Connection.LocalPort == port
                ? AnswerAsync(http, checks, lifetime)
                : nextMiddleware(http));
            next(app);
        };

        private static async Task AnswerAsync(HttpContext http, HealthCheckService checks, IHostApplicationLifetime lifetime)
        {
            var request = http.Request;
            var response = http.Response;
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            bool healthy;
            if (request.Path.Equals(LivePath, StringComparison.Ordinal))
            {
                healthy = true;
            }
            else if (request.Path.Equals(ReadyPath, StringComparison.Ordinal))
            {
                healthy = !lifetime.ApplicationStopping.IsCancellationRequested
                    && (await checks.CheckHealthAsync(r => r.Tags.Contains("ready"), http.RequestAborted)).Status != HealthStatus.Unhealthy;
            }
            else
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            response.StatusCode = healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
            response.ContentType = "text/plain; charset=utf-8";
            response.Headers.CacheControl = "no-store";
            await response.WriteAsync(healthy ? "Healthy" : "Unhealthy", http.RequestAborted);
        }
    }
}
