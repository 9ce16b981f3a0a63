using System.Text;
using System.Text.Json;

namespace IrSuite.Irctl.Connection;

/// <summary>What <c>config show</c> tells about a token without printing it: its claims, read (not verified) from the payload.</summary>
public sealed record JwtSummary(string? Subject, IReadOnlyList<string> Roles, string? Issuer, DateTimeOffset? Expires)
{
    /// <summary>Decodes the payload of a compact JWT; null when it is not one.</summary>
    public static JwtSummary? TryDecode(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload)));
            var root = document.RootElement;
            string? Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            var roles = new List<string>();
            if (root.TryGetProperty("roles", out var array))
            {
                if (array.ValueKind == JsonValueKind.Array)
                {
                    roles.AddRange(array.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!));
                }
                else if (array.ValueKind == JsonValueKind.String)
                {
                    roles.Add(array.GetString()!);
                }
            }

            DateTimeOffset? expires = root.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            return new JwtSummary(Text("sub"), roles, Text("iss"), expires);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }
}
