using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Google.Protobuf.Reflection;

namespace IrSuite.Irctl.Output;

/// <summary>Names of generated proto enum values without their type prefix (<c>INDICATION_TUMOUR</c> is <c>TUMOUR</c>).</summary>
public static class ProtoEnums
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<int, string>> Cache = new();

    /// <summary>Number to short upper-case name, from the OriginalName attributes of the generated enum.</summary>
    public static IReadOnlyDictionary<int, string> Names<T>()
        where T : struct, Enum =>
        Cache.GetOrAdd(typeof(T), static type =>
        {
            var original = type.GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(
                f => Convert.ToInt32(f.GetValue(null), CultureInfo.InvariantCulture),
                f => f.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? f.Name);
            var zero = original.GetValueOrDefault(0, string.Empty);
            var prefix = zero.EndsWith("UNSPECIFIED", StringComparison.Ordinal) ? zero[..^"UNSPECIFIED".Length] : string.Empty;
            return original.ToDictionary(kv => kv.Key, kv => kv.Value.StartsWith(prefix, StringComparison.Ordinal) ? kv.Value[prefix.Length..] : kv.Value);
        });

    public static string Name<T>(T value)
        where T : struct, Enum
    {
        var number = Convert.ToInt32(value, CultureInfo.InvariantCulture);
        return Names<T>().TryGetValue(number, out var name) ? name : number.ToString(CultureInfo.InvariantCulture);
    }
}
