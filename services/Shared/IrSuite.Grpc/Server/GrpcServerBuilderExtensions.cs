using IrSuite.Grpc.Server;
using IrSuite.Grpc.Health;
using IrSuite.Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Grpc;

/// <summary>Adds the standard health and reflection services.</summary>
public static class GrpcServerBuilderExtensions
{
    /// <summary>Serves grpc.health.v1.Health from the ASP.NET Core health checks registered in DI.</summary>
    public static GrpcServerBuilder AddHealth(this GrpcServerBuilder builder, Action<GrpcHealthOptions>? configure = null)
    {
        builder.Services.AddHealthChecks();
        builder.Services.AddOptions<GrpcHealthOptions>();
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.AddSingleton<HealthService>();
        return builder.AddService<HealthService>(global::Grpc.Health.V1.HealthReflection.Descriptor.Services[0]);
    }

    /// <summary>Serves grpc.reflection.v1 and v1alpha ServerReflection over every registered service.</summary>
    public static GrpcServerBuilder AddReflection(this GrpcServerBuilder builder)
    {
        builder.Services.AddSingleton<ReflectionService>();
        builder.Services.AddSingleton<ReflectionServiceV1Alpha>();
        return builder
            .AddService<ReflectionService>(global::Grpc.Reflection.V1.ReflectionReflection.Descriptor.Services[0])
            .AddService<ReflectionServiceV1Alpha>(global::Grpc.Reflection.V1Alpha.ReflectionReflection.Descriptor.Services[0]);
    }
}
