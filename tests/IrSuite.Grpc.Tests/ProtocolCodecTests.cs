using IrSuite.Grpc.Internal;

namespace IrSuite.Grpc.Tests;

public sealed class ProtocolCodecTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("bad \u263A 100%", "bad %E2%98%BA 100%25")]
    [InlineData("\t\nx", "%09%0Ax")]
    public void PercentEncoding_Encode_MatchesCCore(string message, string expected) =>
        Assert.Equal(expected, PercentEncoding.Encode(message));

    [Theory]
    [InlineData("bad %E2%98%BA 100%25", "bad \u263A 100%")]
    [InlineData("broken %G1 escape %", "broken %G1 escape %")]
    [InlineData("%F0%9F%98%88", "\U0001F608")]
    public void PercentEncoding_Decode_NeverFails(string wire, string expected) =>
        Assert.Equal(expected, PercentEncoding.Decode(wire));

    [Fact]
    public void PercentEncoding_Encode_TruncatesLongMessagesOnCodePointBoundary()
    {
        var encoded = PercentEncoding.Encode(new string('\u263A', 2000));
        var decoded = PercentEncoding.Decode(encoded);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(decoded) <= GrpcProtocol.MaxStatusMessageBytes);
        Assert.All(decoded, c => Assert.Equal('\u263A', c));
    }

    [Theory]
    [InlineData("2H", 2 * 3600_000.0)]
    [InlineData("3M", 3 * 60_000.0)]
    [InlineData("5S", 5_000.0)]
    [InlineData("250m", 250.0)]
    [InlineData("1500u", 1.5)]
    [InlineData("2000000n", 2.0)]
    [InlineData("99999999S", 99_999_999_000.0)]
    public void GrpcTimeout_Parse_EveryUnit(string header, double expectedMs)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(expectedMs, timeout.TotalMilliseconds, 3);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("1x")]
    [InlineData("123456789S")]
    [InlineData("-5S")]
    [InlineData("1.5S")]
    public void GrpcTimeout_Parse_InvalidMeansNoDeadline(string header) =>
        Assert.False(GrpcTimeout.TryParse(header, out _));

    [Fact]
    public void GrpcTimeout_Encode_RoundsUpAndFitsEightDigits()
    {
        Assert.Equal("1n", GrpcTimeout.Encode(TimeSpan.Zero));
        Assert.Equal("1500u", GrpcTimeout.Encode(TimeSpan.FromMilliseconds(1.5)));
        Assert.Equal("100001m", GrpcTimeout.Encode(TimeSpan.FromSeconds(100) + TimeSpan.FromTicks(1)));
        var large = GrpcTimeout.Encode(TimeSpan.FromDays(5000));
        Assert.True(large.Length <= 9);
        Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Encode(TimeSpan.FromSeconds(30)), out var back));
        Assert.Equal(TimeSpan.FromSeconds(30), back);
    }

    [Theory]
    [InlineData("q6s")]
    [InlineData("q6s=")]
    public void MetadataCodec_BinaryValues_PaddedAndUnpadded(string base64)
    {
        var metadata = new Metadata();
        MetadataCodec.AddFromHeader(metadata, "x-token-bin", base64);
        Assert.Equal(new byte[] { 0xab, 0xab }, metadata.GetValueBytes("x-token-bin"));
    }

    [Fact]
    public void MetadataCodec_BinaryValues_CommaJoinedAreSplitBeforeDecoding()
    {
        var metadata = new Metadata();
        MetadataCodec.AddFromHeader(metadata, "x-multi-bin", "AQ,AgM=");
        Assert.Equal([[1], [2, 3]], metadata.GetAll("x-multi-bin").Select(e => e.ValueBytes).ToArray());
    }

    [Fact]
    public void MetadataCodec_ReservedAndIllegalHeaders_AreNotMetadata()
    {
        var metadata = new Metadata();
        MetadataCodec.AddFromHeader(metadata, "grpc-timeout", "1S");
        MetadataCodec.AddFromHeader(metadata, "te", "trailers");
        MetadataCodec.AddFromHeader(metadata, ":path", "/x");
        MetadataCodec.AddFromHeader(metadata, "x-bad", "caf\u00e9");
        MetadataCodec.AddFromHeader(metadata, "x-good", "  ok  ");
        Assert.Equal("x-good: ok", Assert.Single(metadata).ToString());
    }

    [Fact]
    public void Metadata_RejectsIllegalKeysAndValues()
    {
        Assert.Throws<ArgumentException>(() => new Metadata().Add("Bad Key", "v"));
        Assert.Throws<ArgumentException>(() => new Metadata().Add("x-a", "line\nbreak"));
        Assert.Throws<ArgumentException>(() => new Metadata().Add("x-a-bin", "text"));
        Assert.Throws<ArgumentException>(() => new Metadata().Add("x-a", [1, 2]));
        Assert.Equal("x-upper", new Metadata().Add("X-Upper", "v")[0].Key);
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void GrpcProtocol_ContentType(string? contentType, bool expected) =>
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
}
