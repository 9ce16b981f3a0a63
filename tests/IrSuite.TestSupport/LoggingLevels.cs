using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.TestSupport;

/// <summary>Log levels a test can rely on whatever configuration the host under test reads.</summary>
public static class LoggingLevels
{
    /// <summary>
    /// Every category at <paramref name="level"/> and above. <c>SetMinimumLevel</c> alone is not enough: the suite host's
    /// appsettings.json (copied into every test output folder that references it) sets <c>Logging:LogLevel</c> rules,
    /// and any rule beats the minimum level, so a test that "captures at Trace" would silently capture at Information.
    /// The configured rules are dropped here, after configuration has added them.
    /// </summary>
    public static ILoggingBuilder CaptureFrom(this ILoggingBuilder logging, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            options.Rules.Clear();
            options.MinLevel = level;
        });
        return logging;
    }
}
