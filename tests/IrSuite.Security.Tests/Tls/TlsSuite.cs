using IrSuite.TestSupport;

namespace IrSuite.Security.Tests.Tls;

/// <summary>
/// The in-process suite serving gRPC over TLS with the development CA's <c>suite</c> certificate;
/// <c>settings</c> adds configuration (mutual TLS, peer TLS).
/// </summary>
public static class TlsSuite
{
    public static Task<InProcessSuite> StartAsync(DevCa ca, IReadOnlyDictionary<string, string?>? settings = null) =>
        InProcessSuite.StartAsync(
            configure: builder =>
            {
                builder.Configuration["Grpc:Tls:CertificateFile"] = ca.Certificate("suite");
                builder.Configuration["Grpc:Tls:KeyFile"] = ca.Key("suite");
                foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
                {
                    builder.Configuration[key] = value;
                }
            },
            tls: true);
}
