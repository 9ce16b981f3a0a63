using Spectre.Console;

namespace IrSuite.Irctl;

/// <summary>
/// Everything irctl takes from its process: the output streams, environment variables, the home directory and the
/// clock that fills in "now" defaults. Tests pass captured writers, a dictionary and the suite's manual clock.
/// </summary>
public sealed record IrctlEnvironment
{
    /// <summary>Standard output: tables, or only the JSON document with <c>--output json</c>.</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Standard error: error reports and progress.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Reads an environment variable (null when unset).</summary>
    public required Func<string, string?> GetVariable { get; init; }

    /// <summary>The user's home directory (for <c>~/.config/irctl/config.json</c>).</summary>
    public required string HomeDirectory { get; init; }

    /// <summary>The clock behind "now" defaults (consent signed at, visit time...); deadlines always use real time.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>True when standard error is a terminal: colours there and the progress spinner.</summary>
    public bool Interactive { get; init; }

    /// <summary>True when standard output is a terminal: colours in tables.</summary>
    public bool OutputIsTerminal { get; init; }

    /// <summary>Console width for tables when not a terminal.</summary>
    public int Width { get; init; } = 160;

    public static IrctlEnvironment FromProcess() => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        GetVariable = Environment.GetEnvironmentVariable,
        HomeDirectory = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
        Interactive = !Console.IsErrorRedirected,
        OutputIsTerminal = !Console.IsOutputRedirected,
    };

    /// <summary>A Spectre console on <paramref name="writer"/>: ANSI and colours only on a terminal.</summary>
    internal IAnsiConsole CreateConsole(TextWriter writer, bool terminal)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = Width;
        }

        return console;
    }
}
