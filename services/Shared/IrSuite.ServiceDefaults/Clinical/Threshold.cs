namespace IrSuite.ServiceDefaults.Clinical;

/// <summary>
/// One configurable clinical threshold and where its value comes from (a guideline, a law, or the site's own
/// policy). Sites override <see cref="Value"/> and should then say why in <see cref="Source"/>.
/// </summary>
public sealed class Threshold<T>
{
    public Threshold()
    {
    }

    public Threshold(T value, string source)
    {
        Value = value;
        Source = source;
    }

    public T Value { get; set; } = default!;

    /// <summary>The reference for the value, e.g. "SIR 2019 consensus (Patel et al., JVIR 2019)".</summary>
    public string Source { get; set; } = "";

    public override string ToString() => $"{Value} ({Source})";
}
