using System.IO.Compression;

namespace IrSuite.Grpc.Internal;

internal sealed class GzipCompressionProvider : ICompressionProvider
{
    public string EncodingName => "gzip";

    public Stream CreateCompressionStream(Stream output, CompressionLevel level) => new GZipStream(output, level, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream input) => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true);
}

/// <summary>HTTP "deflate" content coding: the zlib format (RFC 1950).</summary>
internal sealed class DeflateCompressionProvider : ICompressionProvider
{
    public string EncodingName => "deflate";

    public Stream CreateCompressionStream(Stream output, CompressionLevel level) => new ZLibStream(output, level, leaveOpen: true);

    public Stream CreateDecompressionStream(Stream input) => new ZLibStream(input, CompressionMode.Decompress, leaveOpen: true);
}

/// <summary>The providers a peer supports, and the grpc-accept-encoding value that advertises them.</summary>
internal sealed class CompressionRegistry
{
    public static readonly CompressionRegistry Default = new([new GzipCompressionProvider(), new DeflateCompressionProvider()]);

    private readonly Dictionary<string, ICompressionProvider> _providers;

    public CompressionRegistry(IEnumerable<ICompressionProvider> providers)
    {
        _providers = providers.ToDictionary(p => p.EncodingName, StringComparer.Ordinal);
        AcceptEncoding = string.Join(",", new[] { GrpcProtocol.IdentityEncoding }.Concat(_providers.Keys));
    }

    public string AcceptEncoding { get; }

    public ICompressionProvider? Find(string name) => _providers.GetValueOrDefault(name);

    /// <summary>True when a comma-separated grpc-accept-encoding value lists <paramref name="name"/>.</summary>
    public static bool Accepts(string? acceptEncoding, string name)
    {
        if (string.IsNullOrEmpty(acceptEncoding))
        {
            return false;
        }

        foreach (var range in acceptEncoding.AsSpan().Split(','))
        {
            if (acceptEncoding.AsSpan(range).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
