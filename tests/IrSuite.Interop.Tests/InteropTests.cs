using System.Security.Cryptography.X509Certificates;
using IrSuite.Grpc.Client;

using IrSuite.TestSupport;

namespace IrSuite.Interop.Tests;

/// <summary>
/// Every interop case of grpc-protocol.md section 5.4 that needs no credentials, proxy, xDS or ORCA,
/// in both directions: python3-grpcio client against our server, our client against the python server.
/// </summary>
public sealed class InteropTests(InteropPeers peers) : IClassFixture<InteropPeers>
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(90);

    public static TheoryData<string> Cases => new(InteropClient.AllCases);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PythonClient_AgainstOurServer(string testCase)
    {
        var (exitCode, output) = await RunPythonClientAsync(peers.OurServer.Port, testCase);
        Assert.True(exitCode == 0 && output.Contains($"PASS {testCase}", StringComparison.Ordinal), output);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OurClient_AgainstPythonServer(string testCase)
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{peers.PythonServer.Port}");
        await new InteropClient(channel).RunAsync(testCase);
    }

    [Theory]
    [InlineData("health_check")]
    [InlineData("health_watch")]
    [InlineData("reflection_list_services")]
    public async Task PythonClient_HealthAndReflection_AgainstOurServer(string testCase)
    {
        var (exitCode, output) = await RunPythonClientAsync(peers.OurServer.Port, testCase);
        Assert.True(exitCode == 0 && output.Contains($"PASS {testCase}", StringComparison.Ordinal), output);
    }

    [Fact]
    public async Task OurClientProgram_AllCases_AgainstPythonServer()
    {
        var (exitCode, output) = await PeerProcess.RunAsync(
            PeerProcess.DotNet, ClientTimeout, PeerProcess.OwnProgram("IrSuite.Interop.Client"), "--server_port", peers.PythonServer.Port.ToString(), "--test_case", "all");
        Assert.True(exitCode == 0, output);
        Assert.Equal(InteropClient.AllCases.Count, output.Split('\n').Count(l => l.StartsWith("PASS ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Tls_PythonClient_AgainstOurServer()
    {
        var (exitCode, output) = await PeerProcess.RunAsync(PeerProcess.Python, ClientTimeout,
            "interop_client.py", "--descriptor_set", peers.DescriptorSet, "--server_host", "localhost", "--server_port", peers.OurTlsServer.Port.ToString(),
            "--use_tls", "--ca_file", peers.Certificates.CertFile, "--test_case", "empty_unary,large_unary,ping_pong,custom_metadata,special_status_message");
        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task Tls_OurClient_AgainstPythonServer()
    {
        var authority = X509CertificateLoader.LoadCertificateFromFile(peers.Certificates.CertFile);
        var options = new GrpcChannelOptions
        {
            ConfigureHandler = h => h.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && CertificateTrust.ChainsTo(new X509Certificate2(certificate), authority),
        };
        using var channel = GrpcChannel.ForAddress($"https://localhost:{peers.PythonTlsServer.Port}", options);
        var client = new InteropClient(channel);
        foreach (var testCase in new[] { "empty_unary", "large_unary", "ping_pong", "custom_metadata", "special_status_message" })
        {
            await client.RunAsync(testCase);
        }
    }

    [Fact]
    public async Task Tls_OurClient_RefusesAnUntrustedServerCertificate()
    {
        using var channel = GrpcChannel.ForAddress($"https://localhost:{peers.OurTlsServer.Port}", new GrpcChannelOptions { Retry = { MaxRetryAttempts = 0 } });
        var ex = await Assert.ThrowsAsync<IrSuite.Grpc.RpcException>(() => new InteropClient(channel).RunAsync("empty_unary"));
        Assert.Equal(IrSuite.Grpc.StatusCode.Unavailable, ex.StatusCode);
    }

    private Task<(int ExitCode, string Output)> RunPythonClientAsync(int port, string testCase) =>
        PeerProcess.RunAsync(PeerProcess.Python, ClientTimeout,
            "interop_client.py", "--descriptor_set", peers.DescriptorSet, "--server_port", port.ToString(), "--test_case", testCase);
}
