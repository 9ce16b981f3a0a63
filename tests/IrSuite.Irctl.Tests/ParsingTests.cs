using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using IrSuite.TestSupport;

namespace IrSuite.Irctl.Tests;

/// <summary>Option values and token payloads read without a suite.</summary>
public sealed class ParsingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("now", "2026-03-02T08:00:00+00:00")]
    [InlineData("now-3h", "2026-03-02T05:00:00+00:00")]
    [InlineData("+2d", "2026-03-04T08:00:00+00:00")]
    [InlineData("now+20m", "2026-03-02T08:20:00+00:00")]
    [InlineData("2026-03-05T07:00:00Z", "2026-03-05T07:00:00+00:00")]
    [InlineData("2026-03-05 07:00", "2026-03-05T07:00:00+00:00")]
    [InlineData("2026-03-05T09:00:00+02:00", "2026-03-05T07:00:00+00:00")]
    public void ParseTime_AbsoluteOrRelative_UtcInstant(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Invocation.ParseTime(text, Now, "--at"));
    }

    [Fact]
    public void ParseTime_Gibberish_UsageErrorNamingTheOption()
    {
        var error = Assert.Throws<UsageException>(() => Invocation.ParseTime("tomorrow-ish", Now, "--at"));

        Assert.Contains("--at", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JwtSummary_TestToken_SubjectRolesAndExpiry()
    {
        var token = TestIdentity.TokenAt(Now, TimeSpan.FromHours(8), "nurse-7", "nurse", "scheduler");

        var summary = JwtSummary.TryDecode(token);

        Assert.NotNull(summary);
        Assert.Equal("nurse-7", summary.Subject);
        Assert.Equal(["nurse", "scheduler"], summary.Roles);
        Assert.Equal(TestIdentity.Issuer, summary.Issuer);
        Assert.Equal(Now.AddHours(8), summary.Expires);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.%%%.c")]
    public void JwtSummary_NotAJwt_Null(string token) => Assert.Null(JwtSummary.TryDecode(token));

    [Fact]
    public void ExitCodes_StatusNames_Canonical()
    {
        Assert.Equal("FAILED_PRECONDITION", ExitCodes.Name(IrSuite.Grpc.StatusCode.FailedPrecondition));
        Assert.Equal("NOT_FOUND", ExitCodes.Name(IrSuite.Grpc.StatusCode.NotFound));
        Assert.Equal(4, ExitCodes.For(IrSuite.Grpc.StatusCode.FailedPrecondition));
        Assert.Equal(1, ExitCodes.For(IrSuite.Grpc.StatusCode.Internal));
    }
}
