using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.ServiceDefaults.Security;

namespace IrSuite.TestSupport;

/// <summary>
/// The tests' identity provider: one signing key per test process, issuer <c>irsuite-test</c>. Hosts under test trust it
/// through <see cref="HostSettings"/> (also usable as environment variables for service processes) and use it for their
/// own service tokens; test channels present a token through <see cref="Channel(Uri, string, string[])"/>.
/// </summary>
public static class TestIdentity
{
    public const string Issuer = "irsuite-test";

    public const string Audience = "irsuite";

    /// <summary>The subject of the default test caller.</summary>
    public const string DefaultSubject = "test-clinician";

    private static readonly SigningKey Key = SigningKey.Generate();

    // Hosts under test run on manual clocks set anywhere between 2000 and 2100: the tests' tokens are valid over that
    // whole span (HostSettings raises the accepted lifetime for them). Expiry is tested with TokenAt.
    private static readonly TokenIssuer Tokens = new(Key, Issuer, Audience, new FixedClock(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    private static readonly TimeSpan WideLifetime = TimeSpan.FromDays(36525);

    /// <summary>The roles of the default test caller: the whole care team (one person holding several roles is allowed).</summary>
    public static readonly string[] CareTeam = [Roles.Scheduler, Roles.Radiologist, Roles.Anesthesiologist, Roles.Nurse];

    /// <summary>The public keys (what a host under test trusts).</summary>
    public static string Jwks => Key.ToJwks();

    /// <summary>The private key (what a service under test signs its own peer-call tokens with).</summary>
    public static string PrivateJwk => Key.ToPrivateJwk();

    /// <summary>Configuration for a host under test: trust the test issuer, sign service tokens with the test key.</summary>
    public static IReadOnlyDictionary<string, string?> HostSettings { get; } = new Dictionary<string, string?>
    {
        ["Auth:Issuers:0:Issuer"] = Issuer,
        ["Auth:Issuers:0:Jwks"] = Jwks,
        ["Auth:Service:Issuer"] = Issuer,
        ["Auth:Service:SigningKey"] = PrivateJwk,
        ["Auth:MaxTokenLifetime"] = "36600.00:00:00",
        // Every test drives its host with the one default caller, some (fuzz, load) far faster than a person: per-caller
        // limits are measured by their own tests, which set them back.
        ["Limits:PerCallerConcurrency"] = "100000",
        ["Limits:PerCallerRequestsPerSecond"] = "1000000",
        ["Limits:PerCallerBurst"] = "1000000",
    };

    /// <summary><see cref="HostSettings"/> as environment variables (<c>Auth__Issuers__0__Issuer</c>...) for a service process.</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } =
        HostSettings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    /// <summary>A token for <paramref name="subject"/> with <paramref name="roles"/> (the care team when none).</summary>
    public static string Token(string subject = DefaultSubject, params string[] roles) =>
        Tokens.Issue(subject, roles.Length == 0 ? CareTeam : roles, WideLifetime);

    /// <summary>A token issued at <paramref name="issuedAt"/> for <paramref name="lifetime"/> (expiry and not-yet-valid tests).</summary>
    public static string TokenAt(DateTimeOffset issuedAt, TimeSpan lifetime, string subject, params string[] roles) =>
        new TokenIssuer(Key, Issuer, Audience, new FixedClock(issuedAt)).Issue(subject, roles, lifetime);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Call headers presenting another identity than the channel's (e.g. a second operator).</summary>
    public static Metadata As(string subject, params string[] roles) =>
        new Metadata().Add("authorization", "Bearer " + Token(subject, roles));

    /// <summary>Call options presenting another identity than the channel's.</summary>
    public static CallOptions Options(string subject, params string[] roles) => new(As(subject, roles));

    /// <summary>Channel options whose calls present a token for <paramref name="subject"/> (renewed each call).</summary>
    public static GrpcChannelOptions ChannelOptions(string subject = DefaultSubject, params string[] roles)
    {
        var token = Token(subject, roles);
        return new GrpcChannelOptions { CallMetadata = m => m.Add("authorization", "Bearer " + token) };
    }

    /// <summary>A channel to <paramref name="address"/> whose calls present a token for <paramref name="subject"/>.</summary>
    public static GrpcChannel Channel(Uri address, string subject = DefaultSubject, params string[] roles) =>
        GrpcChannel.ForAddress(address, ChannelOptions(subject, roles));

    /// <inheritdoc cref="Channel(Uri, string, string[])"/>
    public static GrpcChannel Channel(string address, string subject = DefaultSubject, params string[] roles) =>
        Channel(new Uri(address), subject, roles);
}
