using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IrSuite.Deployment.Tests;

/// <summary>Invariants of every overlay as `kubectl kustomize` renders it (what would be applied to a cluster).</summary>
public sealed partial class KustomizeOverlayTests
{
    public static TheoryData<string> Overlays => ["dev", "prod"];

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Overlay_Renders_EveryPartOfTheDeployment(string overlay)
    {
        var m = Manifests.Render(overlay);

        foreach (var service in Architecture.Names)
        {
            m.Get("Deployment", service);
            Assert.Equal("None", m.Get("Service", service)["spec"]!["clusterIP"].Text());
            m.Get("PodDisruptionBudget", service);
            Assert.Equal("autoscaling/v2", m.Get("HorizontalPodAutoscaler", service)["apiVersion"].Text());
            m.Get("NetworkPolicy", service);
            m.Get("Job", service + "-migrate");
        }

        Assert.Equal("postgresql.cnpg.io/v1", Assert.Single(m.OfKind("Cluster"))["apiVersion"].Text());
        Assert.Equal("rabbitmq.com/v1beta1", Assert.Single(m.OfKind("RabbitmqCluster"))["apiVersion"].Text());
        m.Get("Deployment", "otel-collector");
        m.Get("Service", "otel-collector");
        var ns = Assert.Single(m.OfKind("Namespace"));
        Assert.All(m.Documents.Where(d => d["kind"].Text() != "Namespace"),
            d => Assert.Equal(Manifests.Name(ns), d["metadata"]!["namespace"].Text()));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Deployments_EveryContainer_HasLivenessReadinessAndStartupProbes(string overlay)
    {
        var m = Manifests.Render(overlay);
        foreach (var deployment in m.OfKind("Deployment"))
        {
            foreach (var container in Manifests.Containers(deployment))
            {
                var where = $"{Manifests.Name(deployment)}/{container["name"].Text()}";
                Assert.True(container["livenessProbe"] is JsonObject, $"{where}: no livenessProbe");
                Assert.True(container["readinessProbe"] is JsonObject, $"{where}: no readinessProbe");
            }
        }

        foreach (var service in Architecture.Names)
        {
            var container = Assert.Single(Manifests.Containers(m.ServiceDeployment(service)));
            // The gRPC port speaks TLS only (decision 0012) and kubelet's native gRPC probes do not do TLS: HTTP/1.1 probes
            // on the health port, /healthz/live (the process) for liveness and start-up, /healthz/ready (database,
            // broker, migrations) for readiness (HealthHttpEndpoint.LivePath, ReadyPath).
            foreach (var (probe, path) in new[] { ("startupProbe", "/healthz/live"), ("livenessProbe", "/healthz/live"), ("readinessProbe", "/healthz/ready") })
            {
                var http = container[probe]?["httpGet"];
                Assert.True(http is JsonObject, $"{service}: {probe} is not an HTTP probe");
                Assert.Equal("health", http!["port"].Text());
                Assert.Equal(path, http["path"].Text());
                Assert.Null(http["scheme"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Workloads_EveryContainer_HasCpuAndMemoryRequestsAndLimits(string overlay)
    {
        var m = Manifests.Render(overlay);
        foreach (var workload in m.Workloads)
        {
            foreach (var container in Manifests.Containers(workload))
            {
                var where = $"{Manifests.Name(workload)}/{container["name"].Text()}";
                foreach (var section in new[] { "requests", "limits" })
                {
                    foreach (var resource in new[] { "cpu", "memory" })
                    {
                        Assert.False(string.IsNullOrEmpty(container["resources"]?[section]?[resource].Text()), $"{where}: no {section}.{resource}");
                    }
                }
            }
        }

        foreach (var kind in new[] { "Cluster", "RabbitmqCluster" })
        {
            var resources = Assert.Single(m.OfKind(kind))["spec"]!["resources"];
            Assert.NotNull(resources?["requests"]?["memory"]);
            Assert.NotNull(resources?["limits"]?["memory"]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Workloads_EveryContainer_RunsNonRootOnAReadOnlyRootFilesystem(string overlay)
    {
        var m = Manifests.Render(overlay);
        foreach (var workload in m.Workloads)
        {
            var pod = Manifests.PodSpec(workload)["securityContext"];
            Assert.Equal("false", Manifests.PodSpec(workload)["automountServiceAccountToken"].Text());
            foreach (var container in Manifests.Containers(workload))
            {
                var where = $"{Manifests.Name(workload)}/{container["name"].Text()}";
                var own = container["securityContext"];
                string? Effective(string key) => own?[key].Text() ?? pod?[key].Text();

                Assert.True(Effective("runAsNonRoot") == "true", $"{where}: runAsNonRoot is not true");
                Assert.True(int.TryParse(Effective("runAsUser"), out var uid) && uid > 0, $"{where}: runAsUser is not a numeric non-root UID");
                Assert.True(own?["readOnlyRootFilesystem"].Text() == "true", $"{where}: root filesystem is writable");
                Assert.True(own?["allowPrivilegeEscalation"].Text() == "false", $"{where}: privilege escalation allowed");
                Assert.Contains("ALL", own?["capabilities"]?["drop"].Texts() ?? []);
                Assert.Equal("RuntimeDefault", own?["seccompProfile"]?["type"].Text() ?? pod?["seccompProfile"]?["type"].Text());
            }
        }

        // The .NET containers write only to /tmp (diagnostics socket, temp files): an emptyDir is mounted there.
        foreach (var workload in m.Workloads.Where(w => Manifests.PodLabels(w)["app.kubernetes.io/component"] is "service" or "migration"))
        {
            var container = Assert.Single(Manifests.Containers(workload));
            var tmp = Assert.Single(container["volumeMounts"].Objects(), v => v["mountPath"].Text() == "/tmp");
            var volume = Assert.Single(Manifests.PodSpec(workload)["volumes"].Objects(), v => v["name"].Text() == tmp["name"].Text());
            Assert.True(volume["emptyDir"] is JsonObject, $"{Manifests.Name(workload)}: /tmp is not an emptyDir");
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Images_EveryOne_IsPinnedToAVersionTag(string overlay)
    {
        var m = Manifests.Render(overlay);
        var images = m.Workloads.SelectMany(Manifests.Containers).Select(c => c["image"].Text() ?? "")
            .Append(Assert.Single(m.OfKind("Cluster"))["spec"]!["imageName"].Text() ?? "")
            .Append(Assert.Single(m.OfKind("RabbitmqCluster"))["spec"]!["image"].Text() ?? "")
            .ToList();

        Assert.All(images, image =>
        {
            var tag = ImageTag(image);
            Assert.True(tag is not null && tag != "latest" && VersionTag().IsMatch(tag), $"image '{image}' has no pinned version tag");
        });
        foreach (var service in Architecture.Names)
        {
            var image = Assert.Single(Manifests.Containers(m.ServiceDeployment(service)))["image"].Text()!;
            Assert.StartsWith($"irsuite/{service}:", image, StringComparison.Ordinal);
            // The migration Job runs the same build as the service it migrates.
            Assert.Equal(image, Assert.Single(Manifests.Containers(m.Get("Job", service + "-migrate")))["image"].Text());
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Services_EveryOne_SelectsPodsGuardedByANetworkPolicy(string overlay)
    {
        var m = Manifests.Render(overlay);
        var policies = m.OfKind("NetworkPolicy").ToList();
        foreach (var service in m.OfKind("Service"))
        {
            var selector = service["spec"]!["selector"].Labels();
            var workloads = m.Workloads.Where(w => selector.All(s => Manifests.PodLabels(w).TryGetValue(s.Key, out var v) && v == s.Value)).ToList();
            Assert.True(workloads.Count > 0, $"Service {Manifests.Name(service)} selects no rendered pods");
            foreach (var workload in workloads)
            {
                var labels = Manifests.PodLabels(workload);
                Assert.True(
                    policies.Any(p => Manifests.Selects(p["spec"]!["podSelector"], labels)
                        && p["spec"]!["policyTypes"].Texts().Contains("Ingress")
                        && p["spec"]!["ingress"] is JsonArray { Count: > 0 }),
                    $"no NetworkPolicy opens (and so restricts) ingress to the pods of Service {Manifests.Name(service)}");
            }
        }

        // Everything IrSuite runs is under the default deny, ingress and egress.
        var deny = m.Get("NetworkPolicy", "default-deny");
        Assert.Equal(["Ingress", "Egress"], deny["spec"]!["policyTypes"].Texts());
        Assert.Null(deny["spec"]!["ingress"]);
        Assert.Null(deny["spec"]!["egress"]);
        Assert.All(m.Workloads, w => Assert.True(Manifests.Selects(deny["spec"]!["podSelector"], Manifests.PodLabels(w)),
            $"{Manifests.Name(w)} is not under the default deny"));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ServicePorts_FollowTheGrpcAndHealthConventionAndMatchTheHostConfiguration(string overlay)
    {
        var m = Manifests.Render(overlay);
        foreach (var name in Architecture.Names)
        {
            var container = Assert.Single(Manifests.Containers(m.ServiceDeployment(name)));
            var ports = container["ports"].Objects().ToDictionary(p => p["name"].Text()!, p => p["containerPort"].Text());
            var expected = new Dictionary<string, string?> { ["grpc"] = "8080", ["health"] = "8081" };
            if (name == Architecture.BoardHost)
            {
                expected["board"] = Architecture.BoardPort;
            }

            Assert.Equal(expected, ports);

            // The host listens where the probes and the Service point (Grpc:Address, Health:HttpAddress, and on scheduling
            // Board:HttpAddress, set explicitly rather than left to the gRPC port + 200 rule).
            var env = m.Environment(container);
            Assert.Equal("0.0.0.0:8080", env["Grpc__Address"]);
            Assert.Equal("0.0.0.0:8081", env["Health__HttpAddress"]);
            Assert.Equal(name == Architecture.BoardHost ? "0.0.0.0:" + Architecture.BoardPort : null, env.GetValueOrDefault("Board__HttpAddress"));

            var service = m.Get("Service", name);
            var servicePorts = service["spec"]!["ports"].Objects().ToDictionary(p => p["name"].Text()!, p => (p["port"].Text(), p["targetPort"].Text()));
            Assert.Equal(("8080", "grpc"), servicePorts["grpc"]);
            Assert.Equal(("8081", "health"), servicePorts["health"]);
            Assert.Equal(expected.Keys.Order(), servicePorts.Keys.Order());
            if (name == Architecture.BoardHost)
            {
                Assert.Equal((Architecture.BoardPort, "board"), servicePorts["board"]);
                Assert.Equal("https", Assert.Single(service["spec"]!["ports"].Objects(), p => p["name"].Text() == "board")["appProtocol"].Text());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void PeerAddresses_PointAtRenderedServices_ExactlyThePeersTheCodeCalls(string overlay)
    {
        var m = Manifests.Render(overlay);
        var serviceNames = m.OfKind("Service").Select(Manifests.Name).ToHashSet(StringComparer.Ordinal);
        var ns = Manifests.Name(Assert.Single(m.OfKind("Namespace")));
        foreach (var name in Architecture.Names)
        {
            var env = m.Environment(Assert.Single(Manifests.Containers(m.ServiceDeployment(name))));
            var peers = env.Where(e => e.Key.StartsWith("Services__", StringComparison.Ordinal) && e.Key.EndsWith("__Address", StringComparison.Ordinal))
                .ToDictionary(e => e.Key["Services__".Length..^"__Address".Length], e => new Uri(e.Value));

            Assert.Equal(Architecture.PeersOf(name).Order(), peers.Keys.Order());
            foreach (var (peer, address) in peers)
            {
                // Peers are called over TLS, checked against the suite's CA (Services__Tls__CaFile).
                Assert.Equal("https", address.Scheme);
                Assert.Equal(8080, address.Port);
                var host = address.Host;
                Assert.True(host == peer || host == $"{peer}.{ns}" || host.StartsWith($"{peer}.{ns}.svc", StringComparison.Ordinal), $"{name}: {peer} at {address}");
                Assert.Contains(peer, serviceNames);
                Assert.Equal("None", m.Get("Service", peer)["spec"]!["clusterIP"].Text());
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void NetworkPolicies_AllowExactlyTheGrpcCallsTheArchitectureMakes(string overlay)
    {
        var m = Manifests.Render(overlay);
        var names = Architecture.Names.ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var policy = m.Get("NetworkPolicy", name)["spec"]!;
            Assert.True(Manifests.Selects(policy["podSelector"], Manifests.PodLabels(m.ServiceDeployment(name))));
            Assert.Equal(["Ingress", "Egress"], policy["policyTypes"].Texts());

            var egressToServices = policy["egress"].Objects()
                .SelectMany(rule => rule["to"].Objects())
                .Select(peer => peer["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"].Text())
                .Where(n => n is not null && names.Contains(n))
                .ToHashSet(StringComparer.Ordinal);
            Assert.Equal(Architecture.PeersOf(name).Order(), egressToServices.Order());

            var ingressFromServices = policy["ingress"].Objects()
                .SelectMany(rule => rule["from"].Objects())
                .Select(peer => peer["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"].Text())
                .Where(n => n is not null && names.Contains(n))
                .ToHashSet(StringComparer.Ordinal);
            var callers = names.Where(other => Architecture.PeersOf(other).Contains(name));
            Assert.Equal(callers.Order(), ingressFromServices.Order());

            // Ingress only ever to the gRPC port (or, on scheduling, in a rule of its own to the board's port);
            // egress only to named ports (no open "to anywhere" rule).
            Assert.All(policy["ingress"].Objects(), rule => Assert.Contains(
                string.Join(',', rule["ports"].Objects().Select(p => p["port"].Text()!)),
                name == Architecture.BoardHost ? new[] { "8080", Architecture.BoardPort } : new[] { "8080" }));
            Assert.All(policy["egress"].Objects(), rule =>
            {
                Assert.NotEmpty(rule["to"].Objects());
                Assert.NotEmpty(rule["ports"].Objects());
            });
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void NetworkPolicies_AdmitTheBoardPort_OnlyToScheduling_AndOnlyFromTheLabelledClientPods(string overlay)
    {
        var m = Manifests.Render(overlay);
        var policies = m.OfKind("NetworkPolicy").ToList();
        var names = Architecture.Names.ToHashSet(StringComparer.Ordinal);

        // Every ingress rule, of any policy selecting the service's pods, that admits the board's port: naming it, or
        // naming no port at all (every port).
        List<JsonObject> BoardRules(string service) => policies
            .Where(p => Manifests.Selects(p["spec"]!["podSelector"], Manifests.PodLabels(m.ServiceDeployment(service))))
            .SelectMany(p => p["spec"]!["ingress"].Objects())
            .Where(rule => !rule["ports"].Objects().Any() || rule["ports"].Objects().Any(p => p["port"].Text() == Architecture.BoardPort))
            .ToList();

        foreach (var name in names.Where(n => n != Architecture.BoardHost))
        {
            Assert.Empty(BoardRules(name));
        }

        var rule = Assert.Single(BoardRules(Architecture.BoardHost));
        var port = Assert.Single(rule["ports"].Objects());
        Assert.Equal(Architecture.BoardPort, port["port"].Text());
        Assert.Equal("TCP", port["protocol"].Text());

        // Not open to all sources: a rule without `from`, an ipBlock, an empty podSelector (every pod of the namespace) or
        // a namespaceSelector without a podSelector would admit far more than the staff's way in.
        var from = rule["from"].Objects().ToList();
        Assert.NotEmpty(from);
        var nothing = new Dictionary<string, string>(StringComparer.Ordinal);
        Assert.All(from, peer =>
        {
            Assert.Null(peer["ipBlock"]);
            Assert.True(peer["podSelector"] is JsonObject && !Manifests.Selects(peer["podSelector"], nothing), $"board ingress from every pod: {Manifests.ToJson(peer)}");
            Assert.True(peer["namespaceSelector"] is null || !Manifests.Selects(peer["namespaceSelector"], nothing), $"board ingress from every namespace: {Manifests.ToJson(peer)}");
        });

        // Staff reach it the way they reach gRPC: exactly the peers the gRPC rules admit other than IrSuite's services.
        var grpcClients = policies.Single(p => Manifests.Name(p) == Architecture.BoardHost)["spec"]!["ingress"].Objects()
            .Where(r => r["ports"].Objects().Any(p => p["port"].Text() == "8080"))
            .SelectMany(r => r["from"].Objects())
            .Where(peer => !names.Contains(peer["podSelector"]?["matchLabels"]?["app.kubernetes.io/name"].Text() ?? ""))
            .Select(Manifests.ToJson);
        Assert.Equal(grpcClients.Order(StringComparer.Ordinal), from.Select(Manifests.ToJson).Order(StringComparer.Ordinal));
        Assert.All(from, peer => Assert.Equal("true", peer["podSelector"]!["matchLabels"]?["irsuite.io/grpc-client"].Text()));
    }

    [Theory]
    [InlineData("dev", 1)]
    [InlineData("prod", 2)]
    public void Replicas_AndDisruptionBudgets_FollowTheOverlay(string overlay, int replicas)
    {
        var m = Manifests.Render(overlay);
        foreach (var name in Architecture.Names)
        {
            Assert.Equal(replicas.ToString(System.Globalization.CultureInfo.InvariantCulture), m.ServiceDeployment(name)["spec"]!["replicas"].Text());
            var hpa = m.Get("HorizontalPodAutoscaler", name)["spec"]!;
            Assert.Equal(name, hpa["scaleTargetRef"]!["name"].Text());
            Assert.Equal(replicas, int.Parse(hpa["minReplicas"].Text()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(int.Parse(hpa["maxReplicas"].Text()!, System.Globalization.CultureInfo.InvariantCulture) > replicas);
            var metric = Assert.Single(hpa["metrics"].Objects());
            Assert.Equal("cpu", metric["resource"]?["name"].Text());

            var pdb = m.Get("PodDisruptionBudget", name)["spec"]!;
            Assert.True(Manifests.Selects(pdb["selector"], Manifests.PodLabels(m.ServiceDeployment(name))));
            if (replicas == 1)
            {
                // A single replica with minAvailable 1 would block every node drain.
                Assert.Null(pdb["minAvailable"]);
                Assert.Equal("1", pdb["maxUnavailable"].Text());
            }
            else
            {
                Assert.Equal("1", pdb["minAvailable"].Text());
                Assert.Null(pdb["maxUnavailable"]);
            }
        }
    }

    [Theory]
    [InlineData("dev", "Debug")]
    [InlineData("prod", "Information")]
    public void Logging_IsJsonAtTheOverlaysLevel(string overlay, string level)
    {
        var m = Manifests.Render(overlay);
        foreach (var name in Architecture.Names)
        {
            var env = m.Environment(Assert.Single(Manifests.Containers(m.ServiceDeployment(name))));
            Assert.Equal("json", env["Logging__Format"]);
            Assert.Equal(level, env["Logging__LogLevel__Default"]);
            Assert.Equal(name, env["OTEL_SERVICE_NAME"]);
            Assert.Equal("http://otel-collector:4317", env["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void Credentials_ComeFromOperatorSecrets_NeverFromTheManifests(string overlay)
    {
        var m = Manifests.Render(overlay);
        Assert.Empty(m.OfKind("Secret"));
        var cluster = Assert.Single(m.OfKind("Cluster"));
        var broker = Assert.Single(m.OfKind("RabbitmqCluster"));
        var database = cluster["spec"]!["bootstrap"]!["initdb"]!["database"].Text();
        Assert.All(m.OfKind("ConfigMap").SelectMany(c => c["data"].Labels()), e =>
            Assert.DoesNotMatch(PasswordPattern(), e.Key));

        foreach (var workload in m.Workloads.Where(w => Manifests.PodLabels(w)["app.kubernetes.io/component"] is "service" or "migration"))
        {
            var container = Assert.Single(Manifests.Containers(workload));
            var env = m.Environment(container);
            foreach (var (key, value) in env.Where(e => PasswordPattern().IsMatch(e.Key)))
            {
                Assert.StartsWith("secret:", value, StringComparison.Ordinal);
            }

            var service = Architecture.Names.Single(n => Manifests.Name(workload) == n || Manifests.Name(workload) == n + "-migrate");
            Assert.Equal($"secret:{Manifests.Name(cluster)}-app/password", env["DB_PASSWORD"]);
            Assert.Equal("postgres", env[$"Databases__{service}__Provider"]);
            // The schema the code migrates (deploy/run-distributed.sh and decision 0004 use the same names).
            Assert.Equal(service.Replace('-', '_'), env[$"Databases__{service}__Schema"]);
            var connection = env[$"Databases__{service}__ConnectionString"];
            Assert.Contains($"Host={Manifests.Name(cluster)}-rw;", connection, StringComparison.Ordinal);
            Assert.Contains($"Database={database};", connection, StringComparison.Ordinal);
            Assert.Contains("Password=$(DB_PASSWORD);", connection, StringComparison.Ordinal);
            Assert.Contains("SSL Mode=VerifyFull", connection, StringComparison.Ordinal);

            if (Manifests.PodLabels(workload)["app.kubernetes.io/component"] == "service")
            {
                Assert.Equal(Manifests.Name(broker), env["Bus__Host"]);
                Assert.Equal("rabbitmq", env["Bus__Transport"]);
                Assert.Equal($"secret:{Manifests.Name(broker)}-default-user/password", env["Bus__Password"]);
            }
        }
    }

    [Theory]
    [InlineData("dev", "None")]
    [InlineData("prod", "Require")]
    public void GrpcContainers_ServeTls_AndTakeCertificatesAndKeysFromMountedSecrets(string overlay, string clientCertificates)
    {
        var m = Manifests.Render(overlay);
        foreach (var name in Architecture.Names)
        {
            var deployment = m.ServiceDeployment(name);
            var container = Assert.Single(Manifests.Containers(deployment));
            var env = m.Environment(container);
            Assert.Equal(clientCertificates, env["Grpc__Tls__ClientCertificates"]);
            Assert.Equal("irsuite-services", env["Auth__Issuers__0__Issuer"]);
            Assert.False(string.IsNullOrEmpty(env["Auth__Issuers__1__Issuer"]));
            Assert.DoesNotContain(env.Keys, k => k is "Auth__Service__SigningKey" || (k.StartsWith("Auth__Issuers__", StringComparison.Ordinal) && k.EndsWith("__Jwks", StringComparison.Ordinal)));

            // Every file setting points into a read-only mount of a Secret volume: the certificates and keys are never
            // in the manifests (the Secrets are made out of band: deploy/dev-ca.sh, cert-manager, the token tool's keygen).
            var mounts = container["volumeMounts"].Objects().ToDictionary(v => v["mountPath"].Text()!, v => v);
            var volumes = Manifests.PodSpec(deployment)["volumes"].Objects().ToDictionary(v => v["name"].Text()!, v => v);
            var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in new[]
            {
                "Grpc__Tls__CertificateFile", "Grpc__Tls__KeyFile", "Grpc__Tls__ClientCaFile", "Services__Tls__CaFile",
                "Services__Tls__ClientCertificateFile", "Services__Tls__ClientKeyFile", "Auth__Issuers__0__JwksFile",
                "Auth__Issuers__1__JwksFile", "Auth__Service__SigningKeyFile",
            })
            {
                var file = env[key];
                var directory = file[..file.LastIndexOf('/')];
                Assert.True(mounts.TryGetValue(directory, out var mount), $"{name}: {key}={file} is not in a mounted volume");
                Assert.Equal("true", mount!["readOnly"].Text());
                var volume = volumes[mount["name"].Text()!];
                var sources = volume["projected"]?["sources"].Objects().Select(s => s["secret"]).ToList() ?? [volume["secret"]];
                Assert.True(sources.All(s => s is JsonObject), $"{name}: the volume of {key} is not made of Secrets only");
                var item = file[(file.LastIndexOf('/') + 1)..];
                var from = Assert.Single(sources, s => s!["items"].Objects().Any(i => i["path"].Text() == item));
                secrets[key] = from!["name"].Text() ?? from["secretName"].Text()!;
            }

            // A Secret per service for its own certificate; the CA and the signing keys are shared.
            Assert.Equal($"{name}-tls", secrets["Grpc__Tls__CertificateFile"]);
            Assert.Equal($"{name}-tls", secrets["Grpc__Tls__KeyFile"]);
            Assert.Equal(secrets["Grpc__Tls__CertificateFile"], secrets["Services__Tls__ClientCertificateFile"]);
            Assert.Equal("irsuite-ca", secrets["Services__Tls__CaFile"]);
            Assert.Equal("irsuite-ca", secrets["Grpc__Tls__ClientCaFile"]);
            Assert.Equal("irsuite-auth", secrets["Auth__Service__SigningKeyFile"]);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void MigrationJobs_ListenOnLoopbackOnly_SoTheyNeedNoCertificate(string overlay)
    {
        var m = Manifests.Render(overlay);
        foreach (var name in Architecture.Names)
        {
            var env = m.Environment(Assert.Single(Manifests.Containers(m.Get("Job", name + "-migrate"))));
            Assert.StartsWith("127.0.0.1:", env["Grpc__Address"], StringComparison.Ordinal);
            // Scheduling's Job shares scheduling-config, which puts the board on 0.0.0.0: it is brought back to loopback too
            // (unset, the board follows Grpc__Address).
            Assert.StartsWith("127.0.0.1:", env.GetValueOrDefault("Board__HttpAddress") ?? env["Grpc__Address"], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EnvReferences_NameVariablesDefinedEarlier(string overlay)
    {
        // The kubelet expands $(NAME) only from variables defined before it; otherwise the text stays literal and a
        // connection string would carry "$(DB_PASSWORD)" as the password.
        var m = Manifests.Render(overlay);
        foreach (var container in m.Workloads.SelectMany(Manifests.Containers))
        {
            var defined = new HashSet<string>(StringComparer.Ordinal);
            foreach (var variable in container["env"].Objects())
            {
                foreach (Match reference in EnvReference().Matches(variable["value"].Text() ?? ""))
                {
                    Assert.True(defined.Contains(reference.Groups[1].Value),
                        $"{container["name"].Text()}: {variable["name"].Text()} uses $({reference.Groups[1].Value}) before it is defined");
                }

                defined.Add(variable["name"].Text()!);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void MigrationJobs_RunEachHostsMigrateCommandOnce(string overlay)
    {
        var m = Manifests.Render(overlay);
        foreach (var name in Architecture.Names)
        {
            var job = m.Get("Job", name + "-migrate");
            Assert.Equal("Never", Manifests.PodSpec(job)["restartPolicy"].Text());
            var container = Assert.Single(Manifests.Containers(job));
            Assert.Equal(["migrate"], container["args"].Texts());
            Assert.Null(container["command"]);
        }
    }

    private static string? ImageTag(string image)
    {
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : lastSegment[(colon + 1)..];
    }

    [GeneratedRegex(@"^v?\d+\.\d+(\.\d+)?([-.][A-Za-z0-9.]+)?$")]
    private static partial Regex VersionTag();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex EnvReference();

    [GeneratedRegex("(?i)password|passwd|secret")]
    private static partial Regex PasswordPattern();
}
