namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// Configuration section <c>Auth</c> (decision 0011). There is no switch that turns authentication off: every RPC but
/// health and reflection needs a valid bearer token from a trusted issuer.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The audience (<c>aud</c>) every token must name.</summary>
    public string Audience { get; set; } = "irsuite";

    /// <summary>Tolerated clock difference between the issuer and this service for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest token lifetime accepted (<c>exp - iat</c>), so a leaked long-lived token is refused anyway.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The trusted issuers, each with its signing keys.</summary>
    public List<TrustedIssuer> Issuers { get; set; } = [];

    /// <summary>This service's own identity for calls to peer services.</summary>
    public ServiceIdentityOptions Service { get; set; } = new();

    /// <summary>Local development: a signing key created on first use, trusted, and used by the token tool.</summary>
    public DevelopmentAuthOptions Development { get; set; } = new();
}

/// <summary>An issuer whose tokens are accepted, and the public keys that verify them (rotation: several keys, by <c>kid</c>).</summary>
public sealed class TrustedIssuer
{
    /// <summary>The <c>iss</c> value.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>A JWKS file (<c>{"keys":[...]}</c>), re-read when it changes, so a new key can be added before tokens use it.</summary>
    public string? JwksFile { get; set; }

    /// <summary>The same, inline (for a key handed over as a secret or an environment variable).</summary>
    public string? Jwks { get; set; }
}

/// <summary>
/// The token this service presents to its peers: role <c>service</c>, subject the service's name, signed with a private
/// key from configuration or a secret file (never from the code), renewed before it expires.
/// </summary>
public sealed class ServiceIdentityOptions
{
    public string Issuer { get; set; } = "irsuite-services";

    /// <summary>The subject; the host's service name when empty.</summary>
    public string Subject { get; set; } = "";

    /// <summary>Private signing key file (a JWK, EC P-256), e.g. a mounted secret.</summary>
    public string? SigningKeyFile { get; set; }

    /// <summary>The same, inline.</summary>
    public string? SigningKey { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The embedded default's development identity (off in the per-service hosts).</summary>
public sealed class DevelopmentAuthOptions
{
    public bool Enabled { get; set; }

    public string Issuer { get; set; } = "irsuite-dev";

    /// <summary>The private key file; <c>&lt;Data:Directory&gt;/dev-auth/signing-key.jwk</c> when empty.</summary>
    public string? SigningKeyFile { get; set; }
}
