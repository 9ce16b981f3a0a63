using Grpc.Health.V1;
using IrSuite.Anesthesia.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Health;

namespace IrSuite.Security.Tests.Tls;

/// <summary>The calls the TLS tests make: health (no token needed) and an authenticated read that answers NOT_FOUND.</summary>
internal static class TlsCalls
{
    public static readonly Method<HealthCheckRequest, HealthCheckResponse> Check =
        Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Check");

    public static readonly Method<GetPlanRequest, AnesthesiaPlan> GetPlan =
        Method<GetPlanRequest, AnesthesiaPlan>.Create(AnesthesiaReflection.Descriptor.Services[0], "GetPlan");

    /// <summary>A referral nobody created: an authenticated, authorised call reaches the service and gets NOT_FOUND.</summary>
    public const string UnknownReferral = "0f9d3a52-6c1e-4b0e-9a57-3d2f1c8b7e61";

    /// <summary>The status of GetPlan for <see cref="UnknownReferral"/> (NOT_FOUND means the call went through TLS and authentication).</summary>
    public static async Task<StatusCode> GetPlanStatusAsync(GrpcChannel channel)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(GetPlan, new GetPlanRequest { ReferralId = UnknownReferral }));
        return error.StatusCode;
    }
}
