using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IrSuite.Deployment.Tests;

/// <summary>
/// deploy/docker/compose.yaml, parsed (Docker cannot run here): pinned images, explicit start-up order, one-shot
/// migrations, hardened service containers, and credentials only from required variables.
/// </summary>
public sealed partial class ComposeTests
{
    private static readonly JsonObject Compose = Yaml.Load(Repository.Read("deploy", "docker", "compose.yaml"));

    private static JsonObject Services => (JsonObject)Compose["services"]!;

    [Fact]
    public void Services_IncludeTheSuiteItsInfrastructureAndTelemetry()
    {
        var expected = Architecture.Names.SelectMany(n => new[] { n, n + "-migrate" })
            .Concat(["postgres", "rabbitmq", "otel-collector", "jaeger"]);
        Assert.Equal(expected.Order(), Services.Select(s => s.Key).Order());
    }

    [Fact]
    public void Images_ArePinned_AndIrSuiteImagesTakeARequiredVersion()
    {
        foreach (var (name, service) in Services)
        {
            var image = service!["image"].Text() ?? throw new Xunit.Sdk.XunitException($"{name}: no image");
            var tag = image[(image.LastIndexOf(':') + 1)..];
            if (image.StartsWith("irsuite/", StringComparison.Ordinal))
            {
                Assert.Matches(@"^irsuite/[a-z-]+:\$\{IRSUITE_VERSION:\?[^}]*\}$", image);
            }
            else
            {
                Assert.True(image.Contains(':', StringComparison.Ordinal) && tag != "latest" && Regex.IsMatch(tag, @"^\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$"), $"{name}: '{image}' is not pinned");
            }
        }
    }

    [Fact]
    public void StartupOrder_EveryDependencyHasACondition_ThatTheTargetCanMeet()
    {
        foreach (var (name, service) in Services)
        {
            foreach (var (target, dependency) in service!["depends_on"] as JsonObject ?? [])
            {
                Assert.True(Services.ContainsKey(target), $"{name} depends on unknown {target}");
                var condition = dependency?["condition"].Text();
                switch (condition)
                {
                    case "service_healthy":
                        Assert.True(Services[target]!["healthcheck"] is JsonObject, $"{name} waits for {target} to be healthy, which has no healthcheck");
                        break;
                    case "service_completed_successfully":
                        Assert.Equal("no", Services[target]!["restart"].Text());
                        break;
                    case "service_started":
                        break;
                    default:
                        throw new Xunit.Sdk.XunitException($"{name} -> {target}: no condition");
                }
            }

            // Each service either reports its health or is waited on by no one for health (scratch images).
            Assert.True(service["healthcheck"] is JsonObject || service["depends_on"] is JsonObject || name is "jaeger",
                $"{name}: neither a healthcheck nor a start-up condition");
        }

        foreach (var name in Architecture.Names)
        {
            var service = Services[name]!;
            Assert.True(service["healthcheck"] is JsonObject, $"{name}: no healthcheck");
            Assert.Contains("/healthz/ready", string.Join(' ', service["healthcheck"]!["test"].Texts()), StringComparison.Ordinal);
            Assert.Equal("service_completed_successfully", service["depends_on"]![name + "-migrate"]?["condition"].Text());
            Assert.Equal("service_healthy", service["depends_on"]!["rabbitmq"]?["condition"].Text());
            var migrate = Services[name + "-migrate"]!;
            Assert.Equal(["migrate"], migrate["command"].Texts());
            Assert.Equal(service["image"].Text(), migrate["image"].Text());
            Assert.Equal("service_healthy", migrate["depends_on"]!["postgres"]?["condition"].Text());
        }
    }

