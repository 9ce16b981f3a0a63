using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Clinical;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IrSuite.Discharge.Tests;

public sealed class OptionsTests
{
    private static ServiceProvider Build(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddGrpcServer().AddDischarge(builder.Configuration);
        return builder.Services.BuildServiceProvider();
    }

    [Fact]
    public void Options_NothingConfigured_DomainDefaults()
    {
        using var provider = Build(new Dictionary<string, string?>());

        Assert.Equal(TimeSpan.FromSeconds(1), provider.GetRequiredService<IOptions<DischargeOptions>>().Value.SweepInterval);
        var protocol = provider.GetRequiredService<SiteProtocol>();
        Assert.Equal(TimeSpan.FromHours(2), protocol.Observation.Minimum.Value);
        Assert.Equal(5, protocol.Discharge.ActiveInstructions().Count);
    }

    [Fact]
    public void Options_SiteConfiguration_ReplacesTheDefaults()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["SiteProtocol:Observation:Minimum:Value"] = "04:00:00",
            ["Discharge:SweepInterval"] = "00:00:05",
            ["SiteProtocol:Discharge:Instructions:no-driving:Text"] = "No driving for 2 days.",
        });

        Assert.Equal(TimeSpan.FromSeconds(5), provider.GetRequiredService<IOptions<DischargeOptions>>().Value.SweepInterval);
        var protocol = provider.GetRequiredService<SiteProtocol>();
        Assert.Equal(TimeSpan.FromHours(4), protocol.Observation.Minimum.Value);
        Assert.Equal("No driving for 2 days.", protocol.Discharge.ActiveInstructions()[0].Value.Text);
    }

    [Fact]
    public void Options_NonPositiveMinimum_Rejected()
    {
        using var provider = Build(new Dictionary<string, string?> { ["SiteProtocol:Observation:Minimum:Value"] = "00:00:00" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<SiteProtocol>());

        Assert.Contains("Observation:Minimum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NonPositiveSweepInterval_Rejected()
    {
        using var provider = Build(new Dictionary<string, string?> { ["Discharge:SweepInterval"] = "00:00:00" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<DischargeOptions>>().Value);

        Assert.Contains("SweepInterval", error.Message, StringComparison.Ordinal);
    }
}
