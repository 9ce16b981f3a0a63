using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IrSuite.ServiceDefaults.Clinical;

/// <summary>Registers the <see cref="SiteProtocol"/> every service reads its thresholds from.</summary>
public static class SiteProtocolSetup
{
    /// <summary>
    /// Defaults, then the JSON file named by <c>SiteProtocol:File</c> (if any), then the <c>SiteProtocol</c> section
    /// (appsettings, environment: <c>SiteProtocol__Bleeding__InrMax__Value=1.8</c>). Invalid protocols stop start-up.
    /// Inject <see cref="SiteProtocol"/> directly; it does not change while the process runs.
    /// </summary>
    public static IServiceCollection AddSiteProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(SiteProtocol)))
        {
            return services;
        }

        var section = configuration.GetSection(SiteProtocol.Section);
        services.AddOptions<SiteProtocol>()
            .Configure(protocol =>
            {
                var file = section[nameof(SiteProtocol.File)];
                if (!string.IsNullOrWhiteSpace(file))
                {
                    new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(file), optional: false).Build().Bind(protocol);
                }
            })
            .Bind(section)
            .ValidateOnStart();
        services.TryAddSingleton<IValidateOptions<SiteProtocol>, SiteProtocolValidation>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SiteProtocol>>().Value);
        return services;
    }

    /// <summary>Reads a protocol without a host (tools, tests): defaults, the file, then the section.</summary>
    public static SiteProtocol Load(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddSiteProtocol(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<SiteProtocol>();
    }

    /// <summary>Names every problem instead of a single generic message.</summary>
    private sealed class SiteProtocolValidation : IValidateOptions<SiteProtocol>
    {
        public ValidateOptionsResult Validate(string? name, SiteProtocol options)
        {
            var errors = options.Validate();
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
