using System.Buffers;
using System.Text;

namespace IrSuite.Grpc.Internal;

/// <summary>
/// The grpc-message encoding: UTF-8, then bytes 0x20-0x7E except '%' kept, every other byte as %XX
/// (upper-case hex). Decoding never fails: a malformed escape is kept as it is.
/// </summary>
internal static class PercentEncoding
{
    public static string Encode(string message, int maxBytes = GrpcProtocol.MaxStatusMessageBytes)
    {
        var needs = false;
        foreach (var c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                needs = true;
                break;
            }
        }

        if (!needs && message.Length <= maxBytes)
        {
            return message;
        }

        // Unpaired surrogates become U+FFFD through the replacing UTF-8 encoder.
        var utf8 = Encoding.UTF8.GetBytes(message);
        var length = TruncateUtf8(utf8, maxBytes);
        var builder = new StringBuilder(length + 16);
        for (var i = 0; i < length; i++)
        {
            var b = utf8[i];
            if (b >= 0x20 && b <= 0x7E && b != (byte)'%')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(HexUpper[b >> 4]).Append(HexUpper[b & 0xF]);
            }
        }

        return builder.ToString();
    }

    public static string Decode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = ArrayPool<byte>.Shared.Rent(value.Length);
        try
        {
            var count = 0;
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c == '%' && i + 2 < value.Length
                    && TryHex(value[i + 1], out var hi) && TryHex(value[i + 2], out var lo))
                {
                    bytes[count++] = (byte)((hi << 4) | lo);
                    i += 2;
                }
                else
                {
                    // Header values are ASCII; anything else is kept as '?' rather than failing.
                    bytes[count++] = c <= 0x7F ? (byte)c : (byte)'?';
                }
            }

            return Encoding.UTF8.GetString(bytes, 0, count);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static int TruncateUtf8(byte[] utf8, int maxBytes)
    {
        if (utf8.Length <= maxBytes)
        {
            return utf8.Length;
        }

        var length = maxBytes;
        // Do not cut a multi-byte sequence: back up to the start of the last code point.
        while (length > 0 && (utf8[length] & 0xC0) == 0x80)
        {
            length--;
        }

        return length;
    }

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'A' and <= 'F' => c - 'A' + 10,
            >= 'a' and <= 'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }

    private const string HexUpper = "0123456789ABCDEF";
}
