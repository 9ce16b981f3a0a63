using IrSuite.Grpc;
using IrSuite.TestSupport;

namespace IrSuite.Security.Tests.Tls;

/// <summary>Mutual TLS (<c>Grpc:Tls:ClientCertificates=Require</c>): only clients with a certificate of the client CA get in.</summary>
public sealed class MutualTlsTests(DevCa ca) : IClassFixture<DevCa>
{
    private Dictionary<string, string?> Require => new()
    {
        ["Grpc:Tls:ClientCertificates"] = "Require",
        ["Grpc:Tls:ClientCaFile"] = ca.CaFile,
    };

    [Fact]
    public async Task ClientWithTheDevCaClientCertificate_ReachesTheService()
    {
        await using var suite = await TlsSuite.StartAsync(ca, Require);
        using var irctl = suite.TlsChannel(ca.CaFile, ca.Certificate("irctl"), ca.Key("irctl"));
        using var service = suite.TlsChannel(ca.CaFile, ca.Certificate("scheduling"), ca.Key("scheduling"));

        Assert.Equal(StatusCode.NotFound, await TlsCalls.GetPlanStatusAsync(irctl));
        Assert.Equal(StatusCode.NotFound, await TlsCalls.GetPlanStatusAsync(service));
    }

    [Fact]
    public async Task ClientWithoutCertificate_OrWithOneOfAnotherCa_IsRefused()
    {
        await using var suite = await TlsSuite.StartAsync(ca, Require);
        using var none = suite.TlsChannel(ca.CaFile);
        using var other = suite.TlsChannel(ca.CaFile, ca.OtherCertificate("irctl"), ca.OtherKey("irctl"));

        Assert.Equal(StatusCode.Unavailable, await TlsCalls.GetPlanStatusAsync(none));
        Assert.Equal(StatusCode.Unavailable, await TlsCalls.GetPlanStatusAsync(other));
    }

    [Fact]
    public async Task PeerCalls_PresentTheServiceClientCertificate()
    {
        var settings = Require;
        settings["Services:Tls:CaFile"] = ca.CaFile;
        settings["Services:Tls:ClientCertificateFile"] = ca.Certificate("suite");
        settings["Services:Tls:ClientKeyFile"] = ca.Key("suite");
        await using var suite = await TlsSuite.StartAsync(ca, settings);
        var channels = (ServiceDefaults.Hosting.ServiceChannels)suite.Services.GetService(typeof(ServiceDefaults.Hosting.ServiceChannels))!;

        Assert.Equal(StatusCode.NotFound, await TlsCalls.GetPlanStatusAsync(channels.Get("anesthesia-consultation")));
    }

    [Fact]
    public async Task PythonGrpcio_WithAndWithoutAClientCertificate()
    {
        await using var suite = await TlsSuite.StartAsync(ca, Require);
        var target = $"127.0.0.1:{suite.Port}";

        var (withCode, withCertificate) = await PeerProcess.RunAsync(
            PeerProcess.Python, TimeSpan.FromSeconds(60), "-c", PythonClient.Script, target, ca.CaFile, TestIdentity.Token(), ca.Certificate("irctl"), ca.Key("irctl"));
        var (withoutCode, without) = await PeerProcess.RunAsync(
            PeerProcess.Python, TimeSpan.FromSeconds(60), "-c", PythonClient.Script, target, ca.CaFile, TestIdentity.Token(), "", "");

        Assert.True(withCode == 0, withCertificate);
        Assert.Contains("getplan NOT_FOUND", withCertificate, StringComparison.Ordinal);
        Assert.True(withoutCode == 0, without);
        Assert.Contains("getplan UNAVAILABLE", without, StringComparison.Ordinal);
    }
}
