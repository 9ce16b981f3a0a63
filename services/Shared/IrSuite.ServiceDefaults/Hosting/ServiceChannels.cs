using System.Collections.Concurrent;
using IrSuite.Grpc.Client;
using Microsoft.Extensions.Configuration;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Hosting;

/// <summary>
/// One shared gRPC channel per peer service, addressed by configuration <c>Services:&lt;service&gt;:Address</c>
/// (the suite host points every peer at itself; https:// addresses use <c>Services:Tls</c>). Calls inherit the incoming call's deadline and cancellation, and carry
/// this service's own token (role service), never the incoming caller's.
/// </summary>
public sealed class ServiceChannels(IConfiguration configuration, ILoggerFactory loggerFactory, ServiceTokenSource tokens) : IDisposable
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    // Services:Tls (decision 0012): the CA peers' server certificates must chain to, and the client certificate for
    // peers that require mutual TLS. Read once: the files are loaded when the first channel is made.
    private readonly Lazy<Action<SocketsHttpHandler>?> _tls = new(() => Tls.ClientHandler(ClientTlsOptions.FromConfiguration(configuration)));

    public GrpcChannel Get(string service) => _channels.GetOrAdd(service, name =>
    {
        var address = configuration[$"Services:{name}:Address"]
            ?? throw new InvalidOperationException($"Configuration Services:{name}:Address is missing.");
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            LoggerFactory = loggerFactory,
            DefaultTimeout = TimeSpan.FromSeconds(10),
            CallMetadata = tokens.AddTo,
            ConfigureHandler = _tls.Value,
        });
    });

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}
