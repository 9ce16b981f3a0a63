using System.Text;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Protocol.V1;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.IdentityModel.Tokens;

namespace IrSuite.Security.Tests.Auth;

/// <summary>
/// Bearer-token failures over real gRPC against the embedded suite: each is UNAUTHENTICATED with a message naming the
/// reason and never the token; health and reflection need none. The suite accepts lifetimes up to 12 h here (the
/// production default) and its clock is manual, so expiry is tested without waiting.
/// </summary>
public sealed class TokenTests : IAsyncLifetime
{
    private static readonly Method<GetSiteProtocolRequest, SiteProtocolInfo> GetProtocol =
        Method<GetSiteProtocolRequest, SiteProtocolInfo>.Create(ProtocolReflection.Descriptor.Services[0], "GetSiteProtocol");

    private readonly ManualTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
    private readonly SigningKey _rotatedKey = SigningKey.Generate();
    private readonly string _jwksFile = Path.Combine(Path.GetTempPath(), $"irsuite-jwks-{Guid.NewGuid():N}.json");
    private InProcessSuite _suite = null!;
    private GrpcChannel _anonymous = null!;

    public async Task InitializeAsync()
    {
        using (var first = SigningKey.Generate())
        {
            await File.WriteAllTextAsync(_jwksFile, first.ToJwks());
        }

        _suite = await InProcessSuite.StartAsync(_clock, builder =>
        {
            builder.Configuration["Auth:MaxTokenLifetime"] = "12:00:00";
            builder.Configuration["Auth:Issuers:1:Issuer"] = "hospital-idp";
            builder.Configuration["Auth:Issuers:1:JwksFile"] = _jwksFile;
        });
        _anonymous = _suite.AnonymousChannel();
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _suite.DisposeAsync();
        _rotatedKey.Dispose();
        File.Delete(_jwksFile);
    }

    [Fact]
    public async Task ValidToken_WithinItsLifetime_Accepted()
    {
        var token = TestIdentity.TokenAt(_clock.GetUtcNow().AddMinutes(-5), TimeSpan.FromHours(1), "ops-1", Roles.Ops);

        var info = await CallAsync("Bearer " + token);

        Assert.NotEmpty(info.AppliedVersion);
    }

