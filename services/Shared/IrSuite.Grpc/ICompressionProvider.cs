using System.IO.Compression;

namespace IrSuite.Grpc;

/// <summary>A message compression algorithm named by grpc-encoding.</summary>
public interface ICompressionProvider
{
    /// <summary>The grpc-encoding name, e.g. <c>gzip</c>.</summary>
    string EncodingName { get; }

    Stream CreateCompressionStream(Stream output, CompressionLevel level);

    Stream CreateDecompressionStream(Stream input);
}
