using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.TestSupport;

/// <summary>
/// The common start of a service's in-process component-test host: a slim web application on a free loopback port,
/// the test's settings, trust in the test token issuer, the manual clock, and an Error-level log tripwire instead of the usual log providers.
/// </summary>
public static class ComponentHostBuilder
{
    public static (WebApplicationBuilder Builder, int Port, ErrorLog Errors) Create(
        TimeProvider clock, IReadOnlyDictionary<string, string?> baseSettings, IReadOnlyDictionary<string, string?>? settings)
    {
        var port = PeerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["Grpc:Address"] = $"127.0.0.1:{port}";
        builder.Configuration["Health:HttpAddress"] = "127.0.0.1:0"; // any free port, not the gRPC port + 100
        builder.Configuration["Board:HttpAddress"] = "127.0.0.1:0"; // the department board page (scheduling): any free port
        foreach (var (key, value) in TestIdentity.HostSettings)
        {
            builder.Configuration[key] = value;
        }

        // "{port}" in a base setting stands for this host's own port (a peer service faked in the same host).
        foreach (var (key, value) in baseSettings)
        {
            builder.Configuration[key] = value?.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.Configuration[key] = value;
        }

        var errors = new ErrorLog();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(errors);
        builder.Services.AddSingleton(clock);
        return (builder, port, errors);
    }
}
