using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IrSuite.Grpc.Internal;

/// <summary>The runtime's ActivitySource and Meter, both named <c>IrSuite.Grpc</c>; tags follow OpenTelemetry's rpc conventions.</summary>
internal static class GrpcTelemetry
{
    public const string Name = "IrSuite.Grpc";

    public static readonly ActivitySource ActivitySource = new(Name, "1.0.0");

    public static readonly Meter Meter = new(Name, "1.0.0");

    public static readonly Histogram<double> ServerDuration = Meter.CreateHistogram<double>(
        "rpc.server.call.duration", unit: "s", description: "Duration of gRPC calls served, by method and status.");

    public static readonly Histogram<double> ClientDuration = Meter.CreateHistogram<double>(
        "rpc.client.call.duration", unit: "s", description: "Duration of gRPC calls made, by method and status.");

    public static readonly Counter<long> ClientRetries = Meter.CreateCounter<long>(
        "rpc.client.retries", description: "gRPC call attempts retried after UNAVAILABLE.");

    public static TagList Tags(Method method, StatusCode code) => new()
    {
        { "rpc.system", "grpc" },
        { "rpc.service", method.ServiceName },
        { "rpc.method", method.Name },
        { "rpc.grpc.status_code", (int)code },
    };
}
