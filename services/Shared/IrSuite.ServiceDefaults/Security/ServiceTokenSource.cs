using Microsoft.Extensions.Options;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// This service's token for its calls to peer services (role <c>service</c>), minted locally with the configured key
/// (<c>Auth:Service</c>; the development key in the embedded default) and renewed when less than a third of its lifetime
/// is left. Without a key, peer calls carry no token and the peer answers UNAUTHENTICATED.
/// </summary>
public sealed class ServiceTokenSource
{
    private readonly TokenIssuer? _issuer;
    private readonly string _subject;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private string? _token;
    private DateTimeOffset _renewAt;

    public ServiceTokenSource(IOptions<AuthOptions> options, TimeProvider time, ServiceIdentityName name, DevelopmentIdentity? development = null)
    {
        var service = options.Value.Service;
        _time = time;
        _lifetime = service.TokenLifetime;
        _subject = service.Subject is { Length: > 0 } subject ? subject : name.Value;
        var key = service.SigningKey is { Length: > 0 } inline ? SigningKey.FromJwk(inline)
            : service.SigningKeyFile is { Length: > 0 } file ? SigningKey.FromJwk(File.ReadAllText(file))
            : null;
        _issuer = key is not null ? new TokenIssuer(key, service.Issuer, options.Value.Audience, time)
            : development?.CreateIssuer(options.Value.Audience, time);
    }

    public bool IsConfigured => _issuer is not null;

    /// <summary>The current token, or null when no service key is configured.</summary>
    public string? Current
    {
        get
        {
            if (_issuer is null)
            {
                return null;
            }

            lock (_lock)
            {
                var now = _time.GetUtcNow();
                if (_token is null || now >= _renewAt)
                {
                    _token = _issuer.Issue(_subject, [Roles.Service], _lifetime);
                    _renewAt = now + (_lifetime * 2 / 3);
                }

                return _token;
            }
        }
    }

    /// <summary>Adds <c>authorization: Bearer</c> to a call's metadata (a channel's <c>CallMetadata</c>).</summary>
    public void AddTo(IrSuite.Grpc.Metadata metadata)
    {
        if (Current is { } token)
        {
            metadata.Add("authorization", "Bearer " + token);
        }
    }
}

/// <summary>The host's service name (the default subject of its service token).</summary>
public sealed record ServiceIdentityName(string Value);
