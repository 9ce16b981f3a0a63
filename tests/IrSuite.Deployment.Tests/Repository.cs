using System.Diagnostics;

namespace IrSuite.Deployment.Tests;

/// <summary>The repository checkout the tests run in, and the command-line tools they call.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string Read(params string[] parts) => File.ReadAllText(PathOf(parts));

    /// <summary>
    /// Runs a tool from the repository root and returns its exit code and output. A missing tool fails the test with
    /// what to install: CI installs them (deploy/install-test-prerequisites.sh), so a skip would hide a broken set-up.
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(string tool, string installHint, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{tool}' is not installed or not on PATH: {installHint}", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            // A guard against a hung tool, not a timed assertion: kustomize renders in well under a second here.
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} did not finish.");
            }

            process.WaitForExit();
            return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IrSuite.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IrSuite.sln not found above " + AppContext.BaseDirectory);
    }
}
