using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>One gRPC request as the client saw it.</summary>
public sealed record LedgerEntry(long AtMs, int Patient, string Service, string Rpc, string Outcome, int? Code, double Ms);

/// <summary>
/// The per-request ledger of a run: every gRPC request the driver sends, with ok / failed(code) /
/// indeterminate (transport error or deadline: the client cannot know whether it was applied). Written as JSONL.
/// </summary>
public sealed class Ledger
{
    private static readonly AsyncLocal<int> CurrentPatient = new();
    private readonly ConcurrentQueue<LedgerEntry> _entries = new();

    public static Ledger Current { get; set; } = new();

    /// <summary>The patient the calls on this async flow belong to.</summary>
    public static int Patient
    {
        get => CurrentPatient.Value;
        set => CurrentPatient.Value = value;
    }

    public IReadOnlyCollection<LedgerEntry> Entries => _entries;

    public void Add(LedgerEntry entry) => _entries.Enqueue(entry);

    public async Task WriteAsync(string path)
    {
        await using var file = File.CreateText(path);
        foreach (var entry in _entries)
        {
            await file.WriteLineAsync(JsonSerializer.Serialize(entry));
        }
    }
}

/// <summary>Records each request of a channel in <see cref="Ledger.Current"/>.</summary>
public sealed class LedgerHandler(string service) : DelegatingHandler
{
    public static HttpMessageHandler Create(string service) => new LedgerHandler(service)
    {
        InnerHandler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ActivityHeadersPropagator = null,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        },
    };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var at = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var rpc = request.RequestUri?.AbsolutePath.Split('/').LastOrDefault() ?? "?";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            // A failed unary call comes back trailers-only: grpc-status among the headers. Otherwise the call
            // succeeded (its status follows in the trailers, after the one message).
            int? code = response.Headers.TryGetValues("grpc-status", out var values) && int.TryParse(values.FirstOrDefault(), out var parsed) ? parsed : response.IsSuccessStatusCode ? 0 : null;
            var outcome = code switch
            {
                0 => "ok",
                null => "indeterminate",
                4 or 14 => "indeterminate", // DEADLINE_EXCEEDED, UNAVAILABLE: may or may not have been applied
                _ => "failed",
            };
            Ledger.Current.Add(new LedgerEntry(at, Ledger.Patient, service, rpc, outcome, code, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            return response;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            Ledger.Current.Add(new LedgerEntry(at, Ledger.Patient, service, rpc, "indeterminate", null, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
            throw;
        }
    }
}
