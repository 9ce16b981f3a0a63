using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Google.Protobuf;

namespace IrSuite.Grpc.Internal;

/// <summary>
/// Length-prefixed messages: 1 byte compressed flag + 4 bytes big-endian length + payload.
/// Shared by the server and the client so both sides frame, compress and limit identically.
/// </summary>
internal static class MessageFraming
{
    /// <summary>Reads a frame header when 5 bytes are available; throws INTERNAL for a flag other than 0 or 1.</summary>
    public static bool TryReadHeader(in ReadOnlySequence<byte> buffer, out bool compressed, out int length)
    {
        compressed = false;
        length = 0;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
        buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
        compressed = header[0] switch
        {
            0 => false,
            1 => true,
            _ => throw new RpcException(new Status(StatusCode.Internal, "Invalid compressed flag in message header.")),
        };
        var raw = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        length = raw > int.MaxValue ? int.MaxValue : (int)raw;
        return true;
    }

    /// <summary>Checks a declared length against the receive limit before anything is buffered.</summary>
    public static void CheckReceiveLimit(int length, int maxReceive)
    {
        if (length > maxReceive)
        {
            throw new RpcException(new Status(
                StatusCode.ResourceExhausted,
                $"Received message larger than max ({length} vs. {maxReceive})"));
        }
    }

    /// <summary>Writes one framed message, compressed when a provider is given and the flags allow it.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, ICompressionProvider? compression, CompressionLevel level, int maxSend)
    {
        var size = message.CalculateSize();
        if (compression is null)
        {
            CheckSendLimit(size, maxSend);
            var span = writer.GetSpan(GrpcProtocol.HeaderSize + size);
            span[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
            message.WriteTo(span.Slice(GrpcProtocol.HeaderSize, size));
            writer.Advance(GrpcProtocol.HeaderSize + size);
            return;
        }

        var plain = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            message.WriteTo(plain.AsSpan(0, size));
            using var compressed = new MemoryStream(size / 2 + 64);
            compressed.Write(stackalloc byte[GrpcProtocol.HeaderSize]);
            using (var stream = compression.CreateCompressionStream(compressed, level))
            {
                stream.Write(plain, 0, size);
            }

            var payloadLength = (int)compressed.Length - GrpcProtocol.HeaderSize;
            CheckSendLimit(payloadLength, maxSend);
            var bytes = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);
            bytes[0] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(bytes[1..], (uint)payloadLength);
            writer.Write(bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>Parses a frame's payload, decompressing it first when its flag says so.</summary>
    public static T Parse<T>(in ReadOnlySequence<byte> payload, bool compressed, ICompressionProvider? decompression, MessageParser<T> parser, int maxReceive)
        where T : IMessage<T>
    {
        if (!compressed)
        {
            return ParseOrThrow(parser, payload);
        }

        if (decompression is null)
        {
            // The flag is set but the call declared no (or the identity) encoding.
            throw new RpcException(new Status(StatusCode.Internal, "Compressed message received without a grpc-encoding."));
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (int)Math.Min(payload.Length * 4, maxReceive + 1L)));
        var total = 0;
        try
        {
            using (var input = new ReadOnlySequenceStream(payload))
            using (var stream = decompression.CreateDecompressionStream(input))
            {
                while (true)
                {
                    if (total == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, total).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = stream.Read(buffer, total, buffer.Length - total);
                    if (read == 0)
                    {
                        break;
                    }

                    total += read;
                    if (total > maxReceive)
                    {
                        // A compression bomb must not exhaust memory: cap the decompressed size too.
                        throw new RpcException(new Status(
                            StatusCode.ResourceExhausted,
                            $"Decompressed message larger than max (over {maxReceive} bytes)"));
                    }
                }
            }

            return ParseOrThrow(parser, new ReadOnlySequence<byte>(buffer, 0, total));
        }
        catch (InvalidDataException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to decompress message."));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static T ParseOrThrow<T>(MessageParser<T> parser, in ReadOnlySequence<byte> payload)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Failed to deserialize message."));
        }
    }

    private static void CheckSendLimit(int size, int maxSend)
    {
        if (size > maxSend)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"Sending message larger than max ({size} vs. {maxSend})"));
        }
    }
}
