using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IrSuite.ServiceDefaults.Observability;

/// <summary>
/// Traces, metrics and logs of an IrSuite host (decision 0009). OpenTelemetry.Extensions.Hosting is not served here, so
/// the tracer and meter providers are built with <see cref="Sdk"/> and owned by the container (disposed, hence flushed,
/// at shutdown). OTLP export is on only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (protocol and headers come from
/// the other standard OTEL_* variables); the sampler comes from <c>OTEL_TRACES_SAMPLER</c>.
/// </summary>
public static class ObservabilitySetup
{
    /// <summary>Configuration key of the console log format: <c>json</c> (one object a line) or <c>simple</c>.</summary>
    public const string LogFormatKey = "Logging:Format";

    /// <summary>Console log format when <c>Logging:Format</c> is not set: the four service hosts pass <c>json</c>.</summary>
    public const string SimpleFormat = "simple";

    public const string JsonFormat = "json";

    public static WebApplicationBuilder AddIrSuiteObservability(this WebApplicationBuilder builder, string serviceName, string defaultLogFormat = SimpleFormat)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // ASP.NET Core 10 leaves the OpenTelemetry attributes (http.route, http.response.status_code...) off its request
        // span unless told otherwise.
        AppContext.SetSwitch("Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData", false);
        var settings = TelemetrySettings.FromEnvironment(serviceName);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => BuildTracerProvider(settings));
        builder.Services.AddSingleton(_ => BuildMeterProvider(settings));
        builder.Services.AddHostedService<TelemetryLifetime>();
        builder.Logging.AddIrSuiteConsole(builder.Configuration, defaultLogFormat);
        return builder;
    }

    /// <summary>Console logs in the format of <c>Logging:Format</c>, each line carrying the trace and span ids of its request.</summary>
    public static ILoggingBuilder AddIrSuiteConsole(this ILoggingBuilder logging, IConfiguration configuration, string defaultFormat = SimpleFormat)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        ArgumentNullException.ThrowIfNull(configuration);
        if (string.Equals(configuration[LogFormatKey] ?? defaultFormat, JsonFormat, StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true; // the trace and span ids travel as a scope
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }

        return logging;
    }

    internal static TracerProvider BuildTracerProvider(TelemetrySettings settings)
    {
        var builder = Sdk.CreateTracerProviderBuilder()
            .ConfigureResource(settings.ConfigureResource)
            .AddSource([.. TelemetryNames.ActivitySources])
            .SetSampler(Sampling.FromEnvironment(settings.Sampler, settings.SamplerArgument));
        if (settings.OtlpEnabled)
        {
            builder.AddOtlpExporter();
        }

        return builder.Build()!;
    }

    internal static MeterProvider BuildMeterProvider(TelemetrySettings settings)
    {
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(settings.ConfigureResource)
            .AddMeter([.. TelemetryNames.Meters]);
        if (settings.OtlpEnabled)
        {
            builder.AddOtlpExporter();
        }

        return builder.Build()!;
    }

    /// <summary>Builds both providers before the first request (hosted services start in order, this one first) and flushes them at stop.</summary>
    private sealed class TelemetryLifetime(TracerProvider tracing, MeterProvider metrics) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            tracing.ForceFlush(5000);
            metrics.ForceFlush(5000);
            return Task.CompletedTask;
        }
    }
}

/// <summary>What the standard OpenTelemetry environment variables ask for.</summary>
public sealed record TelemetrySettings(string ServiceName, string ServiceVersion, bool OtlpEnabled, string? Sampler, string? SamplerArgument)
{
    public static TelemetrySettings FromEnvironment(string serviceName)
    {
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return new TelemetrySettings(
            Variable("OTEL_SERVICE_NAME") ?? serviceName,
            plus > 0 ? version[..plus] : version,
            Variable("OTEL_EXPORTER_OTLP_ENDPOINT") is not null,
            Variable("OTEL_TRACES_SAMPLER"),
            Variable("OTEL_TRACES_SAMPLER_ARG"));
    }

    internal void ConfigureResource(ResourceBuilder resource) =>
        resource.AddService(ServiceName, serviceNamespace: "irsuite", serviceVersion: ServiceVersion, serviceInstanceId: Environment.MachineName)
            .AddEnvironmentVariableDetector();

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
