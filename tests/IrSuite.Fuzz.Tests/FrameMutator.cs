using System.IO.Compression;
using Google.Protobuf.Reflection;

namespace IrSuite.Fuzz.Tests;

/// <summary>gRPC and HTTP/2 level damage around a payload: the 5-byte prefix, the headers, the path, the stream's end.</summary>
public static class FrameMutator
{
    private static readonly string?[] ContentTypes =
    [
        null, "", "application/json", "text/plain", "application/grpc+json", "application/grpc+proto", "application/grpc; charset=utf-8",
        "application/grpcx", "application/grpc-web", "application/GRPC", "multipart/form-data; boundary=x", "\u00e9/\u00e9",
    ];

    private static readonly string[] Timeouts =
    [
        "", "abc", "1", "S", "-5S", "0S", "1n", "1u", "1m", "5m", "999999999H", "1000000000H", "99999999999S", " 5S", "5 S", "5s", "1.5S",
        "\u00e9S", "100000000n", "2M",
    ];

    private static readonly string[] Encodings = ["br", "zstd", "snappy", "GZIP", "gzip, deflate", "", "identity", "gzip", "deflate", "\u00e9"];

    /// <summary>One frame-level case; <paramref name="kind"/> names it for the histogram.</summary>
    public static RawRequest Create(MethodDescriptor method, byte[] payload, Random random, out string kind)
    {
        var path = $"/{method.Service.FullName}/{method.Name}";
        switch (random.Next(16))
        {
            case 0:
                kind = "compressed-flag-without-encoding";
                return new RawRequest(path, RawRequest.Frame(payload, flag: 1));
            case 1:
                kind = "invalid-compressed-flag";
                return new RawRequest(path, RawRequest.Frame(payload, flag: (byte)random.Next(2, 256)));
            case 2:
                kind = "length-larger-than-body";
                return new RawRequest(path, RawRequest.Frame(payload, declaredLength: random.Next(2) == 0 ? uint.MaxValue : (uint)(payload.Length + random.Next(1, 100_000))));
            case 3:
                kind = "length-smaller-than-body";
                return new RawRequest(path, payload.Length == 0 ? [.. RawRequest.Frame(payload), 0x08] : RawRequest.Frame(payload, declaredLength: (uint)random.Next(payload.Length)));
            case 4:
                kind = "several-messages";
                var one = RawRequest.Frame(payload);
                return new RawRequest(path, [.. Enumerable.Repeat(one, random.Next(2, 5)).SelectMany(b => b)]);
            case 5:
                kind = "short-or-empty-prefix";
                return new RawRequest(path, RawRequest.Frame(payload)[..random.Next(0, 5)]);
            case 6:
                kind = "content-type";
                return new RawRequest(path, RawRequest.Frame(payload)) { ContentType = ContentTypes[random.Next(ContentTypes.Length)] };
            case 7:
                kind = "te-header";
                return new RawRequest(path, RawRequest.Frame(payload)) { Te = random.Next(2) == 0 ? null : "gzip" };
            case 8:
                kind = "grpc-timeout";
                return new RawRequest(path, RawRequest.Frame(payload)) { Headers = [new("grpc-timeout", Timeouts[random.Next(Timeouts.Length)])] };
            case 9:
                kind = "grpc-encoding";
                return Encoded(path, payload, random);
            case 10:
                kind = "huge-metadata";
                return new RawRequest(path, RawRequest.Frame(payload)) { Headers = HugeMetadata(random) };
            case 11:
                kind = "binary-metadata";
                return new RawRequest(path, RawRequest.Frame(payload))
                {
                    Headers = [new("x-trace-bin", random.Next(2) == 0 ? "!!!not base64!!!" : Convert.ToBase64String(Bytes(random, 64))), new("grpc-status", "0"), new("grpc-message", "%zz")],
                };
            case 12:
                kind = "reset-mid-body";
                return new RawRequest(path, RawRequest.Frame(payload.Length < 4 ? [.. payload, .. Bytes(random, 8)] : payload, declaredLength: (uint)Math.Max(payload.Length, 12))) { Reset = RawResetMode.MidBody };
            case 13:
                kind = "reset-after-body";
                return new RawRequest(path, RawRequest.Frame(payload)) { Reset = RawResetMode.AfterBody };
            case 14:
                var paths = new[] { $"/{method.Service.FullName}/Nope", "/ir.nope.v1.Nope/Get", "/", "//", $"/{method.Service.FullName}/", $"{path}/extra", $"{path}?q=1", "/%00/%ff", $"/{method.Service.FullName.ToUpperInvariant()}/{method.Name}", $"{path}%00" };
                var chosen = paths[random.Next(paths.Length)];
                // A NUL in the path makes the HTTP/2 request malformed: Kestrel resets the stream before any gRPC code runs.
                kind = chosen.Contains("%00", StringComparison.Ordinal) ? "malformed-path" : "path";
                return new RawRequest(chosen, RawRequest.Frame(payload));
            default:
                kind = "http-method";
                return new RawRequest(path, RawRequest.Frame(payload)) { Method = random.Next(3) switch { 0 => HttpMethod.Get, 1 => HttpMethod.Put, _ => HttpMethod.Delete } };
        }
    }

    private static RawRequest Encoded(string path, byte[] payload, Random random)
    {
        var encoding = Encodings[random.Next(Encodings.Length)];
        var body = random.Next(3) switch
        {
            // Properly compressed for the named encoding (when it is one we know).
            0 when encoding is "gzip" or "deflate" => RawRequest.Frame(Compress(payload, encoding), flag: 1),
            // Flag set but the bytes are not compressed: the decompressor must fail cleanly.
            1 => RawRequest.Frame(payload, flag: 1),
            _ => RawRequest.Frame(payload),
        };
        return new RawRequest(path, body) { Headers = [new("grpc-encoding", encoding), new("grpc-accept-encoding", random.Next(2) == 0 ? "gzip" : "\u00e9, ,,")] };
    }

    private static byte[] Compress(byte[] payload, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream stream = encoding == "gzip" ? new GZipStream(output, CompressionLevel.Fastest) : new ZLibStream(output, CompressionLevel.Fastest))
        {
            stream.Write(payload);
        }

        return output.ToArray();
    }

    /// <summary>
    /// Large metadata within Kestrel's limits (16 KiB a field: beyond it HPACK decoding fails and the whole connection
    /// is closed, by design; 32 KiB in all, which it advertises and HttpClient enforces): one long value, many headers,
    /// or several long values.
    /// </summary>
    private static KeyValuePair<string, string>[] HugeMetadata(Random random) => random.Next(3) switch
    {
        0 => [new("x-big", new string('m', random.Next(2_000, 10_000)))],
        1 => [.. Enumerable.Range(0, random.Next(50, 150)).Select(i => new KeyValuePair<string, string>($"x-h{i}", new string('v', 100)))],
        _ => [new("x-big1", new string('m', 10_000)), new("x-big2", new string('m', 10_000)), new("x-odd", "\u00e9\u00e8")],
    };

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
