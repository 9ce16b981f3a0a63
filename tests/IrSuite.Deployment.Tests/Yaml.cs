using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IrSuite.Deployment.Tests;

/// <summary>
/// YAML documents as <see cref="JsonNode"/> trees (mappings, sequences; every scalar kept as its text, so
/// <c>replicas: 2</c> reads "2"), which keeps the assertions short. Merge keys (<c>&lt;&lt;</c>) are resolved.
/// </summary>
internal static class Yaml
{
    public static IReadOnlyList<JsonObject> LoadAll(string text)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(text);
        stream.Load(new MergingParser(new Parser(reader)));
        return stream.Documents
            .Select(d => Convert(d.RootNode))
            .OfType<JsonObject>()
            .ToList();
    }

    public static JsonObject Load(string text) => LoadAll(text).Single();

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value ?? "", Convert(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" } => null,
        YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? ""),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}."),
    };
}

internal static class JsonNodeExtensions
{
    /// <summary>The text of a scalar, or null when the node is absent.</summary>
    public static string? Text(this JsonNode? node) => node?.GetValue<string>();

    public static IEnumerable<JsonObject> Objects(this JsonNode? node) => node is JsonArray array ? array.OfType<JsonObject>() : [];

    public static IEnumerable<string> Texts(this JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n.Text()).OfType<string>() : [];

    public static IReadOnlyDictionary<string, string> Labels(this JsonNode? node) =>
        node is JsonObject map
            ? map.ToDictionary(p => p.Key, p => p.Value.Text() ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