    [Fact]
    public void IrSuiteContainers_AreHardened()
    {
        foreach (var name in Architecture.Names.SelectMany(n => new[] { n, n + "-migrate" }))
        {
            var service = Services[name]!;
            var uid = service["user"].Text()?.Split(':')[0];
            Assert.True(int.TryParse(uid, out var id) && id > 0, $"{name}: not a numeric non-root user");
            Assert.Equal("true", service["read_only"].Text());
            Assert.Equal(["/tmp"], service["tmpfs"].Texts());
            Assert.Equal(["ALL"], service["cap_drop"].Texts());
            Assert.Contains("no-new-privileges:true", service["security_opt"].Texts());
            Assert.Equal("deploy/docker/Dockerfile", service["build"]?["dockerfile"].Text());
            Assert.Equal(name.Replace("-migrate", "", StringComparison.Ordinal), service["build"]?["target"].Text());
        }
    }

    [Fact]
    public void Credentials_AreNeverLiteral_OnlyRequiredVariables()
    {
        var required = RequiredVariable();
        foreach (var (name, service) in Services)
        {
            foreach (var (key, value) in service!["environment"] as JsonObject ?? [])
            {
                var text = value.Text() ?? "";
                if (PasswordKey().IsMatch(key))
                {
                    Assert.Matches($"^{required}$", text);
                }

                if (text.Contains("Password=", StringComparison.Ordinal))
                {
                    Assert.Matches($"Password={required}", text);
                }
            }
        }

        // The shared env file holds no secret; the example env file leaves every password empty.
        var shared = EnvFile("irsuite.env");
        Assert.DoesNotContain(shared.Keys, k => PasswordKey().IsMatch(k));
        var example = EnvFile("example.env");
        Assert.All(example.Where(e => PasswordKey().IsMatch(e.Key)), e => Assert.Equal("", e.Value));
        Assert.Contains("deploy/docker/.env", Repository.Read(".gitignore").Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void ServiceEnvironment_FollowsTheConventions_AndPointsAtComposeServices()
    {
        var shared = EnvFile("irsuite.env");
        Assert.Equal("0.0.0.0:8080", shared["Grpc__Address"]);
        Assert.Equal("0.0.0.0:8081", shared["Health__HttpAddress"]);
        Assert.Equal("json", shared["Logging__Format"]);
        Assert.Equal("rabbitmq", shared["Bus__Transport"]);
        Assert.True(Services.ContainsKey(shared["Bus__Host"]));
        Assert.Equal("http://otel-collector:4317", shared["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var peers = shared.Where(e => e.Key.StartsWith("Services__", StringComparison.Ordinal) && e.Key.EndsWith("__Address", StringComparison.Ordinal)).ToList();
        Assert.Equal(Architecture.Names.SelectMany(Architecture.PeersOf).Distinct().Order(), peers.Select(p => p.Key.Split("__")[1]).Order());
        Assert.All(peers, p =>
        {
            var uri = new Uri(p.Value);
            Assert.Equal(p.Key.Split("__")[1], uri.Host);
            Assert.Equal(8080, uri.Port);
            Assert.Equal("https", uri.Scheme);
        });

        foreach (var name in Architecture.Names)
        {
            var env = (JsonObject)Services[name]!["environment"]!;
            Assert.Equal(["irsuite.env"], Services[name]!["env_file"].Texts());
            Assert.Equal("postgres", env[$"Databases__{name}__Provider"].Text());
            Assert.Equal(name.Replace('-', '_'), env[$"Databases__{name}__Schema"].Text());
            Assert.StartsWith("Host=postgres;", env[$"Databases__{name}__ConnectionString"].Text(), StringComparison.Ordinal);
            Assert.Equal(name, env["OTEL_SERVICE_NAME"].Text());
            // gRPC, and on scheduling the board's page (BoardPort_IsPublishedOnLoopback_ForSchedulingAlone).
            var ports = Services[name]!["ports"].Texts().ToList();
            Assert.Equal(name == Architecture.BoardHost ? 2 : 1, ports.Count);
            Assert.Single(ports, p => p.EndsWith(":8080", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void BoardPort_IsPublishedOnLoopback_ForSchedulingAlone()
    {
        var boardPort = ":" + Architecture.BoardPort;
        foreach (var (name, service) in Services)
        {
            var published = service!["ports"].Texts().Where(p => p.EndsWith(boardPort, StringComparison.Ordinal)).ToList();
            var address = service["environment"]?["Board__HttpAddress"].Text();
            if (name == Architecture.BoardHost)
            {
                // Set explicitly, not left to the gRPC port + 200 rule; served over the gRPC certificate (the host refuses
                // plain HTTP beyond loopback). Published on this machine's loopback only, where the embedded suite has it.
                Assert.Equal("0.0.0.0" + boardPort, address);
                Assert.Equal(["127.0.0.1:5300" + boardPort], published);
            }
            else
            {
                // No other container serves the page; scheduling-migrate keeps the host's default, beside its loopback gRPC address.
                Assert.Empty(published);
                Assert.Null(address);
            }
        }

        Assert.DoesNotContain(EnvFile("irsuite.env").Keys, k => k.StartsWith("Board__", StringComparison.Ordinal));
        Assert.StartsWith("127.0.0.1:", Services[Architecture.BoardHost + "-migrate"]!["environment"]!["Grpc__Address"].Text(), StringComparison.Ordinal);
    }

    [Fact]
    public void GrpcContainers_ServeTls_WithCertificatesAndKeysFromFileSecrets()
    {
        var shared = EnvFile("irsuite.env");
        var secrets = (JsonObject)Compose["secrets"]!;
        var files = new[]
        {
            "Grpc__Tls__CertificateFile", "Grpc__Tls__KeyFile", "Grpc__Tls__ClientCaFile", "Services__Tls__CaFile",
            "Services__Tls__ClientCertificateFile", "Services__Tls__ClientKeyFile", "Auth__Issuers__0__JwksFile",
            "Auth__Issuers__1__JwksFile", "Auth__Service__SigningKeyFile",
        };
        Assert.DoesNotContain(shared.Keys, k => k is "Auth__Service__SigningKey" || k.EndsWith("__Jwks", StringComparison.Ordinal));
        foreach (var name in Architecture.Names)
        {
            var mounted = Services[name]!["secrets"].Objects().ToDictionary(s => s["target"].Text()!, s => s["source"].Text()!);
            foreach (var key in files)
            {
                Assert.True(mounted.ContainsKey(shared[key]), $"{name}: {key}={shared[key]} is not a mounted secret");
            }

            Assert.Equal($"{name}-tls-crt", mounted[shared["Grpc__Tls__CertificateFile"]]);
            Assert.Equal($"{name}-tls-key", mounted[shared["Grpc__Tls__KeyFile"]]);
            Assert.All(mounted.Values, source => Assert.StartsWith("../.local-tls/", secrets[source]!["file"].Text(), StringComparison.Ordinal));
            // The one-shot migrate never listens: loopback, so it needs no certificate.
            Assert.StartsWith("127.0.0.1:", Services[name + "-migrate"]!["environment"]!["Grpc__Address"].Text(), StringComparison.Ordinal);
        }

        Assert.Contains("deploy/.local-tls/", Repository.Read(".gitignore").Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void Collector_ReceivesOtlpAndSendsTracesToJaeger()
    {
        var volume = Assert.Single(Services["otel-collector"]!["volumes"].Texts());
        Assert.StartsWith("./otel-collector.yaml:", volume, StringComparison.Ordinal);
        var config = Yaml.Load(Repository.Read("deploy", "docker", "otel-collector.yaml"));
        Assert.NotNull(config["receivers"]?["otlp"]?["protocols"]?["grpc"]);
        var traces = config["service"]!["pipelines"]!["traces"]!;
        Assert.Equal(["otlp"], traces["receivers"].Texts());
        var exporter = Assert.Single(traces["exporters"].Texts());
        Assert.StartsWith("jaeger:", config["exporters"]![exporter]!["endpoint"].Text(), StringComparison.Ordinal);
        Assert.Equal("true", Services["jaeger"]!["environment"]!["COLLECTOR_OTLP_ENABLED"].Text());
    }

    private static Dictionary<string, string> EnvFile(string name) =>
        Repository.Read("deploy", "docker", name).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    [GeneratedRegex(@"(?i)pass(word)?$|_PASS$|PASSWORD")]
    private static partial Regex PasswordKey();

    private static string RequiredVariable() => @"\$\{[A-Z_]+:\?[^}]*\}";
}
