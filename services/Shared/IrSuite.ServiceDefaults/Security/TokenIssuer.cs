using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// Issues signed JWTs: the service identity's tokens, the development token tool's, and the tests'. Claims: <c>iss</c>,
/// <c>aud</c>, <c>sub</c>, <c>roles</c> (an array), <c>iat</c>, <c>nbf</c>, <c>exp</c> and a random <c>jti</c>.
/// </summary>
public sealed class TokenIssuer(SigningKey key, string issuer, string audience, TimeProvider? time = null)
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Issuer => issuer;

    public string Issue(string subject, IEnumerable<string> roles, TimeSpan lifetime)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        var now = _time.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = key.Credentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = subject,
                [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N"),
                ["roles"] = roles.Distinct(StringComparer.Ordinal).ToArray(),
            },
        });
    }
}
