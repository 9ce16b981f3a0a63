namespace IrSuite.ServiceDefaults.Observability;

/// <summary>The ActivitySources and Meters every IrSuite host exports (decision 0009).</summary>
public static class TelemetryNames
{
    /// <summary>Our gRPC runtime (client and server spans, <c>rpc.*</c> duration histograms).</summary>
    public const string Grpc = "IrSuite.Grpc";

    /// <summary>The outbox relay's publish spans and the messaging meter (outbox backlog, consumer lag, faults).</summary>
    public const string Messaging = "IrSuite.Messaging";

    /// <summary>Clinical-operations KPIs (lead times, durations, complication, leak and dose distributions).</summary>
    public const string Clinical = "IrSuite.Clinical";

    /// <summary>Sources of spans: ASP.NET Core's request span (which our server interceptor names and tags), HttpClient, Npgsql, MassTransit and ours.</summary>
    public static IReadOnlyList<string> ActivitySources { get; } =
        ["Microsoft.AspNetCore", "System.Net.Http", "Npgsql", "MassTransit", Grpc, Messaging];

    /// <summary>Meters: ours plus what ASP.NET Core, Kestrel, HttpClient, the runtime, Npgsql and MassTransit emit natively.</summary>
    public static IReadOnlyList<string> Meters { get; } =
    [
        Grpc, Messaging, Clinical, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http",
        "System.Runtime", "Npgsql", "MassTransit",
    ];
}