    [Fact]
    public async Task NoToken_Unauthenticated()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _anonymous.UnaryAsync(GetProtocol, new GetSiteProtocolRequest()));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains("bearer token is required", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string, string> BadHeaders() => new()
    {
        { "Basic dXNlcjpwYXNz", "must be 'Bearer <token>'" },
        { "Bearer ", "must be 'Bearer <token>'" },
        { "Bearer not-a-jwt", "malformed" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public async Task MalformedAuthorization_Unauthenticated(string header, string reason)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync(header));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains(reason, ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ExpiredToken_Unauthenticated_AndTheSameTokenWasValidBefore()
    {
        var token = TestIdentity.TokenAt(_clock.GetUtcNow(), TimeSpan.FromMinutes(10), "nurse-1", Roles.Nurse);
        await CallAsync("Bearer " + token);

        _clock.Advance(TimeSpan.FromMinutes(11)); // past exp + the 30 s clock skew
        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token));

        AssertRefused(ex, "expired", token);
    }

    [Fact]
    public async Task NotYetValidToken_Unauthenticated()
    {
        var token = TestIdentity.TokenAt(_clock.GetUtcNow().AddMinutes(5), TimeSpan.FromHours(1), "nurse-1", Roles.Nurse);

        AssertRefused(await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token)), "not valid yet", token);
    }

    [Fact]
    public async Task LifetimeLongerThanAccepted_Unauthenticated()
    {
        var token = TestIdentity.TokenAt(_clock.GetUtcNow(), TimeSpan.FromHours(13), "nurse-1", Roles.Nurse);

        AssertRefused(await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token)), "lifetime", token);
    }

    [Fact]
    public async Task SignedByAnotherKey_Unauthenticated()
    {
        using var other = SigningKey.Generate();
        var token = new TokenIssuer(other, TestIdentity.Issuer, TestIdentity.Audience, _clock).Issue("nurse-1", [Roles.Nurse], TimeSpan.FromHours(1));

        AssertRefused(await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token)), "signature", token);
    }

    [Fact]
    public async Task TamperedPayload_Unauthenticated()
    {
        var token = TestIdentity.TokenAt(_clock.GetUtcNow(), TimeSpan.FromHours(1), "nurse-1", Roles.Nurse);
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"nurse\"", "\"auditor\"", StringComparison.Ordinal);
        var forged = parts[0] + "." + Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload)) + "." + parts[2];

        AssertRefused(await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + forged)), "signature", forged);
    }

    [Fact]
    public async Task UnsignedAlgNone_Unauthenticated()
    {
        var header = Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        var now = _clock.GetUtcNow().ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode(
            $"{{\"iss\":\"{TestIdentity.Issuer}\",\"aud\":\"irsuite\",\"sub\":\"x\",\"roles\":[\"auditor\"],\"iat\":{now},\"nbf\":{now},\"exp\":{now + 600}}}");
        var token = header + "." + payload + ".";

        var ex = await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task UntrustedIssuer_Unauthenticated()
    {
        using var key = SigningKey.FromJwk(TestIdentity.PrivateJwk);
        var token = new TokenIssuer(key, "someone-else", TestIdentity.Audience, _clock).Issue("nurse-1", [Roles.Nurse], TimeSpan.FromHours(1));

        AssertRefused(await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token)), "issuer", token);
    }

    [Fact]
    public async Task WrongAudience_Unauthenticated()
    {
        using var key = SigningKey.FromJwk(TestIdentity.PrivateJwk);
        var token = new TokenIssuer(key, TestIdentity.Issuer, "another-system", _clock).Issue("nurse-1", [Roles.Nurse], TimeSpan.FromHours(1));

        AssertRefused(await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token)), "audience", token);
    }

    [Fact]
    public async Task KeyRotation_NewKeyAddedToTheJwksFile_AcceptedWithoutRestart_ByKid()
    {
        var token = new TokenIssuer(_rotatedKey, "hospital-idp", TestIdentity.Audience, _clock).Issue("rad-3", [Roles.Radiologist], TimeSpan.FromHours(1));
        AssertRefused(await Assert.ThrowsAsync<RpcException>(() => CallAsync("Bearer " + token)), "signature", token);

        // The identity provider publishes its next key next to the current one; the file is re-read once it changed.
        var keys = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(_jwksFile))!["keys"]!.AsArray();
        keys.Add(System.Text.Json.Nodes.JsonNode.Parse(_rotatedKey.ToPublicJwk()));
        await File.WriteAllTextAsync(_jwksFile, new System.Text.Json.Nodes.JsonObject { ["keys"] = keys.DeepClone() }.ToJsonString());
        File.SetLastWriteTimeUtc(_jwksFile, DateTime.UtcNow.AddMinutes(1));
        _clock.Advance(TimeSpan.FromSeconds(11));

        var info = await CallAsync("Bearer " + token);
        Assert.NotEmpty(info.AppliedVersion);
    }

    [Fact]
    public async Task PythonGrpcio_WithoutToken_Unauthenticated_WithToken_Ok_HealthAndReflectionOpen()
    {
        var token = TestIdentity.TokenAt(_clock.GetUtcNow(), TimeSpan.FromHours(1), "ops-2", Roles.Ops);
        var script = Path.Combine(PeerProcess.RepoRoot, "tests", "IrSuite.Security.Tests", "Auth", "auth_probe.py");

        var (exitCode, output) = await PeerProcess.RunAsync("/usr/bin/python3", TimeSpan.FromSeconds(60), script, _suite.Address.Replace("http://", "", StringComparison.Ordinal), token);

        Assert.True(exitCode == 0, output);
        var results = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split(' ')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("UNAUTHENTICATED", results["no-token"]);
        Assert.Equal("UNAUTHENTICATED", results["bad-scheme"]);
        Assert.Equal("UNAUTHENTICATED", results["garbage-token"]);
        Assert.Equal("OK", results["valid-token"]);
        Assert.Equal("OK", results["health-no-token"]);
        Assert.Equal("OK", results["reflection-no-token"]);
    }

    private Task<SiteProtocolInfo> CallAsync(string authorization) =>
        _anonymous.UnaryAsync(GetProtocol, new GetSiteProtocolRequest(), new CallOptions(new Metadata().Add("authorization", authorization)));

    private static void AssertRefused(RpcException ex, string reason, string token)
    {
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        Assert.Contains(reason, ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], ex.Status.Detail, StringComparison.Ordinal);
    }
}
