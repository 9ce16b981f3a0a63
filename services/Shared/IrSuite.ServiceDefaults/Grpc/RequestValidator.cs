using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.ServiceDefaults.Grpc;

/// <summary>
/// Collects field violations of a request, then throws one INVALID_ARGUMENT carrying a
/// <c>google.rpc.BadRequest</c> that names every bad field (snake_case proto paths, e.g. <c>levels[1]</c>).
/// </summary>
public sealed class RequestValidator
{
    private readonly BadRequest _badRequest = new();

    public bool IsValid => _badRequest.FieldViolations.Count == 0;

    public RequestValidator Fail(string field, string description)
    {
        _badRequest.FieldViolations.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
        return this;
    }

    /// <summary>A required id that must be a UUID; returns it (or <see cref="Guid.Empty"/> after recording a violation).</summary>
    public Guid Id(string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Fail(field, "Required.");
            return Guid.Empty;
        }

        if (!Guid.TryParse(value, out var id) || id == Guid.Empty)
        {
            Fail(field, "Must be a UUID.");
            return Guid.Empty;
        }

        return id;
    }

    public RequestValidator Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Fail(field, "Required.");
        }

        return value.Length > maxLength ? Fail(field, $"At most {maxLength} characters.") : this;
    }

    public RequestValidator Optional(string field, string? value, int maxLength = 200) =>
        value is not null && value.Length > maxLength ? Fail(field, $"At most {maxLength} characters.") : this;

    public RequestValidator Range(string field, double value, double min, double max) =>
        double.IsFinite(value) && value >= min && value <= max ? this : Fail(field, $"Must be between {min} and {max}.");

    public RequestValidator Defined<TEnum>(string field, TEnum value)
        where TEnum : struct, System.Enum
    {
        if (Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return Fail(field, "Required.");
        }

        return System.Enum.IsDefined(value) ? this : Fail(field, "Unknown value.");
    }

    /// <summary>A required timestamp; returns it as UTC.</summary>
    public DateTimeOffset Timestamp(string field, Timestamp? value)
    {
        if (value is null)
        {
            Fail(field, "Required.");
            return default;
        }

        if (value.Seconds < -62135596800 || value.Seconds > 253402300799 || value.Nanos is < 0 or > 999_999_999)
        {
            Fail(field, "Out of range.");
            return default;
        }

        return value.ToDateTimeOffset();
    }

    /// <summary>Vertebral levels: at least one, each a known level (C1-C7, T1-T12, L1-L5, S1), no duplicates.</summary>
    public IReadOnlyList<string> Levels(string field, IEnumerable<string> values)
    {
        var levels = new List<string>();
        var index = 0;
        foreach (var value in values)
        {
            if (!VertebralLevel.TryNormalize(value, out var level))
            {
                Fail($"{field}[{index}]", $"Unknown vertebral level '{Truncate(value)}'; expected C1-C7, T1-T12, L1-L5 or S1.");
            }
            else if (levels.Contains(level))
            {
                Fail($"{field}[{index}]", $"Level {level} is listed twice.");
            }
            else
            {
                levels.Add(level);
            }

            index++;
        }

        if (index == 0)
        {
            Fail(field, "At least one vertebral level is required.");
        }

        return VertebralLevel.Sort(levels);
    }

    /// <summary>Throws INVALID_ARGUMENT with every violation collected so far.</summary>
    public void ThrowIfInvalid()
    {
        if (IsValid)
        {
            return;
        }

        var fields = string.Join(", ", _badRequest.FieldViolations.Select(v => v.Field));
        throw RpcException.WithDetails(StatusCode.InvalidArgument, $"Invalid request: {fields}.", _badRequest);
    }

    private static string Truncate(string value) => value.Length <= 8 ? value : value[..8] + "...";
}
