// Unary gRPC benchmark for IrSuite's runtime (see docs/benchmarks/grpc-transport.md).
//   serve --impl runtime|raw [--port 0] [--count-status]
//       runtime: irsuite.bench.v1.EchoService/Echo served by IrSuite.Grpc (singleton service).
//       raw:     the ceiling: same host and Kestrel settings, one terminal handler that echoes the
//                request frame by hand (no routing, no protobuf) and adds grpc-status 0.
//       Prints "READY <port>" once listening; stops on SIGTERM / Ctrl+C.
//       --count-status (verification runs only, it costs a middleware per call): counts the grpc-status
//       of every response and prints "STATUS total=N ok=N other=..." on shutdown.
//   drive --target http://127.0.0.1:PORT [--duration 10] [--warmup 3] [--concurrency 64] [--text hello]
//       Our client: one GrpcChannel, N concurrent loops calling Echo; prints calls/s, p50 and p99 (µs)
//       of the measured window and a machine-readable "RESULT ..." line.
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using IrSuite.Bench.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Server;
using IrSuite.Interop;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

if (args.Length == 0 || args[0] is not ("serve" or "drive"))
{
    await Console.Error.WriteLineAsync("usage: IrSuite.Bench serve --impl runtime|raw [--port 0] [--count-status]\n"
        + "       IrSuite.Bench drive --target http://127.0.0.1:PORT [--duration 10] [--warmup 3] [--concurrency 64] [--text hello]");
    return 2;
}

var flags = new InteropArgs(args[1..]);
return args[0] == "serve"
    ? await BenchServer.RunAsync(flags.Get("impl", "runtime"), flags.GetInt("port", 0), flags.GetBool("count-status"))
    : await BenchDriver.RunAsync(
        new Uri(flags.Get("target") ?? throw new ArgumentException("--target is required")),
        TimeSpan.FromSeconds(flags.GetInt("duration", 10)),
        TimeSpan.FromSeconds(flags.GetInt("warmup", 3)),
        flags.GetInt("concurrency", 64),
        flags.Get("text", "hello"));

/// <summary>The echo service on our runtime: the unit of work is one small unary round trip.</summary>
internal sealed class EchoServiceImpl
{
    public Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoResponse { Text = request.Text });
}

