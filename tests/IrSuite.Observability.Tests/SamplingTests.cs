using IrSuite.ServiceDefaults.Observability;
using OpenTelemetry.Trace;

namespace IrSuite.Observability.Tests;

public sealed class SamplingTests
{
    [Theory]
    [InlineData(null, null, "ParentBased{AlwaysOnSampler}")]
    [InlineData("always_off", null, "AlwaysOffSampler")]
    [InlineData("traceidratio", "0.25", "TraceIdRatioBasedSampler{0.250000}")]
    [InlineData("parentbased_traceidratio", "0.1", "ParentBased{TraceIdRatioBasedSampler{0.100000}}")]
    [InlineData("no_such_sampler", null, "ParentBased{AlwaysOnSampler}")]
    public void FromEnvironment_StandardNames_TheNamedSampler(string? name, string? argument, string expected)
    {
        Sampler sampler = Sampling.FromEnvironment(name, argument);
        Assert.Equal(expected, sampler.Description);
    }
}
