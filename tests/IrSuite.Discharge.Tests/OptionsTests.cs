using IrSuite.Discharge.Tests.Infrastructure;
using IrSuite.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IrSuite.Discharge.Tests;

public sealed class OptionsTests
{
    private static DischargeOptions Bind(IReadOnlyDictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        foreach (var (key, value) in settings)
        {
            builder.Configuration[key] = value;
        }

        builder.Services.AddGrpcServer().AddDischarge(builder.Configuration);
        using var provider = builder.Services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<DischargeOptions>>().Value;
    }

    [Fact]
    public void Options_NothingConfigured_DomainDefaults()
    {
        var options = Bind(new Dictionary<string, string?>());

        Assert.Equal(TimeSpan.FromHours(2), options.ObservationMinimum);
        Assert.Equal(TimeSpan.FromSeconds(1), options.SweepInterval);
        Assert.Equal(DischargeOptions.DefaultInstructions, options.Instructions);
    }

    [Fact]
    public void Options_SiteConfiguration_ReplacesTheDefaults()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["Discharge:ObservationMinimum"] = "04:00:00",
            ["Discharge:SweepInterval"] = "00:00:05",
            ["Discharge:Instructions:0"] = "No driving for 2 days.",
            ["Discharge:Instructions:1"] = "No lifting over 4.5 kg for 3 months.",
        });

        Assert.Equal(TimeSpan.FromHours(4), options.ObservationMinimum);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SweepInterval);
        Assert.Equal(["No driving for 2 days.", "No lifting over 4.5 kg for 3 months."], options.Instructions);
    }

    [Fact]
    public void Options_NonPositiveMinimum_Rejected()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { ["Discharge:ObservationMinimum"] = "00:00:00" }));

        Assert.Contains("ObservationMinimum", error.Message, StringComparison.Ordinal);
    }
}
