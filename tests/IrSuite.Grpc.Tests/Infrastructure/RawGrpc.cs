using System.Buffers.Binary;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace IrSuite.Grpc.Tests.Infrastructure;

/// <summary>Hand-crafted gRPC requests over HttpClient, to send what a well-behaved client never would.</summary>
public static class RawGrpc
{
    public const string ProbePath = "/irsuite.testing.v1.ProbeService/";

    public static byte[] Frame(IMessage message, byte flag = 0) => Frame(message.ToByteArray(), flag);

    public static byte[] Frame(byte[] payload, byte flag = 0, uint? declaredLength = null)
    {
        var bytes = new byte[5 + payload.Length];
        bytes[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(1), declaredLength ?? (uint)payload.Length);
        payload.CopyTo(bytes, 5);
        return bytes;
    }

    public static async Task<RawResponse> SendAsync(
        HttpClient client, string path, byte[] body, string contentType = "application/grpc", Action<HttpRequestHeaders>? headers = null, HttpContent? content = null,
        HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path) { Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TE.ParseAdd("trailers");
        headers?.Invoke(request.Headers);
        request.Content = content ?? new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var responseBody = await response.Content.ReadAsByteArrayAsync();
        return new RawResponse(response, responseBody);
    }
}

/// <summary>What came back: HTTP status, headers, body bytes and the grpc status (from trailers or trailers-only headers).</summary>
public sealed class RawResponse
{
    public RawResponse(HttpResponseMessage response, byte[] body)
    {
        HttpStatus = (int)response.StatusCode;
        Headers = response.Headers.NonValidated.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        Trailers = response.TrailingHeaders.NonValidated.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        ContentType = response.Content.Headers.ContentType?.MediaType;
        Body = body;
    }

    public int HttpStatus { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public IReadOnlyDictionary<string, string> Trailers { get; }

    public string? ContentType { get; }

    public byte[] Body { get; }

    /// <summary>True when the status came in the only HEADERS frame (no body, no trailers).</summary>
    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status") && Trailers.Count == 0;

    public StatusCode? GrpcStatus =>
        (Trailers.TryGetValue("grpc-status", out var t) ? t : Headers.GetValueOrDefault("grpc-status")) is { } s
            ? (StatusCode)int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    public string? GrpcMessage => Trailers.TryGetValue("grpc-message", out var t) ? t : Headers.GetValueOrDefault("grpc-message");
}
