using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// An EC P-256 key pair that signs tokens (ES256), stored as a JWK. Its <c>kid</c> is the RFC 7638 thumbprint, so the
/// same key always has the same id and a rotation only adds a new id to the issuer's JWKS.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private readonly ECDsa _ecdsa;

    private SigningKey(ECDsa ecdsa)
    {
        _ecdsa = ecdsa;
        var p = ecdsa.ExportParameters(false);
        KeyId = Thumbprint(p);
        // A factory of its own: IdentityModel's shared cache keys signature providers by kid, so a second instance of the
        // same key (the token tool's, disposed after use) would otherwise hand this one a provider over a disposed ECDsa.
        SecurityKey = new ECDsaSecurityKey(ecdsa) { KeyId = KeyId, CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } };
    }

    public string KeyId { get; }

    public SecurityKey SecurityKey { get; }

    public SigningCredentials Credentials => new(SecurityKey, SecurityAlgorithms.EcdsaSha256);

    public static SigningKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Reads a private JWK (kty EC, crv P-256, x, y, d).</summary>
    public static SigningKey FromJwk(string json)
    {
        var jwk = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("A signing key must be a JSON object (a JWK).");
        if ((string?)jwk["kty"] != "EC" || (string?)jwk["crv"] != "P-256" || jwk["d"] is null)
        {
            throw new FormatException("A signing key must be a private EC P-256 JWK (kty EC, crv P-256, x, y, d).");
        }

        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes((string)jwk["x"]!), Y = Base64UrlEncoder.DecodeBytes((string)jwk["y"]!) },
            D = Base64UrlEncoder.DecodeBytes((string)jwk["d"]!),
        });
        return new SigningKey(ecdsa);
    }

    /// <summary>Reads the key file, or creates it (owner read/write only) when it does not exist.</summary>
    public static SigningKey LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return FromJwk(File.ReadAllText(path));
        }

        var key = Generate();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(key.ToPrivateJwk()));
        }

        File.Move(temporary, path, overwrite: false);
        return key;
    }

    /// <summary>The private JWK (keep it secret).</summary>
    public string ToPrivateJwk()
    {
        var p = _ecdsa.ExportParameters(true);
        var jwk = PublicJwk(p);
        jwk["d"] = Base64UrlEncoder.Encode(p.D);
        return jwk.ToJsonString();
    }

    /// <summary>The public JWK.</summary>
    public string ToPublicJwk() => PublicJwk(_ecdsa.ExportParameters(false)).ToJsonString();

    /// <summary>A JWKS holding this key's public half (what verifiers are given).</summary>
    public string ToJwks() => new JsonObject { ["keys"] = new JsonArray(PublicJwk(_ecdsa.ExportParameters(false))) }.ToJsonString();

    public void Dispose() => _ecdsa.Dispose();

    private JsonObject PublicJwk(ECParameters p) => new()
    {
        ["kty"] = "EC",
        ["crv"] = "P-256",
        ["x"] = Base64UrlEncoder.Encode(p.Q.X),
        ["y"] = Base64UrlEncoder.Encode(p.Q.Y),
        ["kid"] = KeyId,
        ["use"] = "sig",
        ["alg"] = "ES256",
    };

    // RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace.
    private static string Thumbprint(ECParameters p)
    {
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(p.Q.X)}\",\"y\":\"{Base64UrlEncoder.Encode(p.Q.Y)}\"}}";
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}
