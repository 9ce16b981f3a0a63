using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace IrSuite.Fuzz.Tests;

/// <summary>
/// Builds protobuf payloads for a request type straight from its descriptor, at the wire level (so out-of-range
/// enums, NaN and impossible timestamps can be written), then optionally damages the bytes.
/// </summary>
public sealed class ProtobufMutator(IReadOnlyList<string> knownIds)
{
    private const int MaxDepth = 5;

    // Keeps a message well under the 4 MiB receive limit: huge strings and long repeats, but not both at once.
    private const int MaxStringChars = 200_000;

    private static readonly string[] Words =
    [
        "", " ", "\t\n", "L1", "T12", "S1", "C1", "L9", "l1", "1950-01-01", "2030-12-31", "1900-02-30", "9999-99-99", "nurse-1",
        "radiologist-1", "PMMA", "LOT-1", "cefazolin 1 g IV", "IR-1", "REC-1", "00000000-0000-0000-0000-000000000000",
        "not-a-uuid", "{00000000-0000-0000-0000-00000000000G}", "-1", "0", "99999999999999999999", "1e309", "NaN",
        "'; DROP TABLE referrals; --", "%s%n%x", "{0}{1}", "\0", "\u0000\u0001\u001f", "Ünïcödé", "患者", "😀🦴💉",
        "\u202Eevil", "\uFEFF", "\uFFFF", "a\u0301", "<script>", "../../etc/passwd", "null", "true",
    ];

    public IReadOnlyList<string> KnownIds { get; } = knownIds;

    /// <summary>A decodable message of <paramref name="type"/> whose fields carry random, often hostile, values.</summary>
    public byte[] Valid(MessageDescriptor type, Random random)
    {
        var budget = MaxStringChars;
        return Message(type, random, 0, ref budget);
    }

