using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IrSuite.Deployment.Tests;

/// <summary>
/// deploy/docker/Dockerfile, read instruction by instruction (no Docker engine here to build it): pinned base images,
/// a non-root numeric user, the conventional ports (and the board's on scheduling only), one target per service that
/// starts its host.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly IReadOnlyList<Stage> Stages = Parse(Repository.Read("deploy", "docker", "Dockerfile"));

    [Fact]
    public void BaseImages_AreDotNet10PinnedToFullVersionTags()
    {
        var stageNames = Stages.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var external = Stages.Where(s => !stageNames.Contains(s.From)).Select(s => s.From).Distinct().ToList();

        Assert.Equal(2, external.Count);
        Assert.All(external, image =>
        {
            Assert.DoesNotContain(":latest", image, StringComparison.Ordinal);
            Assert.Matches(PinnedDotNetImage(), image);
        });
        Assert.Contains(external, i => i.StartsWith("mcr.microsoft.com/dotnet/sdk:10.", StringComparison.Ordinal));
        Assert.Contains(external, i => i.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.", StringComparison.Ordinal));
    }

    [Fact]
    public void ServiceTargets_RunTheirHostAsANonRootUserOnTheConventionalPorts()
    {
        foreach (var (service, program) in Architecture.Services)
        {
            var target = Stages.SingleOrDefault(s => s.Name == service) ?? throw new Xunit.Sdk.XunitException($"no target {service}");
            var chain = Chain(target).ToList();
            // The runtime stage: the aspnet image, not the SDK.
            Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:", chain[^1].From, StringComparison.Ordinal);

            var user = chain.SelectMany(s => s.Instructions).Last(i => i.Keyword == "USER").Arguments;
            var uid = user.Split(':')[0];
            Assert.True(int.TryParse(uid, out var id) && id > 0, $"{service}: USER '{user}' is not a numeric non-root UID");

            var exposed = chain.SelectMany(s => s.Instructions).Where(i => i.Keyword == "EXPOSE")
                .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
            string[] expected = service == Architecture.BoardHost ? ["8080", "8081", Architecture.BoardPort] : ["8080", "8081"];
            Assert.Equal(expected, exposed.Order());

            var entrypoint = Assert.Single(target.Instructions, i => i.Keyword == "ENTRYPOINT").Arguments;
            var dll = $"IrSuite.{program}.Host.dll";
            Assert.Equal($"[\"dotnet\", \"{dll}\"]", entrypoint);

            // The publish stage it copies from builds that host's project, which exists with that assembly name.
            var copy = Assert.Single(target.Instructions, i => i.Keyword == "COPY").Arguments;
            var publishStage = Stages.Single(s => copy.Contains($"--from={s.Name} ", StringComparison.Ordinal));
            var project = $"{Architecture.HostFolder(service)}/IrSuite.{program}.Host.csproj";
            Assert.True(File.Exists(Repository.PathOf(project)), project);
            Assert.Contains(publishStage.Instructions, i => i.Keyword == "RUN" && i.Arguments.Contains($"dotnet publish {project}", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void RuntimeEnvironment_ListensOnTheConventionalAddresses()
    {
        var runtime = Stages.Single(s => s.Name == "runtime");
        var env = string.Join(' ', runtime.Instructions.Where(i => i.Keyword == "ENV").Select(i => i.Arguments));
        Assert.Contains("Grpc__Address=0.0.0.0:8080", env, StringComparison.Ordinal);
        Assert.Contains("Health__HttpAddress=0.0.0.0:8081", env, StringComparison.Ordinal);
    }

    [Fact]
    public void BoardPort_IsExposedByTheSchedulingTargetAlone_WhereTheHostsDefaultPutsIt()
    {
        // EXPOSE in the shared runtime stage would document the port on every service's image: only scheduling's own.
        var exposing = Stages.Where(s => s.Instructions.Any(i => i.Keyword == "EXPOSE"
            && i.Arguments.Split(' ').Contains(Architecture.BoardPort, StringComparer.Ordinal))).Select(s => s.Name);
        Assert.Equal([Architecture.BoardHost], exposing);

        // The image leaves Board:HttpAddress to the host's default (the gRPC port + 200), so the exposed port is where
        // it listens unless compose or Kubernetes say otherwise; they set it explicitly (ComposeTests, KustomizeOverlayTests).
        var env = string.Join(' ', Chain(Stages.Single(s => s.Name == Architecture.BoardHost))
            .SelectMany(s => s.Instructions).Where(i => i.Keyword == "ENV").Select(i => i.Arguments));
        Assert.DoesNotContain("Board__", env, StringComparison.Ordinal);
        var grpc = GrpcAddressPort().Match(env);
        Assert.True(grpc.Success, $"no Grpc__Address in the scheduling image's ENV: {env}");
        var grpcPort = int.Parse(grpc.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Architecture.BoardPort, (grpcPort + 200).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void RestoreLayer_CopiesEveryProjectTheHostsBuild()
    {
        // A project added under services/ but missing from the restore layer would break every image build.
        var copied = Stages.Single(s => s.Name == "build").Instructions.Where(i => i.Keyword == "COPY")
            .SelectMany(i => i.Arguments.Split(' ')[..^1]).ToHashSet(StringComparer.Ordinal);
        var projects = Directory.EnumerateFiles(Repository.PathOf("services"), "*.csproj", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Repository.Root, p).Replace('\\', '/'))
            // The embedded suite host and the client tools (irctl, the OR simulator) are not part of any service image.
            .Where(p => !p.StartsWith("services/IrSuite.SuiteHost/", StringComparison.Ordinal) && !p.StartsWith("services/Clients/", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(12, projects.Count);
        Assert.All(projects, p => Assert.Contains(p, copied));
        Assert.Contains("Directory.Packages.props", copied);
        Assert.Contains("Directory.Build.props", copied);
    }

    [Fact]
    public void DockerIgnore_KeepsBuildOutputAndLocalSecretsOutOfTheContext()
    {
        var ignored = Repository.Read(".dockerignore").Split('\n').Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("**/bin/", ignored);
        Assert.Contains("**/obj/", ignored);
        Assert.Contains("deploy/.local-secrets", ignored);
        Assert.Contains("deploy/docker/.env", ignored);
        Assert.Contains(".git/", ignored);
    }

    private static IEnumerable<Stage> Chain(Stage stage)
    {
        for (var current = stage; current is not null; current = Stages.SingleOrDefault(s => s.Name == current.From))
        {
            yield return current;
        }
    }

    private static List<Stage> Parse(string dockerfile)
    {
        var stages = new List<Stage>();
        var logical = LineContinuation().Replace(dockerfile, " ");
        foreach (var raw in logical.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = line[..space].ToUpperInvariant();
            var arguments = WhiteSpace().Replace(line[(space + 1)..].Trim(), " ");
            if (keyword == "FROM")
            {
                var parts = arguments.Split(' ');
                stages.Add(new Stage(parts.Length == 3 ? parts[2] : $"stage{stages.Count}", parts[0], []));
            }
            else
            {
                Assert.NotEmpty(stages);
                stages[^1].Instructions.Add(new Instruction(keyword, arguments));
            }
        }

        return stages;
    }

    private sealed record Stage(string Name, string From, List<Instruction> Instructions);

    private sealed record Instruction(string Keyword, string Arguments);

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex LineContinuation();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"^mcr\.microsoft\.com/dotnet/(sdk|aspnet):10\.\d+\.\d+$")]
    private static partial Regex PinnedDotNetImage();

    [GeneratedRegex(@"\bGrpc__Address=[0-9.]+:(\d+)\b")]
    private static partial Regex GrpcAddressPort();
}
