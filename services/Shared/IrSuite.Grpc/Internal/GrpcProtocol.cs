namespace IrSuite.Grpc.Internal;

/// <summary>Names and values of the gRPC-over-HTTP/2 protocol (grpc/grpc doc/PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string StatusDetailsTrailer = "grpc-status-details-bin";
    public const string MessageTypeHeader = "grpc-message-type";
    public const string IdentityEncoding = "identity";
    public const int HeaderSize = 5;

    /// <summary>The default receive limit of gRPC implementations (4 MiB).</summary>
    public const int DefaultMaxReceiveMessageSize = 4 * 1024 * 1024;

    /// <summary>Longest grpc-message we send: C-core caps header lists at 8 KiB (interop edge case 7.7).</summary>
    public const int MaxStatusMessageBytes = 1024;

    /// <summary>Largest grpc-status-details-bin payload we send, before base64.</summary>
    public const int MaxStatusDetailsBytes = 4096;

    /// <summary>True for application/grpc and application/grpc+proto (not grpc-web, not +json).</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (contentType.Length == ContentType.Length)
        {
            return true;
        }

        var rest = contentType.AsSpan(ContentType.Length);
        return rest[0] switch
        {
            ';' => true,
            '+' => rest[1..].StartsWith("proto", StringComparison.OrdinalIgnoreCase)
                   && (rest.Length == 6 || rest[6] == ';'),
            _ => false,
        };
    }

    /// <summary>Header names the transport owns: never exposed as application metadata.</summary>
    public static bool IsReservedHeader(string name) =>
        name.Length == 0
        || name[0] == ':'
        || name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("accept-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
}
