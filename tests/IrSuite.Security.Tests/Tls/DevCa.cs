using IrSuite.TestSupport;

namespace IrSuite.Security.Tests.Tls;

/// <summary>
/// deploy/dev-ca.sh run into a temporary directory (once per test class, as a fixture): the development CA and the
/// certificates the suite's services and staff tools use. A second, unrelated CA stands for "some other authority".
/// </summary>
public sealed class DevCa : IAsyncLifetime
{
    public string Directory { get; private set; } = "";

    public string OtherDirectory { get; private set; } = "";

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string OtherCaFile => Path.Combine(OtherDirectory, "ca.crt");

    public string Certificate(string name) => Path.Combine(Directory, name + ".crt");

    public string Key(string name) => Path.Combine(Directory, name + ".key");

    public string OtherCertificate(string name) => Path.Combine(OtherDirectory, name + ".crt");

    public string OtherKey(string name) => Path.Combine(OtherDirectory, name + ".key");

    /// <summary>What the second run printed (idempotence: everything kept).</summary>
    public string RerunOutput { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("irsuite-ca-").FullName;
        OtherDirectory = System.IO.Directory.CreateTempSubdirectory("irsuite-ca-other-").FullName;
        await RunAsync(Directory);
        await RunAsync(OtherDirectory);
        RerunOutput = await RunAsync(Directory);
    }

    public Task DisposeAsync()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        System.IO.Directory.Delete(OtherDirectory, recursive: true);
        return Task.CompletedTask;
    }

    private static async Task<string> RunAsync(string outDir)
    {
        var script = Path.Combine(PeerProcess.RepoRoot, "deploy", "dev-ca.sh");
        var (exitCode, output) = await PeerProcess.RunAsync("bash", TimeSpan.FromSeconds(60), script, outDir);
        if (exitCode != 0)
        {
            throw new InvalidOperationException("dev-ca.sh failed:\n" + output);
        }

        return output;
    }
}