/// <summary>The two servers; they share the host, the Kestrel endpoint settings and the logging.</summary>
internal static class BenchServer
{
    public static async Task<int> RunAsync(string impl, int port, bool countStatus)
    {
        if (impl is not ("runtime" or "raw"))
        {
            await Console.Error.WriteLineAsync($"unknown --impl '{impl}' (runtime or raw)");
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenGrpc(new IPEndPoint(IPAddress.Loopback, port)));
        if (impl == "runtime")
        {
            // Registered as a singleton first, so the runtime reuses it and creates no DI scope per call.
            builder.Services.AddSingleton<EchoServiceImpl>();
            builder.Services.AddGrpcServer().AddService<EchoServiceImpl>(EchoReflection.Descriptor.Services[0]);
        }

        var app = builder.Build();
        var statuses = countStatus ? new StatusCounter() : null;
        if (statuses is not null)
        {
            app.Use(async (http, next) =>
            {
                await next(http);
                statuses.Record(http);
            });
        }

        if (impl == "runtime")
        {
            app.UseGrpcServer();
        }
        else
        {
            app.Run(RawEchoAsync);
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Console.WriteLine($"READY {new Uri(address).Port}");
        await app.WaitForShutdownAsync();
        if (statuses is not null)
        {
            Console.WriteLine(statuses.Summary());
        }

        return 0;
    }

    /// <summary>
    /// gRPC framing by hand: EchoResponse encodes exactly like EchoRequest, so the request frame
    /// (5-byte prefix + message) is sent back unchanged, followed by the grpc-status 0 trailer.
    /// </summary>
    private static async Task RawEchoAsync(HttpContext http)
    {
        var reader = http.Request.BodyReader;
        ReadResult result;
        while (true)
        {
            result = await reader.ReadAsync(http.RequestAborted);
            if (result.IsCompleted)
            {
                break;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        http.Response.ContentType = "application/grpc";
        var writer = http.Response.BodyWriter;
        foreach (var segment in result.Buffer)
        {
            writer.Write(segment.Span);
        }

        reader.AdvanceTo(result.Buffer.End);
        http.Response.AppendTrailer("grpc-status", "0");
    }
}

/// <summary>Counts the grpc-status each response ended with (from the trailers, or the headers of a trailers-only reply).</summary>
internal sealed class StatusCounter
{
    private readonly ConcurrentDictionary<string, long> _other = new(StringComparer.Ordinal);
    private long _total;
    private long _ok;

    public void Record(HttpContext http)
    {
        Interlocked.Increment(ref _total);
        var trailers = http.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers is not null && trailers.TryGetValue("grpc-status", out var fromTrailers)
            ? fromTrailers.ToString()
            : http.Response.Headers["grpc-status"].ToString();
        if (status == "0")
        {
            Interlocked.Increment(ref _ok);
        }
        else
        {
            _other.AddOrUpdate(status.Length == 0 ? "none" : status, 1, static (_, n) => n + 1);
        }
    }

    public string Summary() =>
        string.Create(CultureInfo.InvariantCulture, $"STATUS total={Interlocked.Read(ref _total)} ok={Interlocked.Read(ref _ok)} other={(_other.IsEmpty ? "-" : string.Join(',', _other.Select(p => p.Key + ":" + p.Value)))}");
}

/// <summary>Closed-loop load from our client: every loop starts its next call when the last one ends.</summary>
internal static class BenchDriver
{
    public static async Task<int> RunAsync(Uri target, TimeSpan duration, TimeSpan warmup, int concurrency, string text)
    {
        if (concurrency < 1 || duration <= TimeSpan.Zero || warmup < TimeSpan.Zero)
        {
            await Console.Error.WriteLineAsync("--concurrency and --duration must be positive, --warmup not negative");
            return 2;
        }

        using var channel = GrpcChannel.ForAddress(target);
        var method = Method<EchoRequest, EchoResponse>.Create(EchoReflection.Descriptor.Services[0], "Echo");
        var request = new EchoRequest { Text = text };

        // Fail fast (and loudly) if the target does not answer Echo correctly at all.
        var first = await channel.UnaryAsync(method, request);
        if (first.Text != text)
        {
            await Console.Error.WriteLineAsync($"drive: {target} echoed '{first.Text}' instead of '{text}'");
            return 1;
        }

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var loops = new Loop[concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = new Loop();
        }

        await Task.WhenAll(loops.Select(loop => Task.Run(() => loop.RunAsync(channel, method, request, measureFrom, measureTo))));

        var latencies = loops.SelectMany(l => l.Latencies).ToArray();
        Array.Sort(latencies);
        var errors = loops.Sum(l => l.Errors);
        var firstError = loops.Select(l => l.FirstError).FirstOrDefault(e => e is not null);
        var callsPerSecond = latencies.Length / duration.TotalSeconds;
        var p50 = ToMicroseconds(Percentile(latencies, 0.50));
        var p99 = ToMicroseconds(Percentile(latencies, 0.99));
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"drive: {target} concurrency={concurrency} warmup={warmup.TotalSeconds}s duration={duration.TotalSeconds}s"));
        Console.WriteLine(string.Create(inv, $"calls: {latencies.Length} ok, {errors} failed"));
        Console.WriteLine(string.Create(inv, $"calls/s: {callsPerSecond:F0}"));
        Console.WriteLine(string.Create(inv, $"p50 µs: {p50:F0}"));
        Console.WriteLine(string.Create(inv, $"p99 µs: {p99:F0}"));
        if (firstError is not null)
        {
            Console.WriteLine($"first error: {firstError}");
        }

        Console.WriteLine(string.Create(inv, $"RESULT calls_per_sec={callsPerSecond:F0} p50_us={p50:F0} p99_us={p99:F0} ok={latencies.Length} errors={errors}"));
        return errors == 0 && latencies.Length > 0 ? 0 : 1;
    }

    private static long Percentile(long[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double ToMicroseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>One closed loop; counts only calls that start and end inside the measured window.</summary>
    private sealed class Loop
    {
        public List<long> Latencies { get; } = new(capacity: 65536);

        public int Errors { get; private set; }

        public string? FirstError { get; private set; }

        public async Task RunAsync(GrpcChannel channel, Method<EchoRequest, EchoResponse> method, EchoRequest request, long measureFrom, long measureTo)
        {
            while (true)
            {
                var begin = Stopwatch.GetTimestamp();
                if (begin >= measureTo)
                {
                    return;
                }

                string? error = null;
                try
                {
                    var response = await channel.UnaryAsync(method, request);
                    if (response.Text != request.Text)
                    {
                        error = $"wrong echo '{response.Text}'";
                    }
                }
                catch (RpcException ex)
                {
                    error = ex.Message;
                }

                var end = Stopwatch.GetTimestamp();
                if (begin < measureFrom || end > measureTo)
                {
                    continue;
                }

                if (error is null)
                {
                    Latencies.Add(end - begin);
                }
                else
                {
                    Errors++;
                    FirstError ??= error;
                }
            }
        }
    }
}
