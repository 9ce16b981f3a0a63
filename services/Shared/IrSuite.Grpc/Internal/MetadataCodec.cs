using System.Buffers.Text;
using Microsoft.Extensions.Primitives;

namespace IrSuite.Grpc.Internal;

/// <summary>Converts metadata to and from HTTP header values (base64 for -bin keys, padded or not).</summary>
internal static class MetadataCodec
{
    /// <summary>Adds header values to <paramref name="metadata"/>, skipping transport-owned names.</summary>
    public static void AddFromHeader(Metadata metadata, string name, StringValues values)
    {
        if (GrpcProtocol.IsReservedHeader(name))
        {
            return;
        }

        var key = name.ToLowerInvariant();
        var binary = Metadata.Entry.IsBinaryKey(key);
        foreach (var value in values)
        {
            if (value is null)
            {
                continue;
            }

            if (binary)
            {
                // Several values may be joined with ','; split before decoding.
                foreach (var range in value.AsSpan().Split(','))
                {
                    var part = value.AsSpan(range).Trim();
                    if (TryDecodeBase64(part, out var bytes))
                    {
                        metadata.Add(new Metadata.Entry(key, bytes));
                    }
                }
            }
            else if (IsLegalAscii(value))
            {
                metadata.Add(new Metadata.Entry(key, value.Trim()));
            }
        }
    }

    /// <summary>The header value of an entry: the ASCII value, or unpadded base64 of the bytes.</summary>
    public static string ToHeaderValue(Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes).TrimEnd('=') : entry.Value;

    public static bool TryDecodeBase64(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0)
        {
            return true;
        }

        // Receivers must accept unpadded values: pad them back to a multiple of four.
        var padding = (4 - text.Length % 4) % 4;
        if (padding == 3)
        {
            return false;
        }

        Span<char> padded = text.Length + padding <= 1024 ? stackalloc char[text.Length + padding] : new char[text.Length + padding];
        text.CopyTo(padded);
        padded[text.Length..].Fill('=');
        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (!Convert.TryFromBase64Chars(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer.AsSpan(0, written).ToArray();
        return true;
    }

    private static bool IsLegalAscii(string value)
    {
        foreach (var c in value)
        {
            if (c < 0x20 || c > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
