using System.Security.Cryptography.X509Certificates;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.TestSupport;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IrSuite.Security.Tests.Tls;

/// <summary>Server TLS (decision 0012): the suite's port speaks TLS with a certificate of the development CA.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // dev-ca.sh and its file modes are POSIX
public sealed class ServerTlsTests(DevCa ca) : IClassFixture<DevCa>
{
    [Fact]
    public void DevCa_IssuesServiceCertificatesWithBothUsagesAndTheClusterNames_AndKeepsThemOnRerun()
    {
        using var certificate = X509CertificateLoader.LoadCertificateFromFile(ca.Certificate("anesthesia-consultation"));
        var san = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(
            ["localhost", "anesthesia-consultation", "anesthesia-consultation.irsuite.svc.cluster.local"],
            san.EnumerateDnsNames().ToArray());
        Assert.Equal("127.0.0.1", Assert.Single(san.EnumerateIPAddresses()).ToString());
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ca.Key("anesthesia-consultation")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ca.Key("ca")));
        Assert.DoesNotContain("wrote", ca.RerunOutput, StringComparison.Ordinal);
        Assert.Contains("kept  " + ca.Certificate("irctl"), ca.RerunOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallOverTls_TrustingTheDevCa_ReachesTheService()
    {
        await using var suite = await TlsSuite.StartAsync(ca);
        using var channel = suite.TlsChannel(ca.CaFile);

        Assert.Equal(ServingStatus.Serving, (await channel.UnaryAsync(TlsCalls.Check, new())).Status);
        Assert.Equal(StatusCode.NotFound, await TlsCalls.GetPlanStatusAsync(channel));
    }

    [Fact]
    public async Task ClientThatDoesNotTrustTheDevCa_IsRefusedAtTheHandshake()
    {
        await using var suite = await TlsSuite.StartAsync(ca);
        using var otherCa = suite.TlsChannel(ca.OtherCaFile);
        using var systemStore = suite.TlsChannel(caFile: null);

        Assert.Equal(StatusCode.Unavailable, await TlsCalls.GetPlanStatusAsync(otherCa));
        Assert.Equal(StatusCode.Unavailable, await TlsCalls.GetPlanStatusAsync(systemStore));
    }

    [Fact]
    public async Task PlainTextClient_GetsNoAnswerFromTheTlsPort()
    {
        await using var suite = await TlsSuite.StartAsync(ca);
        using var plain = TestIdentity.Channel($"http://127.0.0.1:{suite.Port}");

        var error = await Assert.ThrowsAsync<RpcException>(() => plain.UnaryAsync(TlsCalls.Check, new()));
        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }

    [Fact]
    public async Task PeerCalls_OfTheSuite_GoOverTlsWithTheServiceToken()
    {
        // The suite addresses its peers (itself) at https:// once Grpc:Tls is set; ServiceChannels trusts Services:Tls:CaFile.
        await using var suite = await TlsSuite.StartAsync(ca, new Dictionary<string, string?> { ["Services:Tls:CaFile"] = ca.CaFile });
        var channels = (ServiceDefaults.Hosting.ServiceChannels)suite.Services.GetService(typeof(ServiceDefaults.Hosting.ServiceChannels))!;
        var peer = channels.Get("anesthesia-consultation");

        Assert.Equal(new Uri(suite.Address), peer.Address);
        Assert.Equal(StatusCode.NotFound, await TlsCalls.GetPlanStatusAsync(peer));
    }

    [Fact]
    public async Task PythonGrpcio_OverTlsWithTheDevCa_GetsAnAnswer()
    {
        await using var suite = await TlsSuite.StartAsync(ca);

        var (exitCode, output) = await PeerProcess.RunAsync(
            PeerProcess.Python, TimeSpan.FromSeconds(60), "-c", PythonClient.Script, $"127.0.0.1:{suite.Port}", ca.CaFile, TestIdentity.Token(), "", "");

        Assert.True(exitCode == 0, output);
        Assert.Contains("health 0801", output, StringComparison.Ordinal);
        Assert.Contains("getplan NOT_FOUND", output, StringComparison.Ordinal);
    }
}
