using System.CommandLine;
using System.CommandLine.Invocation;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Commands;

namespace IrSuite.Irctl;

/// <summary>irctl's entry point, callable in-process (tests pass their own environment).</summary>
public static class IrctlApp
{
    /// <summary>
    /// The command groups, one file each under Commands/. A new group (e.g. a live board) is one more
    /// <c>Build(CommandKit)</c> method here.
    /// </summary>
    public static IReadOnlyList<Func<CommandKit, Command>> Groups { get; } =
    [
        ReferralCommands.Build,
        PathwayCommands.Build,
        AppointmentCommands.Build,
        AnesthesiaCommands.Build,
        ProcedureCommands.Build,
        DischargeCommands.Build,
        BoardCommands.Build,
        FhirCommands.Build,
        ProtocolCommands.Build,
        ConfigCommands.Build,
    ];

    public static RootCommand BuildRoot(IrctlEnvironment environment)
    {
        var globals = new GlobalOptions();
        var kit = new CommandKit(globals, environment);
        var root = new RootCommand(
            "irctl: the IR vertebroplasty pathway from the command line (scheduling, anaesthesia, procedure, discharge).\n"
            + "Exit codes: 0 ok, 1 other error, 2 usage, 3 invalid argument, 4 refused by a clinical gate (failed precondition), "
            + "5 not found, 6 authentication or permission, 7 suite unreachable or deadline exceeded.\n"
            + "Errors go to stderr (one JSON object there with --output json); stdout carries only results.");
        foreach (var option in globals.All)
        {
            root.Add(option);
        }

        foreach (var group in Groups)
        {
            root.Add(group(kit));
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, IrctlEnvironment environment, CancellationToken cancellation = default)
    {
        var parse = BuildRoot(environment).Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                await environment.Error.WriteLineAsync($"error: {error.Message}");
            }

            await environment.Error.WriteLineAsync($"see `irctl {CommandPath(parse.CommandResult)} --help`".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = environment.Out, Error = environment.Error }, cancellation);
    }

    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var current = result; current is not null && current.Parent is System.CommandLine.Parsing.CommandResult parent; current = parent)
        {
            names.Insert(0, current.Command.Name);
        }

        return string.Join(' ', names);
    }
}
