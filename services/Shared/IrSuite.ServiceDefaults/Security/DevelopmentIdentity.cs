using Microsoft.Extensions.Configuration;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// The embedded default's local identity provider: one signing key, created on first use under the data directory
/// (owner-only file), trusted as issuer <c>irsuite-dev</c>, used for the suite's own service calls and by the token tool
/// (<c>dotnet run --project services/IrSuite.SuiteHost -- token --role nurse</c>). Never enabled in the per-service hosts.
/// </summary>
public sealed class DevelopmentIdentity(string issuer, SigningKey key, string keyFile)
{
    public string Issuer { get; } = issuer;

    public SigningKey Key { get; } = key;

    public string KeyFile { get; } = keyFile;

    /// <summary>The development identity of this configuration, or null when <c>Auth:Development:Enabled</c> is not true.</summary>
    public static DevelopmentIdentity? FromConfiguration(IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (!options.Development.Enabled)
        {
            return null;
        }

        var file = KeyFilePath(configuration, options);
        return new DevelopmentIdentity(options.Development.Issuer, SigningKey.LoadOrCreate(file), file);
    }

    public static string KeyFilePath(IConfiguration configuration, AuthOptions options) =>
        options.Development.SigningKeyFile is { Length: > 0 } file
            ? file
            : Path.Combine(configuration["Data:Directory"] ?? "data", "dev-auth", "signing-key.jwk");

    public TokenIssuer CreateIssuer(string audience, TimeProvider? time = null) => new(Key, Issuer, audience, time);
}
