using System.Globalization;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Configuration;

namespace IrSuite.SuiteHost;

/// <summary>
/// The development token tool (decision 0011). <c>token</c> prints a bearer token signed with the development key the
/// embedded suite trusts (created on first use); <c>keygen</c> writes a new signing key and its public JWKS (for a
/// distributed deployment's service identity or a test issuer). Not an identity provider for production: there, tokens
/// come from the hospital's provider and the services are given its JWKS.
/// </summary>
public static class TokenCommand
{
    public const string Usage = """
        token --role ROLE [--role ROLE ...] [--sub SUBJECT] [--ttl 8h] [--key FILE.jwk] [--issuer NAME] [--audience NAME]
            prints a JWT for the development issuer (default key: data/dev-auth/signing-key.jwk, created if missing)
            roles: scheduler radiologist anesthesiologist nurse or-system service auditor ops
        keygen --out FILE.jwk [--jwks FILE.json]
            writes a new EC P-256 private signing key (owner-only) and, with --jwks, its public key set
        """;

    public static int RunToken(string[] args, IConfiguration configuration)
    {
        var options = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var roles = new List<string>();
        string? subject = null, keyFile = null;
        var issuer = options.Development.Issuer;
        var audience = options.Audience;
        var lifetime = TimeSpan.FromHours(8);
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--role" when value is not null: roles.Add(value); i++; break;
                case "--sub" when value is not null: subject = value; i++; break;
                case "--key" when value is not null: keyFile = value; i++; break;
                case "--issuer" when value is not null: issuer = value; i++; break;
                case "--audience" when value is not null: audience = value; i++; break;
                case "--ttl" when value is not null && TryParseDuration(value, out var ttl): lifetime = ttl; i++; break;
                default: return Fail($"unknown or incomplete option '{args[i]}'");
            }
        }

        var unknown = roles.Where(r => !Roles.All.Contains(r, StringComparer.Ordinal)).ToList();
        if (roles.Count == 0 || unknown.Count > 0)
        {
            return Fail(roles.Count == 0 ? "at least one --role is required" : "unknown role(s): " + string.Join(", ", unknown));
        }

        if (lifetime <= TimeSpan.Zero || lifetime > options.MaxTokenLifetime)
        {
            return Fail($"--ttl must be positive and at most {options.MaxTokenLifetime} (Auth:MaxTokenLifetime)");
        }

        subject ??= roles[0] + "-dev";
        using var key = SigningKey.LoadOrCreate(keyFile ?? DevelopmentIdentity.KeyFilePath(configuration, options));
        Console.WriteLine(new TokenIssuer(key, issuer, audience).Issue(subject, roles, lifetime));
        return 0;
    }

    public static int RunKeygen(string[] args)
    {
        string? output = null, jwks = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--out" when value is not null: output = value; i++; break;
                case "--jwks" when value is not null: jwks = value; i++; break;
                default: return Fail($"unknown or incomplete option '{args[i]}'");
            }
        }

        if (output is null)
        {
            return Fail("--out FILE.jwk is required");
        }

        if (File.Exists(output))
        {
            return Fail($"{output} exists; remove it first (a key is never overwritten)");
        }

        using var key = SigningKey.LoadOrCreate(output);
        if (jwks is not null)
        {
            File.WriteAllText(jwks, key.ToJwks());
        }

        Console.WriteLine($"kid {key.KeyId}: private key {output}" + (jwks is null ? "" : $", public JWKS {jwks}"));
        return 0;
    }

    private static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length < 2 || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
        }

        duration = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            _ => TimeSpan.MinValue,
        };
        return duration != TimeSpan.MinValue;
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine("error: " + message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
