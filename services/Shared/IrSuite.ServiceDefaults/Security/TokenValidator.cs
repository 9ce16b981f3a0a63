using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// Validates bearer tokens: signature by a key of the token's own issuer (chosen by <c>kid</c>; ES256, RS256 or PS256),
/// a trusted issuer, the audience, <c>exp</c>/<c>nbf</c> measured with the injected clock, a bounded lifetime, a subject.
/// JWKS files are re-read when they change, so keys rotate without a restart.
/// </summary>
public sealed partial class TokenValidator
{
    private static readonly string[] Algorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenValidator> _logger;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly IssuerKeys[] _issuers;
    private readonly TokenValidationParameters _parameters;

    public TokenValidator(IOptions<AuthOptions> options, TimeProvider time, ILogger<TokenValidator> logger, DevelopmentIdentity? development = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        var issuers = _options.Issuers.Select(i => new IssuerKeys(i)).ToList();
        if (development is not null)
        {
            issuers.Add(new IssuerKeys(new TrustedIssuer { Issuer = development.Issuer, Jwks = development.Key.ToJwks() }));
        }

        _issuers = [.. issuers];
        _parameters = new TokenValidationParameters
        {
            ValidIssuers = _issuers.Select(i => i.Issuer).ToArray(),
            ValidAudience = _options.Audience,
            ValidAlgorithms = Algorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            ClockSkew = _options.ClockSkew,
            NameClaimType = JwtRegisteredClaimNames.Sub,
            RoleClaimType = "roles",
            IssuerSigningKeyResolver = (_, token, kid, _) => Resolve(token, kid),
            LifetimeValidator = ValidateLifetime,
        };
    }

    /// <summary>The trusted issuers (for start-up checks and logs).</summary>
    public IReadOnlyList<string> Issuers => _issuers.Select(i => i.Issuer).ToArray();

    /// <summary>The caller a token proves, or the reason it proves nothing (a sentence safe to send to the client).</summary>
    public async Task<(CallerIdentity? Caller, string? Failure)> ValidateAsync(string token)
    {
        if (_issuers.Length == 0)
        {
            return (null, "No token issuer is trusted by this service.");
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            var failure = Describe(result.Exception);
            LogRefused(failure, result.Exception?.GetType().Name ?? "none");
            return (null, failure);
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var subject = jwt.Subject;
        if (string.IsNullOrWhiteSpace(subject))
        {
            return (null, "The bearer token has no subject.");
        }

        var roles = result.ClaimsIdentity.FindAll("roles").Select(c => c.Value)
            .Where(r => Roles.All.Contains(r, StringComparer.Ordinal))
            .ToHashSet(StringComparer.Ordinal);
        return (new CallerIdentity(subject, roles, jwt.Issuer) { AcceptedUntil = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + _parameters.ClockSkew }, null);
    }

    private IEnumerable<SecurityKey> Resolve(SecurityToken token, string? kid)
    {
        var issuer = _issuers.FirstOrDefault(i => string.Equals(i.Issuer, token.Issuer, StringComparison.Ordinal));
        if (issuer is null)
        {
            return [];
        }

        var keys = issuer.Keys(_time);
        return kid is null ? keys : keys.Where(k => string.Equals(k.KeyId, kid, StringComparison.Ordinal));
    }

    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken token, TokenValidationParameters parameters)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("no exp");
        }

        if (expires.Value.ToUniversalTime() + parameters.ClockSkew < now)
        {
            throw new SecurityTokenExpiredException("expired") { Expires = expires.Value };
        }

        if (notBefore is { } nbf && nbf.ToUniversalTime() - parameters.ClockSkew > now)
        {
            throw new SecurityTokenNotYetValidException("not yet valid") { NotBefore = nbf };
        }

        var issued = (token as JsonWebToken)?.IssuedAt ?? DateTime.MinValue;
        var start = issued > DateTime.MinValue ? issued : notBefore ?? now;
        if (expires.Value.ToUniversalTime() - start.ToUniversalTime() > _options.MaxTokenLifetime)
        {
            throw new SecurityTokenInvalidLifetimeException("lifetime too long");
        }

        return true;
    }

    private static string Describe(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "The bearer token has expired.",
        SecurityTokenNotYetValidException => "The bearer token is not valid yet.",
        SecurityTokenNoExpirationException => "The bearer token has no expiry.",
        SecurityTokenInvalidLifetimeException => "The bearer token's lifetime is longer than this service accepts.",
        SecurityTokenInvalidIssuerException => "The bearer token's issuer is not trusted.",
        SecurityTokenInvalidAudienceException => "The bearer token is not for this audience.",
        SecurityTokenInvalidAlgorithmException => "The bearer token's signing algorithm is not accepted.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "The bearer token's signature is not valid.",
        SecurityTokenMalformedException or ArgumentException => "The bearer token is malformed.",
        _ => "The bearer token is not valid.",
    };

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Bearer token refused: {Reason} ({Exception})")]
    private partial void LogRefused(string reason, string exception);

    /// <summary>One issuer's keys; a JWKS file is re-read when its modification time changes (checked at most every 10 s).</summary>
    private sealed class IssuerKeys
    {
        private readonly TrustedIssuer _source;
        private readonly Lock _lock = new();
        private IReadOnlyList<SecurityKey> _keys = [];
        private DateTime _fileStamp;
        private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

        public IssuerKeys(TrustedIssuer source)
        {
            if (string.IsNullOrWhiteSpace(source.Issuer))
            {
                throw new InvalidOperationException("Auth:Issuers: every trusted issuer needs an Issuer.");
            }

            if (string.IsNullOrWhiteSpace(source.Jwks) && string.IsNullOrWhiteSpace(source.JwksFile))
            {
                throw new InvalidOperationException($"Auth:Issuers: issuer '{source.Issuer}' needs Jwks or JwksFile.");
            }

            _source = source;
            Issuer = source.Issuer;
            Load();
        }

        public string Issuer { get; }

        public IReadOnlyList<SecurityKey> Keys(TimeProvider time)
        {
            if (_source.JwksFile is { Length: > 0 } && time.GetUtcNow() - _checkedAt > TimeSpan.FromSeconds(10))
            {
                lock (_lock)
                {
                    _checkedAt = time.GetUtcNow();
                    if (File.GetLastWriteTimeUtc(_source.JwksFile) != _fileStamp)
                    {
                        Load();
                    }
                }
            }

            return _keys;
        }

        private void Load()
        {
            var keys = new List<SecurityKey>();
            if (!string.IsNullOrWhiteSpace(_source.Jwks))
            {
                keys.AddRange(new JsonWebKeySet(_source.Jwks).Keys);
            }

            if (_source.JwksFile is { Length: > 0 } file)
            {
                _fileStamp = File.GetLastWriteTimeUtc(file);
                keys.AddRange(new JsonWebKeySet(File.ReadAllText(file)).Keys);
            }

            if (keys.Count == 0 || keys.Any(k => string.IsNullOrEmpty(k.KeyId)))
            {
                throw new InvalidOperationException($"Auth:Issuers: issuer '{_source.Issuer}' has no keys, or a key without kid.");
            }

            _keys = keys;
        }
    }
}
