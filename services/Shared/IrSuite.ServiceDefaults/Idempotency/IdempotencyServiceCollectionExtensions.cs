using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.ServiceDefaults.Idempotency;

/// <summary>Binds <see cref="IdempotencyOptions"/> (section <c>Idempotency</c>); without it the default retention applies.</summary>
public static class IdempotencyServiceCollectionExtensions
{
    public static IServiceCollection AddIdempotentCommands(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<IdempotencyOptions>(configuration.GetSection(IdempotencyOptions.Section));
        return services;
    }
}
