// gRPC interop test client on IrSuite's runtime.
//   --server_host 127.0.0.1 --server_port N --test_case NAME|a,b,c|all
//   --use_tls [--ca_file PEM] [--server_host_override NAME]
// Prints "PASS <case>" or "FAIL <case>: <reason>"; exits 1 when any case failed.
using System.Security.Cryptography.X509Certificates;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Interop;

var flags = new InteropArgs(args);
var host = flags.Get("server_host", "127.0.0.1");
var port = flags.GetInt("server_port", 0);
var useTls = flags.GetBool("use_tls");
var requested = flags.Get("test_case", "all");
var cases = requested == "all" ? InteropClient.AllCases : requested.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

var options = new GrpcChannelOptions();
if (useTls)
{
    var caFile = flags.Get("ca_file");
    var hostOverride = flags.Get("server_host_override");
    options.ConfigureHandler = handler =>
    {
        if (hostOverride is not null)
        {
            handler.SslOptions.TargetHost = hostOverride;
        }

        if (caFile is not null)
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(caFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                certificate is not null && CertificateTrust.ChainsTo(new X509Certificate2(certificate), authority);
        }
    };
}

using var channel = GrpcChannel.ForAddress($"{(useTls ? "https" : "http")}://{host}:{port}", options);
var client = new InteropClient(channel);
var failed = 0;
foreach (var testCase in cases)
{
    try
    {
        await client.RunAsync(testCase);
        Console.WriteLine($"PASS {testCase}");
    }
    catch (Exception ex) when (ex is InteropAssertionException or RpcException or ArgumentException)
    {
        failed++;
        Console.WriteLine($"FAIL {testCase}: {ex.Message}");
    }
}

return failed == 0 ? 0 : 1;
