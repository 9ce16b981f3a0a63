using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>Wires authentication, the role matrix and the service identity into a host (decision 0011).</summary>
public static partial class SecuritySetup
{
    /// <summary>Token validation, this service's own token for peer calls, and a start-up check of the role matrix.</summary>
    public static IServiceCollection AddIrSuiteSecurity(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section));
        var development = DevelopmentIdentity.FromConfiguration(configuration);
        if (development is not null)
        {
            services.TryAddSingleton(development);
        }

        services.TryAddSingleton(new ServiceIdentityName(serviceName));
        services.TryAddSingleton(sp => new TokenValidator(
            sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<TokenValidator>>(), sp.GetService<DevelopmentIdentity>()));
        services.TryAddSingleton(sp => new ServiceTokenSource(
            sp.GetRequiredService<IOptions<AuthOptions>>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ServiceIdentityName>(), sp.GetService<DevelopmentIdentity>()));
        services.AddHostedService<SecurityStartupCheck>();
        return services;
    }

    /// <summary>
    /// Fails the start when the host serves an <c>ir.*</c> RPC the role matrix does not cover, and logs the trusted issuers
    /// (names only).
    /// </summary>
    private sealed partial class SecurityStartupCheck(GrpcServiceRegistry registry, TokenValidator validator, ILogger<SecurityStartupCheck> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var missing = registry.Registrations
                .Where(r => r.Descriptor.FullName.StartsWith("ir.", StringComparison.Ordinal))
                .SelectMany(r => r.Descriptor.Methods)
                .Select(m => m.Service.FullName + "/" + m.Name)
                .Where(name => !AccessPolicy.Rules.ContainsKey(name))
                .ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException("The role matrix (AccessPolicy) does not cover: " + string.Join(", ", missing));
            }

            LogIssuers(string.Join(", ", validator.Issuers));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 6000, Level = LogLevel.Information, Message = "Bearer tokens accepted from issuers: {Issuers}")]
        private partial void LogIssuers(string issuers);
    }
}
