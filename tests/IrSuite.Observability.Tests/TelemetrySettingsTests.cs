using IrSuite.ServiceDefaults.Observability;

namespace IrSuite.Observability.Tests;

/// <summary>The standard OTEL_* variables switch export on and name the service (the assembly's tests run one at a time).</summary>
public sealed class TelemetrySettingsTests
{
    private static readonly string[] Variables = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SERVICE_NAME", "OTEL_TRACES_SAMPLER", "OTEL_TRACES_SAMPLER_ARG"];

    [Fact]
    public void FromEnvironment_NoEndpoint_NoExporterAndTheServicesOwnName()
    {
        WithVariables(new Dictionary<string, string?>(), () =>
        {
            var settings = TelemetrySettings.FromEnvironment("discharge");
            Assert.False(settings.OtlpEnabled);
            Assert.Equal("discharge", settings.ServiceName);
            Assert.Null(settings.Sampler);
        });
    }

    [Fact]
    public void FromEnvironment_StandardVariables_ExportOnNamedAndSampled()
    {
        WithVariables(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317",
            ["OTEL_SERVICE_NAME"] = "discharge-eu1",
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0.5",
        }, () =>
        {
            var settings = TelemetrySettings.FromEnvironment("discharge");
            Assert.True(settings.OtlpEnabled);
            Assert.Equal("discharge-eu1", settings.ServiceName);
            Assert.Equal("ParentBased{TraceIdRatioBasedSampler{0.500000}}", Sampling.FromEnvironment(settings.Sampler, settings.SamplerArgument).Description);
        });
    }

    private static void WithVariables(Dictionary<string, string?> values, Action test)
    {
        var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var name in Variables)
            {
                Environment.SetEnvironmentVariable(name, values.GetValueOrDefault(name));
            }

            test();
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
