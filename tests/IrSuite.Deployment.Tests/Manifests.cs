using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IrSuite.Deployment.Tests;

/// <summary>The four services as the code names them: configuration name and host project folder.</summary>
internal static class Architecture
{
    public static readonly IReadOnlyList<(string Name, string Program)> Services =
    [
        ("scheduling", "Scheduling"),
        ("anesthesia-consultation", "AnesthesiaConsultation"),
        ("procedure-record", "ProcedureRecord"),
        ("discharge", "Discharge"),
    ];

    public static IEnumerable<string> Names => Services.Select(s => s.Name);

    /// <summary>
    /// The only service serving the department board's web page (decision 0015), on its own HTTPS listener
    /// <c>Board:HttpAddress</c>: in containers 0.0.0.0:<see cref="BoardPort"/> (the gRPC port 8080 + 200).
    /// </summary>
    public const string BoardHost = "scheduling";

    public const string BoardPort = "8280";

    public static string HostFolder(string service) =>
        $"services/{Program(service)}/IrSuite.{Program(service)}.Host";

    public static string Program(string service) => Services.Single(s => s.Name == service).Program;

    /// <summary>
    /// The peers a service calls over gRPC, from its host's appsettings.json (<c>Services:&lt;peer&gt;:Address</c>, read by
    /// ServiceChannels): scheduling calls anesthesia-consultation (and procedure-record and discharge for the FHIR export),
    /// discharge calls procedure-record.
    /// </summary>
    public static IReadOnlySet<string> PeersOf(string service)
    {
        var settings = JsonNode.Parse(Repository.Read(HostFolder(service), "appsettings.json"))!;
        return settings["Services"] is JsonObject peers
            ? peers.Select(p => p.Key).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);
    }
}

/// <summary>One overlay rendered by <c>kubectl kustomize</c> (once per test run) and queries over it.</summary>
internal sealed class Manifests
{
    private static readonly ConcurrentDictionary<string, Lazy<Manifests>> Cache = new(StringComparer.Ordinal);

    private Manifests(IReadOnlyList<JsonObject> documents) => Documents = documents;

    public IReadOnlyList<JsonObject> Documents { get; }

    public static Manifests Render(string overlay) => Cache.GetOrAdd(overlay, o => new Lazy<Manifests>(() =>
    {
        var (code, output, error) = Repository.Run(
            "kubectl", "kubectl (client >= 1.27) renders the manifests offline; it is part of this machine's image", "kustomize", $"k8s/overlays/{o}");
        Assert.True(code == 0, $"kubectl kustomize k8s/overlays/{o} failed: {error}");
        return new Manifests(Yaml.LoadAll(output));
    })).Value;

    public IEnumerable<JsonObject> OfKind(string kind) => Documents.Where(d => d["kind"].Text() == kind);

    public JsonObject Get(string kind, string name) =>
        OfKind(kind).SingleOrDefault(d => d["metadata"]?["name"].Text() == name)
        ?? throw new Xunit.Sdk.XunitException($"{kind}/{name} is not rendered.");

    /// <summary>Deployments and Jobs: everything that has a pod template.</summary>
    public IEnumerable<JsonObject> Workloads => OfKind("Deployment").Concat(OfKind("Job"));

    public static JsonObject PodSpec(JsonObject workload) => (JsonObject)workload["spec"]!["template"]!["spec"]!;

    public static IReadOnlyDictionary<string, string> PodLabels(JsonObject workload) =>
        workload["spec"]!["template"]!["metadata"]!["labels"].Labels();

    public static IEnumerable<JsonObject> Containers(JsonObject workload) =>
        PodSpec(workload)["containers"].Objects().Concat(PodSpec(workload)["initContainers"].Objects());

    public static string Name(JsonObject resource) => resource["metadata"]!["name"].Text()!;

    /// <summary>The IrSuite service Deployment of a service (label app.kubernetes.io/name).</summary>
    public JsonObject ServiceDeployment(string service) => Get("Deployment", service);

    /// <summary>
    /// The environment a container starts with: the ConfigMaps of envFrom (in order), then env. Values from secrets
    /// read "secret:&lt;name&gt;/&lt;key&gt;", from the downward API "field:&lt;path&gt;".
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment(JsonObject container)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container["envFrom"].Objects())
        {
            var name = source["configMapRef"]?["name"].Text()
                ?? throw new Xunit.Sdk.XunitException("envFrom only from ConfigMaps (secrets are referenced key by key).");
            foreach (var (key, value) in Get("ConfigMap", name)["data"].Labels())
            {
                env[key] = value;
            }
        }

        foreach (var variable in container["env"].Objects())
        {
            var name = variable["name"].Text()!;
            env[name] = variable["value"].Text()
                ?? (variable["valueFrom"]?["secretKeyRef"] is { } secret ? $"secret:{secret["name"].Text()}/{secret["key"].Text()}" : null)
                ?? (variable["valueFrom"]?["fieldRef"] is { } field ? $"field:{field["fieldPath"].Text()}" : null)
                ?? throw new Xunit.Sdk.XunitException($"env {name} has neither a value nor a known source.");
        }

        return env;
    }

    /// <summary>Whether a NetworkPolicy's podSelector selects pods with these labels (matchLabels and matchExpressions).</summary>
    public static bool Selects(JsonNode? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }

        var matchLabels = selector["matchLabels"].Labels();
        if (matchLabels.Any(l => !labels.TryGetValue(l.Key, out var v) || v != l.Value))
        {
            return false;
        }

        foreach (var expression in selector["matchExpressions"].Objects())
        {
            var key = expression["key"].Text()!;
            var values = expression["values"].Texts().ToHashSet(StringComparer.Ordinal);
            var ok = expression["operator"].Text() switch
            {
                "In" => labels.TryGetValue(key, out var v) && values.Contains(v),
                "NotIn" => !labels.TryGetValue(key, out var v) || !values.Contains(v),
                "Exists" => labels.ContainsKey(key),
                "DoesNotExist" => !labels.ContainsKey(key),
                var op => throw new Xunit.Sdk.XunitException($"Unknown selector operator {op}."),
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    public static string ToJson(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