    /// <summary>Damages an encoded message; <paramref name="kind"/> names the mutation (for the report).</summary>
    public byte[] Mutate(byte[] payload, MessageDescriptor type, Random random, out string kind)
    {
        switch (random.Next(12))
        {
            case 0:
                kind = "bit-flips";
                var flipped = payload.Length == 0 ? [0] : (byte[])payload.Clone();
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                }

                return flipped;
            case 1:
                kind = "truncated";
                return payload.Length == 0 ? [0x0a] : payload[..random.Next(payload.Length)];
            case 2:
                kind = "random-bytes";
                return RandomBytes(random, random.Next(0, 600));
            case 3:
                kind = "varint-overflow";
                return [.. payload, .. Tag(AnyFieldNumber(type, random), 0), .. Enumerable.Repeat((byte)0xFF, random.Next(10, 16)), 0x01];
            case 4:
                kind = "wrong-wire-type";
                return [.. payload, .. WrongWireType(type, random)];
            case 5:
                kind = "huge-length-prefix";
                return [.. payload, .. Tag(AnyFieldNumber(type, random), 2), .. Varint((ulong)random.NextInt64(1 << 20, uint.MaxValue)), .. RandomBytes(random, random.Next(0, 16))];
            case 6:
                kind = "nested-garbage";
                return [.. payload, .. NestedGarbage(type, random)];
            case 7:
                kind = "inserted-bytes";
                var at = random.Next(payload.Length + 1);
                return [.. payload.AsSpan(0, at), .. RandomBytes(random, random.Next(1, 32)), .. payload.AsSpan(at)];
            case 8:
                kind = "unknown-fields";
                return [.. payload, .. Tag(random.Next(1000, 536_870_911), random.Next(2) * 2), .. Varint(3), 1, 2, 3];
            case 9:
                kind = "invalid-tag";
                // Field number 0, or the group wire types proto3 never uses.
                return [.. payload, .. (random.Next(2) == 0 ? Tag(0, 0) : Tag(AnyFieldNumber(type, random), 3 + random.Next(2))), 0x01];
            case 10:
                kind = "deep-nesting";
                return DeepNesting(random);
            default:
                kind = "spliced";
                var other = Valid(type, random);
                return [.. payload.AsSpan(0, random.Next(payload.Length + 1)), .. other.AsSpan(random.Next(other.Length + 1))];
        }
    }

    private byte[] Message(MessageDescriptor type, Random random, int depth, ref int budget)
    {
        using var bytes = new MemoryStream();
        var output = new CodedOutputStream(bytes);
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            // Leave about a third of the fields unset (the empty value), and stop recursing deep down.
            if (random.Next(3) == 0 || budget <= 0 || (depth >= MaxDepth && field.FieldType == FieldType.Message))
            {
                continue;
            }

            var count = field.IsRepeated ? (depth == 0 ? RepeatCount(random) : random.Next(0, 3)) : 1;
            for (var i = 0; i < count; i++)
            {
                WriteField(output, field, random, depth, ref budget);
            }
        }

        output.Flush();
        return bytes.ToArray();
    }

    private static int RepeatCount(Random random) => random.Next(20) switch
    {
        0 => random.Next(100, 400),
        < 6 => 0,
        _ => random.Next(1, 5),
    };

    private void WriteField(CodedOutputStream output, FieldDescriptor field, Random random, int depth, ref int budget)
    {
        var name = field.Name;
        budget -= 8;
        switch (field.FieldType)
        {
            case FieldType.String:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                var text = String(random);
                if (text.Length > budget)
                {
                    text = Words[random.Next(Words.Length)];
                }

                budget -= text.Length;
                output.WriteString(text);
                break;
            case FieldType.Bytes:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(RandomBytes(random, random.Next(0, 64))));
                break;
            case FieldType.Message:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(Message(field.MessageType, random, depth + 1, ref budget)));
                break;
            case FieldType.Enum:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                var values = field.EnumType.Values;
                output.WriteEnum(random.Next(4) == 0 ? Pick(random, [-1, 99, int.MaxValue, int.MinValue, values.Count]) : values[random.Next(values.Count)].Number);
                break;
            case FieldType.Bool:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteBool(random.Next(2) == 0);
                break;
            case FieldType.Double:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed64);
                output.WriteDouble(Double(random));
                break;
            case FieldType.Float:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed32);
                output.WriteFloat((float)Double(random));
                break;
            case FieldType.Int64 or FieldType.UInt64 or FieldType.SInt64 or FieldType.Fixed64 or FieldType.SFixed64:
                WriteInteger(output, field, name == "seconds" ? Seconds(random) : Long(random));
                break;
            default:
                WriteInteger(output, field, name == "nanos" ? Pick(random, [0, -1, 999_999_999, 1_000_000_000, int.MinValue]) : Long(random));
                break;
        }
    }

    private static void WriteInteger(CodedOutputStream output, FieldDescriptor field, long value)
    {
        switch (field.FieldType)
        {
            case FieldType.Fixed64 or FieldType.SFixed64:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed64);
                output.WriteSFixed64(value);
                break;
            case FieldType.Fixed32 or FieldType.SFixed32:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed32);
                output.WriteSFixed32((int)value);
                break;
            case FieldType.SInt64:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteSInt64(value);
                break;
            case FieldType.SInt32:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteSInt32((int)value);
                break;
            case FieldType.Int32:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteInt32((int)value);
                break;
            case FieldType.UInt32:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteUInt32((uint)value);
                break;
            default:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteInt64(value);
                break;
        }
    }

    private string String(Random random) => random.Next(10) switch
    {
        0 or 1 when KnownIds.Count > 0 => KnownIds[random.Next(KnownIds.Count)],
        2 => new Guid(RandomBytes(random, 16)).ToString(),
        3 => new string((char)random.Next('a', 'z' + 1), Pick(random, [201, 1000, 10_000, 100_000])),
        4 => UnicodeSoup(random),
        _ => Words[random.Next(Words.Length)],
    };

    private static string UnicodeSoup(Random random)
    {
        var chars = new char[random.Next(1, 40)];
        for (var i = 0; i < chars.Length; i++)
        {
            // Skip the surrogate range: a lone surrogate is not encodable as UTF-8 (the encoder would replace it).
            var c = random.Next(0x20, 0xFFFF);
            chars[i] = (char)(c is >= 0xD800 and <= 0xDFFF ? c - 0x1000 : c);
        }

        return new string(chars);
    }

    private static double Double(Random random) => random.Next(12) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => -0.0,
        4 => double.MaxValue,
        5 => double.Epsilon,
        6 => -random.NextDouble() * 1000,
        7 => 1e308,
        _ => Math.Round(random.NextDouble() * Pick(random, [5.0, 30, 100, 5000]), 2),
    };

    private static long Long(Random random) => random.Next(10) switch
    {
        0 => long.MinValue,
        1 => long.MaxValue,
        2 => int.MinValue,
        3 => int.MaxValue,
        4 => -1,
        5 => 0,
        _ => random.Next(-10, 200),
    };

    private static long Seconds(Random random) => random.Next(6) switch
    {
        0 => long.MinValue,
        1 => long.MaxValue,
        2 => -62135596801,
        3 => 253402300800,
        _ => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + random.Next(-400_000_000, 400_000_000),
    };

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static int AnyFieldNumber(MessageDescriptor type, Random random) =>
        type.Fields.InFieldNumberOrder() is { Count: > 0 } fields ? fields[random.Next(fields.Count)].FieldNumber : 1;

    private static byte[] Tag(int fieldNumber, int wireType) => Varint(((ulong)(uint)fieldNumber << 3) | (uint)wireType);

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] WrongWireType(MessageDescriptor type, Random random)
    {
        var fields = type.Fields.InFieldNumberOrder();
        if (fields.Count == 0)
        {
            return [.. Tag(1, 1), 1, 2, 3, 4, 5, 6, 7, 8];
        }

        var field = fields[random.Next(fields.Count)];
        // A varint where a length-delimited value belongs and the other way round; fixed widths for both.
        return (field.FieldType is FieldType.String or FieldType.Bytes or FieldType.Message, random.Next(3)) switch
        {
            (true, 0) => [.. Tag(field.FieldNumber, 0), 0x96, 0x01],
            (true, 1) => [.. Tag(field.FieldNumber, 5), 1, 2, 3, 4],
            (true, _) => [.. Tag(field.FieldNumber, 1), 1, 2, 3, 4, 5, 6, 7, 8],
            (false, 0) => [.. Tag(field.FieldNumber, 2), 3, 0xFF, 0xFF, 0xFF],
            (false, 1) => [.. Tag(field.FieldNumber, 5), 1, 2, 3, 4],
            _ => [.. Tag(field.FieldNumber, 1), 1, 2, 3, 4, 5, 6, 7, 8],
        };
    }

    private static byte[] NestedGarbage(MessageDescriptor type, Random random)
    {
        var messages = type.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message).ToList();
        var number = messages.Count > 0 ? messages[random.Next(messages.Count)].FieldNumber : AnyFieldNumber(type, random);
        var garbage = RandomBytes(random, random.Next(1, 200));
        return [.. Tag(number, 2), .. Varint((ulong)garbage.Length), .. garbage];
    }

    /// <summary>Start-groups nested past the parser's recursion limit, or length-delimited fields nested a few hundred deep.</summary>
    private static byte[] DeepNesting(Random random)
    {
        var depth = random.Next(50, 400);
        if (random.Next(2) == 0)
        {
            return [.. Enumerable.Repeat(Tag(1, 3), depth).SelectMany(b => b)];
        }

        byte[] inner = [0x08, 0x01];
        for (var i = 0; i < depth; i++)
        {
            inner = [.. Tag(1, 2), .. Varint((ulong)inner.Length), .. inner];
        }

        return inner;
    }
}
