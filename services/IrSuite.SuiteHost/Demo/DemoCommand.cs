using System.Net;
using System.Net.Sockets;
using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Security;

namespace IrSuite.SuiteHost.Demo;

/// <summary>
/// <c>demo [--target URL] [--patients N]</c>: walks simulated patients through the whole pathway over gRPC and
/// prints each one's timeline. Without <c>--target</c> it starts a private in-process suite (temporary SQLite
/// files, observation minimum shortened to 5 s and the anaesthesia consult lead time set to 0 days by configuration)
/// so the walk reaches discharge in seconds; against a real suite the walk waits for the real 2 h observation, and
/// that suite must set <c>SiteProtocol:Anesthesia:ConsultLeadDays:Value=0</c> (the slot is booked hours ahead).
/// </summary>
public static class DemoCommand
{
    private static readonly string[][] LevelSets = [["L1"], ["T12", "L1"], ["L2", "L3", "L4"], ["T8"]];

    public static async Task<int> RunAsync(string[] args)
    {
        string? target = null;
        var patients = 3;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--target" when i + 1 < args.Length:
                    target = args[++i];
                    break;
                case "--patients" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n is > 0 and <= 20:
                    patients = n;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync("usage: demo [--target http://127.0.0.1:5100] [--patients 1-20]");
                    return 2;
            }
        }

        WebApplication? suite = null;
        var dataDirectory = Directory.CreateTempSubdirectory("irsuite-demo-").FullName;
        try
        {
            if (target is null)
            {
                var port = FreePort();
                target = $"http://127.0.0.1:{port}";
                suite = SuiteHost.Build([], builder =>
                {
                    builder.Configuration["Grpc:Address"] = $"127.0.0.1:{port}";
                    builder.Configuration["Data:Directory"] = dataDirectory;
                    builder.Configuration["Board:HttpAddress"] = "127.0.0.1:0";
                    builder.Configuration["SiteProtocol:Observation:Minimum:Value"] = "00:00:05";
                    // The 2-day anaesthesia consult lead time cannot be waited for in a demo: the slot is booked hours ahead.
                    builder.Configuration["SiteProtocol:Anesthesia:ConsultLeadDays:Value"] = "0";
                    builder.Configuration["Discharge:SweepInterval"] = "00:00:00.250";
                    builder.Logging.SetMinimumLevel(LogLevel.Warning);
                });
                await suite.MigrateAsync(SuiteHost.Databases);
                await suite.StartAsync();
                Console.WriteLine($"demo: private suite on {target} (observation minimum shortened to 5 s, consult lead time 0 days)");
            }

            // The walk acts as one member of each care-team role. Against a running suite: its development key
            // (data/dev-auth/signing-key.jwk under the working directory), or a token given in IRSUITE_TOKEN.
            var token = Environment.GetEnvironmentVariable("IRSUITE_TOKEN") is { Length: > 0 } given && suite is null
                ? given
                : DemoToken(Path.Combine(suite is null ? "data" : dataDirectory, "dev-auth", "signing-key.jwk"));
            using var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions { CallMetadata = m => m.Add("authorization", "Bearer " + token) });
            var walker = new PathwayWalker(PathwayEndpoints.AllOn(channel), TimeProvider.System) { Log = line => Console.WriteLine("  " + line) };
            var results = await Task.WhenAll(Enumerable.Range(1, patients).Select(n => walker.WalkAsync(n, LevelSets[(n - 1) % LevelSets.Length])));
            foreach (var result in results)
            {
                Console.WriteLine();
                Console.WriteLine($"Referral {result.Referral.ReferralId} (patient pseudonym {result.Referral.PatientId}), levels {string.Join(", ", result.Referral.Levels)}:");
                foreach (var entry in result.Pathway.Timeline)
                {
                    Console.WriteLine($"  {entry.OccurredAt.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss}  {entry.Event,-26} {entry.Source,-24} {entry.Summary}");
                }

                Console.WriteLine($"  follow-up booked for {result.FollowUp.Start.ToDateTimeOffset():yyyy-MM-dd HH:mm}");
            }

            return 0;
        }
        finally
        {
            if (suite is not null)
            {
                await suite.StopAsync();
                await suite.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static string DemoToken(string keyFile)
    {
        using var key = SigningKey.LoadOrCreate(keyFile);
        return new TokenIssuer(key, new DevelopmentAuthOptions().Issuer, new AuthOptions().Audience)
            .Issue("demo-care-team", [Roles.Scheduler, Roles.Radiologist, Roles.Anesthesiologist, Roles.Nurse], TimeSpan.FromHours(4));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
