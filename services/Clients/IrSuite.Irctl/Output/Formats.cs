using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace IrSuite.Irctl.Output;

/// <summary>How values are written: protobuf JSON for scripts, short readable forms for people.</summary>
public static class Formats
{
    /// <summary>Every google.rpc error detail type, so that <c>Any</c> details print as JSON objects.</summary>
    public static readonly TypeRegistry ErrorDetails = TypeRegistry.FromFiles(Google.Rpc.ErrorDetailsReflection.Descriptor);

    /// <summary>
    /// Proto3 JSON (lowerCamelCase names, enums by name), one line. Scalars at their default value are written too
    /// (<c>"ready": false</c>), so a script reads a field without knowing proto3's omission rule; unset messages stay out.
    /// </summary>
    public static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithTypeRegistry(ErrorDetails).WithFormatDefaultValues(true));

    public static string Time(Timestamp timestamp) =>
        timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Span(Duration duration)
    {
        var span = duration.ToTimeSpan();
        var sign = span < TimeSpan.Zero ? "-" : string.Empty;
        span = span.Duration();
        return sign + (span.TotalDays >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalDays}d {span:hh\\:mm\\:ss}")
            : span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));
    }

    /// <summary>An enum value without its type prefix: <c>INDICATION_TUMOUR</c> reads <c>TUMOUR</c>.</summary>
    public static string Enum(EnumValueDescriptor? value, int number)
    {
        if (value is null)
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        var prefix = EnumPrefix(value.EnumDescriptor);
        return value.Name.StartsWith(prefix, StringComparison.Ordinal) ? value.Name[prefix.Length..] : value.Name;
    }

    /// <summary>The prefix shared by an enum's value names, taken from its zero value (<c>X_UNSPECIFIED</c>).</summary>
    public static string EnumPrefix(EnumDescriptor descriptor)
    {
        var zero = descriptor.FindValueByNumber(0)?.Name ?? string.Empty;
        return zero.EndsWith("UNSPECIFIED", StringComparison.Ordinal) ? zero[..^"UNSPECIFIED".Length] : string.Empty;
    }

    public static string Scalar(FieldDescriptor field, object? value) => value switch
    {
        null => string.Empty,
        Timestamp t => Time(t),
        Duration d => Span(d),
        bool b => b ? "yes" : "no",
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        float f => f.ToString("0.###", CultureInfo.InvariantCulture),
        ByteString bytes => $"{bytes.Length} bytes",
        System.Enum e when field.FieldType == FieldType.Enum => Enum(field.EnumType.FindValueByNumber(Convert.ToInt32(e, CultureInfo.InvariantCulture)), Convert.ToInt32(e, CultureInfo.InvariantCulture)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
