using IrSuite.TestSupport;

namespace IrSuite.Interop.Tests;

/// <summary>
/// The servers of the interop suite, started once: our interop server program and the python3-grpcio
/// server, each in plain h2c and in TLS. Every one is a separate process on an OS-chosen port.
/// </summary>
public sealed class InteropPeers : IAsyncLifetime
{
    public string DescriptorSet { get; private set; } = "";

    public TestCertificates Certificates { get; } = new();

    public PeerProcess OurServer { get; private set; } = null!;

    public PeerProcess OurTlsServer { get; private set; } = null!;

    public PeerProcess PythonServer { get; private set; } = null!;

    public PeerProcess PythonTlsServer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(PeerProcess.Python))
        {
            throw new InvalidOperationException($"{PeerProcess.Python} is missing: install python3-grpcio (deploy/run-tests.sh does).");
        }

        DescriptorSet = Path.Combine(Certificates.Directory, "interop.pb");
        await File.WriteAllBytesAsync(DescriptorSet, DescriptorSets.Build(DescriptorSets.InteropFiles));
        var ours = PeerProcess.OwnProgram("IrSuite.Interop.Server");
        var tls = new[] { "--use_tls", "--cert_file", Certificates.CertFile, "--key_file", Certificates.KeyFile };
        var starts = new[]
        {
            PeerProcess.StartServerAsync(PeerProcess.DotNet, ours, "--port", "0"),
            PeerProcess.StartServerAsync(PeerProcess.DotNet, [ours, "--port", "0", .. tls]),
            PeerProcess.StartServerAsync(PeerProcess.Python, "interop_server.py", "--descriptor_set", DescriptorSet, "--port", "0"),
            PeerProcess.StartServerAsync(PeerProcess.Python, ["interop_server.py", "--descriptor_set", DescriptorSet, "--port", "0", .. tls]),
        };
        var started = await Task.WhenAll(starts);
        (OurServer, OurTlsServer, PythonServer, PythonTlsServer) = (started[0], started[1], started[2], started[3]);
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in new[] { OurServer, OurTlsServer, PythonServer, PythonTlsServer })
        {
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }
        }

        Certificates.Dispose();
    }
}
