namespace IrSuite.Scheduling.Board;

/// <summary>Configuration section <c>Board</c>: the department board's heartbeat and its web page's listener.</summary>
public sealed class BoardOptions
{
    public const string Section = "Board";

    /// <summary>How often a watcher gets a heartbeat with the server's time (and re-reads the board), on the injected clock.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// host:port of the board's HTTP/1.1 listener (page and server-sent events); default the gRPC host and port + 200
    /// (127.0.0.1:5300 for the embedded suite). Port 0 picks a free port at start-up.
    /// </summary>
    public string? HttpAddress { get; set; }
}
