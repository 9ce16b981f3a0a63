// gRPC interop test server on IrSuite's runtime.
//   --port N (0 = any free port)  --host 127.0.0.1  --use_tls --cert_file F --key_file F (PEM)
//   --descriptor_set_out PATH     write the FileDescriptorSet the python peers load, then exit
// Prints "READY <port>" once listening; stops on SIGTERM / Ctrl+C.
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Testing;
using IrSuite.Grpc;
using IrSuite.Interop;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var flags = new InteropArgs(args);
if (flags.Get("descriptor_set_out") is { } descriptorPath)
{
    await File.WriteAllBytesAsync(descriptorPath, DescriptorSets.Build(DescriptorSets.InteropFiles));
    return 0;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var certificate = flags.GetBool("use_tls")
    ? X509Certificate2.CreateFromPemFile(flags.Get("cert_file") ?? throw new ArgumentException("--cert_file is required with --use_tls"), flags.Get("key_file"))
    : null;
var endpoint = new IPEndPoint(IPAddress.Parse(flags.Get("host", "127.0.0.1")), flags.GetInt("port", 0));
builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenGrpc(endpoint, certificate));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services
    .AddGrpcServer()
    .AddService<TestServiceImpl>(TestReflection.Descriptor.Services[0])
    .AddHealth()
    .AddReflection();

var app = builder.Build();
app.UseGrpcServer();
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"READY {new Uri(address).Port}");
await app.WaitForShutdownAsync();
return 0;
