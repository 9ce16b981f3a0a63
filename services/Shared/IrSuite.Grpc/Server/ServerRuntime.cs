using IrSuite.Grpc.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IrSuite.Grpc.Server;

/// <summary>What every call of this server shares: options, encodings, log, interceptor chain.</summary>
internal sealed class ServerRuntime
{
    public ServerRuntime(IOptions<GrpcServerOptions> options, ILoggerFactory loggerFactory, IServiceProvider services)
    {
        Options = options.Value;
        Compression = new CompressionRegistry(Options.CompressionProviders);
        Log = new GrpcLog(loggerFactory.CreateLogger("IrSuite.Grpc.Server"));
        Interceptors = [new TelemetryInterceptor(Log), .. Options.Interceptors.Select(t =>
            (IServerInterceptor)Microsoft.Extensions.DependencyInjection.ActivatorUtilities.GetServiceOrCreateInstance(services, t))];
    }

    public GrpcServerOptions Options { get; }

    public CompressionRegistry Compression { get; }

    public GrpcLog Log { get; }

    public IReadOnlyList<IServerInterceptor> Interceptors { get; }

    /// <summary>Whether outgoing client calls may find the incoming call (deadline and cancellation propagation).</summary>
    public bool PropagateContext { get; } = true;
}
