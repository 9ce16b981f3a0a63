namespace IrSuite.Irctl.Connection;

/// <summary>The bearer token and where it came from.</summary>
public sealed record ResolvedToken(string Value, string Source);

/// <summary>Finds the token: <c>--token</c>, else <c>IRCTL_TOKEN</c>, else the config file's token or token_file.</summary>
public static class TokenSource
{
    public const string EnvironmentVariable = "IRCTL_TOKEN";

    public static ResolvedToken? Resolve(string? flag, IrctlEnvironment environment, IrctlConfig config)
    {
        if (!string.IsNullOrWhiteSpace(flag))
        {
            return new ResolvedToken(flag.Trim(), "--token");
        }

        if (environment.GetVariable(EnvironmentVariable) is { } fromEnvironment && !string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new ResolvedToken(fromEnvironment.Trim(), EnvironmentVariable);
        }

        if (!string.IsNullOrWhiteSpace(config.Token))
        {
            return new ResolvedToken(config.Token.Trim(), $"config file {config.Path} (token)");
        }

        if (!string.IsNullOrEmpty(config.TokenFile))
        {
            if (!File.Exists(config.TokenFile))
            {
                throw new UsageException($"token_file {config.TokenFile} named by {config.Path} does not exist");
            }

            return new ResolvedToken(File.ReadAllText(config.TokenFile).Trim(), $"config file {config.Path} (token_file {config.TokenFile})");
        }

        return null;
    }

    /// <summary>What to tell a user without a valid token.</summary>
    public const string Hint =
        "Get a token from the hospital identity provider, or for the development suite with "
        + "`dotnet run --project services/IrSuite.SuiteHost -- token --role nurse --sub nurse-1`, then pass it with "
        + "--token, the IRCTL_TOKEN environment variable, or \"token\"/\"token_file\" in ~/.config/irctl/config.json.";
}
