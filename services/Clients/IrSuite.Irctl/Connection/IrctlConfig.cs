using System.Text.Json;
using System.Text.Json.Serialization;

namespace IrSuite.Irctl.Connection;

/// <summary>
/// The config file (<c>$IRCTL_CONFIG</c>, else <c>~/.config/irctl/config.json</c>): defaults for the connection options.
/// Relative paths in it are taken from the file's folder.
/// </summary>
public sealed record IrctlConfig
{
    [JsonPropertyName("address")]
    public string? Address { get; init; }

    [JsonPropertyName("token")]
    public string? Token { get; init; }

    [JsonPropertyName("token_file")]
    public string? TokenFile { get; init; }

    [JsonPropertyName("ca_file")]
    public string? CaFile { get; init; }

    [JsonPropertyName("client_certificate")]
    public string? ClientCertificate { get; init; }

    [JsonPropertyName("client_key")]
    public string? ClientKey { get; init; }

    /// <summary>Where the file was read from; null when there is none.</summary>
    [JsonIgnore]
    public string? Path { get; init; }

    public static string DefaultPath(IrctlEnvironment environment) =>
        environment.GetVariable("IRCTL_CONFIG") is { Length: > 0 } path
            ? path
            : System.IO.Path.Combine(environment.HomeDirectory, ".config", "irctl", "config.json");

    /// <summary>Reads the config file; an absent file is an empty config, an unreadable one an error.</summary>
    public static IrctlConfig Load(IrctlEnvironment environment)
    {
        var path = DefaultPath(environment);
        if (!File.Exists(path))
        {
            return new IrctlConfig();
        }

        IrctlConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<IrctlConfig>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new UsageException($"config file {path} is not valid JSON: {ex.Message}");
        }

        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        string? Resolve(string? file) => string.IsNullOrEmpty(file) ? null : System.IO.Path.GetFullPath(file, folder);
        return (config ?? new IrctlConfig()) with
        {
            Path = path,
            TokenFile = Resolve(config?.TokenFile),
            CaFile = Resolve(config?.CaFile),
            ClientCertificate = Resolve(config?.ClientCertificate),
            ClientKey = Resolve(config?.ClientKey),
        };
    }
}

/// <summary>A mistake in the command line or the configuration (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
