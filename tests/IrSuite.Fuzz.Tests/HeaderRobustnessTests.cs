using Grpc.Health.V1;
using Google.Protobuf;
using IrSuite.Grpc;

namespace IrSuite.Fuzz.Tests;

/// <summary>Regressions the fuzzer found in the transport, pinned as plain tests (decision 0006).</summary>
public sealed class HeaderRobustnessTests(FuzzSuite suite) : IClassFixture<FuzzSuite>
{
    [Fact]
    public async Task NonAsciiHeader_AnsweredOnItsOwnStream_OtherCallsOnTheConnectionSucceed()
    {
        var health = RawRequest.Frame(new HealthCheckRequest().ToByteArray());
        var bad = Enumerable.Range(0, 8).Select(_ => suite.Client.SendAsync(new RawRequest("/grpc.health.v1.Health/Check", health)
        {
            Headers = [new("grpc-encoding", "\u00e9"), new("x-note", "caf\u00e9")],
        }));
        var good = Enumerable.Range(0, 32).Select(_ => suite.Client.SendAsync(new RawRequest("/grpc.health.v1.Health/Check", health)));

        var outcomes = await Task.WhenAll(bad.Concat(good));

        Assert.All(outcomes.Take(8), o => Assert.Equal(StatusCode.Unimplemented, o.Code));
        Assert.All(outcomes.Skip(8), o => Assert.Equal(StatusCode.OK, o.Code));
        Assert.Empty(suite.Errors.Entries);
    }
}
