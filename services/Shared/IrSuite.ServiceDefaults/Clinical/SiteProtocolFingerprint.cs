using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace IrSuite.ServiceDefaults.Clinical;

/// <summary>Canonical JSON of a protocol (keys sorted at every level) and a short SHA-256 fingerprint of it.</summary>
public static class SiteProtocolFingerprint
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>The effective protocol as canonical JSON (what the fingerprint covers; also what GetSiteProtocol returns).</summary>
    public static string CanonicalJson(SiteProtocol protocol)
    {
        var node = JsonSerializer.SerializeToNode(protocol, Options)!.AsObject();
        node.Remove(nameof(SiteProtocol.File));
        return Sort(node)!.ToJsonString();
    }

    /// <summary>First 12 hex digits of the SHA-256 of <see cref="CanonicalJson"/>.</summary>
    public static string Of(SiteProtocol protocol) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson(protocol))))[..12];

    private static JsonNode? Sort(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sort(p.Value?.DeepClone())))),
        JsonArray a => new JsonArray(a.Select(e => Sort(e?.DeepClone())).ToArray()),
        _ => node?.DeepClone(),
    };
}
