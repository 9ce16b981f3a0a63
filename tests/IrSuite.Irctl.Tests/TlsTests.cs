using IrSuite.TestSupport;

namespace IrSuite.Irctl.Tests;

/// <summary>irctl over TLS with the development CA (deploy/dev-ca.sh) and its <c>irctl</c> client certificate (mutual TLS).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // dev-ca.sh is POSIX
public sealed class TlsTests : IAsyncLifetime
{
    private string _ca = "";
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync()
    {
        _ca = Directory.CreateTempSubdirectory("irctl-ca-").FullName;
        var (exitCode, output) = await PeerProcess.RunAsync("bash", TimeSpan.FromSeconds(60), Path.Combine(PeerProcess.RepoRoot, "deploy", "dev-ca.sh"), _ca);
        Assert.True(exitCode == 0, output);
        _suite = await InProcessSuite.StartAsync(
            configure: builder =>
            {
                builder.Configuration["Grpc:Tls:CertificateFile"] = Path.Combine(_ca, "suite.crt");
                builder.Configuration["Grpc:Tls:KeyFile"] = Path.Combine(_ca, "suite.key");
                builder.Configuration["Grpc:Tls:ClientCertificates"] = "Require";
                builder.Configuration["Grpc:Tls:ClientCaFile"] = Path.Combine(_ca, "ca.crt");
            },
            tls: true);
    }

    public async Task DisposeAsync()
    {
        await _suite.DisposeAsync();
        Directory.Delete(_ca, recursive: true);
    }

    [Fact]
    public async Task Https_CaFileAndClientCertificate_CallSucceeds()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);

        var result = await irctl.RunAsync(
            "discharge", "board", "--address", _suite.Address, "--token", TestIdentity.Token(),
            "--ca-file", Path.Combine(_ca, "ca.crt"), "--client-cert", Path.Combine(_ca, "irctl.crt"), "--client-key", Path.Combine(_ca, "irctl.key"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("in observation", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_ConfigFileNamesTheTlsFiles_CallSucceeds()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);
        var config = Path.Combine(_ca, "irctl-config.json");
        await File.WriteAllTextAsync(config, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["address"] = _suite.Address, ["token"] = TestIdentity.Token(), ["ca_file"] = "ca.crt", ["client_certificate"] = "irctl.crt", ["client_key"] = "irctl.key",
        }));
        irctl.Variables["IRCTL_CONFIG"] = config;

        var result = await irctl.RunAsync("discharge", "board");

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Https_WithoutClientCertificate_RefusedAsUnavailable()
    {
        using var irctl = new IrctlRunner(TimeProvider.System);

        var result = await irctl.RunAsync("discharge", "board", "--address", _suite.Address, "--token", TestIdentity.Token(), "--ca-file", Path.Combine(_ca, "ca.crt"));

        Assert.Equal(7, result.ExitCode);
    }
}
