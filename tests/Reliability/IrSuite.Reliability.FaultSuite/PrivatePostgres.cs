using System.Text;
using Npgsql;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>
/// A PostgreSQL cluster of its own (initdb into a temp dir, loopback only, password authentication), so restarts and
/// kill -9 never touch the shared server. Run as the postgres user when this process is root.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin/";
    private readonly string _dir;
    private readonly StringBuilder _output = new();

    private PrivatePostgres(string dir, int port, string password)
    {
        _dir = dir;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    private string DataDir => Path.Combine(_dir, "data");

    /// <summary>The postmaster's process id (from postmaster.pid).</summary>
    public int Pid => int.Parse(File.ReadLines(Path.Combine(DataDir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database={database}";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "irsuite-faults-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var pwfile = Path.Combine(dir, "pw");
        await File.WriteAllTextAsync(pwfile, password);
        // Below the ephemeral range: the server is killed and restarted on the same port (see SuiteUnderTest).
        var server = new PrivatePostgres(dir, OsProcess.FreePort(25000, 32000), password);
        await Chown(dir);
        await server.AsPostgresAsync(Bin + "initdb", "-D", server.DataDir, "-U", "postgres", "-A", "scram-sha-256", "--pwfile", pwfile, "-E", "UTF8", "--no-sync");
        File.Delete(pwfile);
        await server.StartServerAsync();
        return server;
    }

    public Task StartServerAsync() =>
        AsPostgresAsync(Bin + "pg_ctl", "-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c max_connections=200", "start");

    /// <summary>T5a: a fast restart (pg_ctl -m fast restart: connections are terminated, the server comes back).</summary>
    public Task RestartFastAsync() =>
        AsPostgresAsync(Bin + "pg_ctl", "-D", DataDir, "-l", Path.Combine(_dir, "server.log"), "-m", "fast", "-w", "-t", "60", "restart");

    /// <summary>T5b: kill -9 the postmaster, wait for its backends to go, start again (crash recovery from WAL).</summary>
    public async Task KillAndRestartAsync(TimeSpan down)
    {
        var pid = Pid;
        await OsProcess.SignalAsync(pid, "KILL");
        await OsProcess.WaitUntilAsync(() => Task.FromResult(!OsProcess.IsAlive(pid)), TimeSpan.FromSeconds(20));
        await Task.Delay(down);
        // Orphaned backends leave on their own once they notice the postmaster is gone; start retries until then.
        var started = await OsProcess.WaitUntilAsync(async () =>
        {
            await StartServerAsync();
            return true;
        }, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
        if (!started)
        {
            throw new InvalidOperationException("PostgreSQL did not restart after kill -9:\n" + OsProcess.Text(_output));
        }
    }

    public async Task CreateDatabaseAsync(string name, string? template)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}" + (template is null ? "" : $" TEMPLATE {template}"), connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
            {
                var pid = Pid;
                await OsProcess.SignalAsync(pid, "QUIT"); // immediate shutdown
                await OsProcess.WaitUntilAsync(() => Task.FromResult(!OsProcess.IsAlive(pid)), TimeSpan.FromSeconds(20));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // Already down.
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying backend.
        }
    }

    private static async Task Chown(string dir)
    {
        if (Environment.UserName == "root")
        {
            await OsProcess.RunAsync("chown", ["postgres:postgres", dir]);
        }
    }

    private async Task AsPostgresAsync(string program, params string[] args)
    {
        var root = Environment.UserName == "root";
        var (code, output) = root
            ? await OsProcess.RunAsync("runuser", ["-u", "postgres", "--", program, .. args], timeout: TimeSpan.FromSeconds(90))
            : await OsProcess.RunAsync(program, args, timeout: TimeSpan.FromSeconds(90));
        lock (_output)
        {
            _output.AppendLine(output);
        }

        if (code != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({code}): {output}");
        }
    }
}
