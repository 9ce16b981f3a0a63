namespace IrSuite.Interop;

/// <summary>gRPC interop-style flags: <c>--name=value</c>, <c>--name value</c>, or a bare <c>--flag</c> (true).</summary>
public sealed class InteropArgs
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public InteropArgs(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{arg}'.");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                _values[arg[2..equals]] = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _values[arg[2..]] = args[++i];
            }
            else
            {
                _values[arg[2..]] = "true";
            }
        }
    }

    public string Get(string name, string defaultValue) => _values.GetValueOrDefault(name, defaultValue);

    public string? Get(string name) => _values.GetValueOrDefault(name);

    public int GetInt(string name, int defaultValue) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : defaultValue;

    public bool GetBool(string name) => _values.TryGetValue(name, out var value) && value is "true" or "1";
}
