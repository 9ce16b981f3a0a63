using System.Net;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Observability;
using Microsoft.Extensions.Configuration;

namespace IrSuite.Observability.Tests;

/// <summary>The HTTP/1.1 probes on their own port, with a real HttpClient against a real host.</summary>
public sealed class HealthHttpTests
{
    [Fact]
    public async Task Probes_BeforeAndAfterMigrations_LiveAlwaysReadyOnlyWhenMigrated()
    {
        await using var host = await EmbeddedHost.StartAsync(migrate: false);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.HealthPort}") };

        var live = await http.GetAsync("/healthz/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(new Version(1, 1), live.Version);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());

        // Databases reachable but not migrated: not ready, and the body names no check and no reason.
        var notReady = await http.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal("Unhealthy", await notReady.Content.ReadAsStringAsync());

        await host.App.MigrateAsync(SuiteHost.SuiteHost.Databases);
        var ready = await http.GetAsync("/healthz/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ports_EachServesOnlyItsOwn_ProbesNotOnGrpcPortAndGrpcNotOnProbePort()
    {
        await using var host = await EmbeddedHost.StartAsync();
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{host.HealthPort}/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{host.HealthPort}/healthz")).StatusCode);
        using var grpcOnProbePort = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{host.HealthPort}/grpc.health.v1.Health/Check")
        {
            Content = new ByteArrayContent(new byte[5]) { Headers = { { "Content-Type", "application/grpc" } } },
        };
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(grpcOnProbePort)).StatusCode);

        // The gRPC port speaks HTTP/2 only and has no probe paths.
        using var probeOnGrpcPort = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{host.GrpcPort}/healthz/ready")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(probeOnGrpcPort)).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1:5103", null, "127.0.0.1:5203")]
    [InlineData("127.0.0.1:5100", null, "127.0.0.1:5200")]
    [InlineData("0.0.0.0:8080", "0.0.0.0:8081", "0.0.0.0:8081")]
    public void Address_DefaultIsGrpcPortPlus100_ConfiguredWins(string grpc, string? configured, string expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [HealthHttpEndpoint.AddressKey] = configured })
            .Build();
        Assert.Equal(IPEndPoint.Parse(expected), HealthHttpEndpoint.Resolve(configuration, IPEndPoint.Parse(grpc)).Endpoint);
    }
}
