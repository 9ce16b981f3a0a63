using System.Text;
using Google.Protobuf.Reflection;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Security.Tests.Auth;

/// <summary>
/// The role matrix, exhaustively, over real gRPC: every RPC the embedded suite serves, called with a token holding each
/// single role, is PERMISSION_DENIED exactly when <see cref="AccessPolicy"/> does not list that role, and gets past the
/// check (an answer from the handler: OK, INVALID_ARGUMENT, NOT_FOUND...) when it does.
/// </summary>
public sealed class RoleMatrixTests(RoleMatrixTests.Suite suite) : IClassFixture<RoleMatrixTests.Suite>
{
    public static TheoryData<string> AllRoles() => new(Roles.All);

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task EveryRpc_CalledWithOneRole_AllowedExactlyAsTheMatrixSays(string role)
    {
        using var channel = suite.Host.ChannelAs($"matrix-{role}", role);
        var outcomes = new List<string>();
        foreach (var rpc in suite.Rpcs)
        {
            var status = await AnyCall.StatusOfAsync(channel, rpc);
            var key = rpc.Service.FullName + "/" + rpc.Name;
            var allowed = AccessPolicy.Rules[key].Contains(role);
            var denied = status.StatusCode == StatusCode.PermissionDenied && status.Detail.StartsWith(rpc.Name + " is allowed to:", StringComparison.Ordinal);
            if (allowed == denied || status.StatusCode is StatusCode.Unauthenticated or StatusCode.Internal or StatusCode.Unknown)
            {
                outcomes.Add($"{key} as {role}: {status.StatusCode} ({status.Detail}), matrix says {(allowed ? "allowed" : "denied")}");
            }
        }

        Assert.Empty(outcomes);
    }

    [Fact]
    public void Matrix_CoversEveryServedRpc_AndNamesNoOther()
    {
        var served = suite.Rpcs.Select(r => r.Service.FullName + "/" + r.Name).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(served.Order(StringComparer.Ordinal), AccessPolicy.Rules.Keys.Order(StringComparer.Ordinal));
        Assert.All(AccessPolicy.Rules.Values, roles => Assert.All(roles, r => Assert.Contains(r, Roles.All)));
    }

    [Fact]
    public async Task TokenWithNoKnownRole_DeniedEverywhere()
    {
        using var channel = suite.Host.ChannelAs("nobody-in-particular", "janitor");
        foreach (var rpc in suite.Rpcs)
        {
            Assert.Equal(StatusCode.PermissionDenied, (await AnyCall.StatusOfAsync(channel, rpc)).StatusCode);
        }
    }

    /// <summary>docs/security/role-matrix.md is generated from the matrix; IRSUITE_UPDATE_DOCS=1 rewrites it.</summary>
    [Fact]
    public void RoleMatrixDocument_MatchesTheMatrix()
    {
        var path = Path.Combine(PeerProcess.RepoRoot, "docs", "security", "role-matrix.md");
        var expected = Render();
        if (Environment.GetEnvironmentVariable("IRSUITE_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, expected);
        }

        Assert.True(File.Exists(path), "docs/security/role-matrix.md is missing: run this test with IRSUITE_UPDATE_DOCS=1.");
        Assert.Equal(expected, File.ReadAllText(path));
    }

    private static string Render()
    {
        var text = new StringBuilder();
        text.Append("# Role matrix\n\n");
        text.Append("Generated from `services/Shared/IrSuite.ServiceDefaults/Security/AccessPolicy.cs` (the only place access is declared;\n");
        text.Append("decision 0011) by `RoleMatrixTests.RoleMatrixDocument_MatchesTheMatrix`, which fails when the two differ.\n");
        text.Append("Every other RPC name is PERMISSION_DENIED for everybody; `grpc.health.v1.Health` and server reflection need no token.\n\n");
        text.Append("| RPC | ").AppendJoin(" | ", Roles.All).Append(" |\n");
        text.Append("|---|").Append(string.Concat(Roles.All.Select(_ => ":-:|"))).Append('\n');
        foreach (var (rpc, roles) in AccessPolicy.Rules.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            text.Append("| `").Append(rpc).Append("` | ").AppendJoin(" | ", Roles.All.Select(r => roles.Contains(r) ? "yes" : "")).Append(" |\n");
        }

        return text.ToString();
    }

    /// <summary>One embedded suite for the whole class.</summary>
    public sealed class Suite : IAsyncLifetime
    {
        public InProcessSuite Host { get; private set; } = null!;

        public IReadOnlyList<MethodDescriptor> Rpcs { get; private set; } = [];

        public async Task InitializeAsync()
        {
            Host = await InProcessSuite.StartAsync(new ManualTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero)));
            Rpcs = Host.Services.GetRequiredService<GrpcServiceRegistry>().Registrations
                .Where(r => r.Descriptor.FullName.StartsWith("ir.", StringComparison.Ordinal))
                .SelectMany(r => r.Descriptor.Methods)
                .ToList();
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
