using System.Globalization;
using OpenTelemetry.Trace;

namespace IrSuite.ServiceDefaults.Observability;

/// <summary>The sampler named by the standard <c>OTEL_TRACES_SAMPLER</c> / <c>OTEL_TRACES_SAMPLER_ARG</c> variables.</summary>
public static class Sampling
{
    /// <summary>
    /// always_on, always_off, traceidratio, parentbased_always_on (default: a request that arrives sampled stays
    /// sampled across every hop), parentbased_always_off, parentbased_traceidratio. The ratio defaults to 1; an
    /// unknown name falls back to the default rather than silently dropping every trace.
    /// </summary>
    public static Sampler FromEnvironment(string? name, string? argument)
    {
        var ratio = double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed is >= 0 and <= 1 ? parsed : 1.0;
        return (name ?? "").Trim().ToLowerInvariant() switch
        {
            "always_on" => new AlwaysOnSampler(),
            "always_off" => new AlwaysOffSampler(),
            "traceidratio" => new TraceIdRatioBasedSampler(ratio),
            "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
            "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)),
            _ => new ParentBasedSampler(new AlwaysOnSampler()),
        };
    }
}
