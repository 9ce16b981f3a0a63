using System.Globalization;

namespace IrSuite.Grpc.Internal;

/// <summary>The grpc-timeout header: at most 8 ASCII digits and a unit (H, M, S, m, u, n).</summary>
internal static class GrpcTimeout
{
    private const long MaxValue = 99_999_999;

    /// <summary>Parses a header value; an unparsable value means "no deadline", as C-core and grpc-dotnet do.</summary>
    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }

        var digits = value.AsSpan(0, value.Length - 1);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        var amount = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        var ticks = value[^1] switch
        {
            'H' => amount * TimeSpan.TicksPerHour,
            'M' => amount * TimeSpan.TicksPerMinute,
            'S' => amount * TimeSpan.TicksPerSecond,
            'm' => amount * TimeSpan.TicksPerMillisecond,
            'u' => amount * 10,
            'n' => amount / 100,
            _ => -1L,
        };
        if (ticks < 0)
        {
            return false;
        }

        // Clamp to 99,999,999 seconds, the largest value the header can express in seconds.
        timeout = TimeSpan.FromTicks(Math.Min(ticks, MaxValue * TimeSpan.TicksPerSecond));
        return true;
    }

    /// <summary>Encodes a remaining time, rounding up so the server never sees a shorter deadline.</summary>
    public static string Encode(TimeSpan remaining)
    {
        var ticks = remaining.Ticks;
        if (ticks <= 0)
        {
            return "1n";
        }

        var micros = (ticks + 9) / 10;
        if (micros <= MaxValue)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }

        var millis = (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (millis <= MaxValue)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = Math.Min((ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond, MaxValue);
        return seconds.ToString(CultureInfo.InvariantCulture) + "S";
    }
}
