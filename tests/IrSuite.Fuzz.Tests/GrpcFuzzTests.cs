using System.Collections.Concurrent;
using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using IrSuite.Grpc;
using Xunit.Abstractions;

namespace IrSuite.Fuzz.Tests;

/// <summary>
/// At least 100,000 mutated inputs at every method of every ir.* service over real h2c: protobuf payload mutations
/// in well-framed unary calls, and gRPC/HTTP2 framing and header mutations. Seeded: IRSUITE_FUZZ_SEED reproduces a
/// run, IRSUITE_FUZZ_ONLY=i,j replays single inputs, IRSUITE_FUZZ_INPUTS changes the count.
/// </summary>
public sealed class GrpcFuzzTests(FuzzSuite suite, ITestOutputHelper output) : IClassFixture<FuzzSuite>
{
    private const int DefaultSeed = 20261203;
    private const int DefaultInputs = 100_000;
    private const int Concurrency = 48;
    private const int MaxReportedFailures = 25;

    // A decodable request is the handler's to judge: these are the answers a validated, gated service gives.
    private static readonly HashSet<StatusCode> DecodableAnswers =
    [
        StatusCode.OK, StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.FailedPrecondition, StatusCode.AlreadyExists,
        StatusCode.Aborted, StatusCode.OutOfRange, StatusCode.ResourceExhausted,
    ];

    private readonly ConcurrentDictionary<string, int> _histogram = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();
    private int _failureCount;

    [Fact]
    public async Task Suite_HundredThousandMutatedPayloadsAndFrames_AnswersEachWithAGrpcStatusAndStaysServing()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("IRSUITE_FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var inputs = int.TryParse(Environment.GetEnvironmentVariable("IRSUITE_FUZZ_INPUTS"), out var n) ? n : DefaultInputs;
        var only = Environment.GetEnvironmentVariable("IRSUITE_FUZZ_ONLY")?.Split(',').Select(int.Parse).ToArray();
        output.WriteLine($"fuzz seed {seed} (IRSUITE_FUZZ_SEED), {inputs} inputs, {Concurrency} concurrent streams, {suite.Methods.Count} methods of {suite.ServiceNames.Count} services");

        var ids = await suite.SeedPathwaysAsync();
        var mutator = new ProtobufMutator(ids);
        var indices = only ?? Enumerable.Range(0, inputs).ToArray();
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            int slot;
            while ((slot = Interlocked.Increment(ref next)) < indices.Length && Volatile.Read(ref _failureCount) < MaxReportedFailures)
            {
                await RunInputAsync(seed, indices[slot], mutator);
                if (indices[slot] % 10_000 == 0)
                {
                    await CheckServingAsync(indices[slot]);
                }
            }
        });
        await Task.WhenAll(workers);
        clock.Stop();

        var sent = _histogram.Where(e => e.Key.StartsWith("kind ", StringComparison.Ordinal)).Sum(e => e.Value);
        output.WriteLine($"sent {sent} inputs in {clock.Elapsed.TotalSeconds:0.0} s: {sent / clock.Elapsed.TotalSeconds:0} inputs/s");
        foreach (var (key, count) in _histogram.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {key,-70} {count,8}");
        }

        foreach (var failure in _failures)
        {
            output.WriteLine("FAILURE " + failure);
        }

        foreach (var error in suite.Errors.Entries.Take(MaxReportedFailures))
        {
            output.WriteLine("ERROR LOG " + error);
        }

        Assert.Empty(_failures);
        Assert.Empty(suite.Errors.Entries);
        Assert.False(suite.HostStopping);
        if (only is null)
        {
            Assert.True(sent >= inputs, $"Only {sent} of {inputs} inputs were sent.");
        }

        var check = Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Check");
        foreach (var service in suite.ServiceNames.Prepend(""))
        {
            var health = await suite.Channel.UnaryAsync(check, new HealthCheckRequest { Service = service }, new IrSuite.Grpc.Client.CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }
    }

    /// <summary>
    /// Every method but VerifyAuditChain: its request has no fields (the validation matrix covers it) and each call
    /// rehashes every audit chain, which the fuzzer's own calls lengthen by one record each: thousands of such calls
    /// would measure hashing, not input handling.
    /// </summary>
    private IReadOnlyList<MethodDescriptor> FuzzTargets => _targets ??= suite.Methods.Where(m => m.FullName != "ir.audit.v1.AuditService.VerifyAuditChain").ToList();

    private IReadOnlyList<MethodDescriptor>? _targets;

    private async Task RunInputAsync(int seed, int index, ProtobufMutator mutator)
    {
        // One generator per input: any input replays on its own from (seed, index), whatever the concurrency.
        var random = new Random(unchecked((seed * 1_000_003) + index));
        var method = FuzzTargets[random.Next(FuzzTargets.Count)];
        var payload = mutator.Valid(method.InputType, random);
        // A server-streaming call (the board's live feed) gets payload inputs only, each with a deadline that ends it.
        if (method.IsServerStreaming || random.Next(10) < 7)
        {
            var kind = "valid-with-hostile-values";
            if (random.Next(2) == 0)
            {
                payload = mutator.Mutate(payload, method.InputType, random, out kind);
            }

            var decodable = IsDecodable(method.InputType, payload);
            var outcome = await suite.Client.SendAsync(new RawRequest($"/{method.Service.FullName}/{method.Name}", RawRequest.Frame(payload))
            {
                Headers = method.IsServerStreaming ? ValidationMatrixTests.StreamDeadline : [],
            });
            Count($"kind payload/{kind}");
            JudgePayload(index, method, kind, decodable, outcome);
        }
        else
        {
            var request = FrameMutator.Create(method, payload, random, out var kind);
            var outcome = await suite.Client.SendAsync(request);
            Count($"kind frame/{kind}");
            JudgeFrame(index, method, kind, request, outcome);
        }
    }

    private void JudgePayload(int index, MethodDescriptor method, string kind, bool decodable, RawOutcome outcome)
    {
        var group = decodable ? "payload decodable" : "payload undecodable";
        Count($"status {group} {Describe(outcome)}");
        if (method.IsServerStreaming && IsStreamEndedByItsDeadline(outcome))
        {
            // A live feed ends only at its deadline, which under the fuzzer's load may also fall before the request was
            // decoded: DEADLINE_EXCEEDED, or the stream reset with CANCEL when the handler outlived the grace period.
            return;
        }

        if (outcome.Kind != RawOutcomeKind.Answered || outcome.HttpStatus != 200 || outcome.Code is not { } code)
        {
            Fail(index, method, kind, outcome, "a well-framed call must get HTTP 200 and a grpc-status");
        }
        else if (decodable && !DecodableAnswers.Contains(code))
        {
            Fail(index, method, kind, outcome, "a decodable request must be judged by the handler (validation, not found, gate)");
        }
        else if (!decodable && code is not (StatusCode.Internal or StatusCode.ResourceExhausted))
        {
            Fail(index, method, kind, outcome, "an undecodable request must be INTERNAL");
        }
    }

    private void JudgeFrame(int index, MethodDescriptor method, string kind, RawRequest request, RawOutcome outcome)
    {
        Count($"status frame {kind} {Describe(outcome)}");
        switch (outcome.Kind)
        {
            case RawOutcomeKind.ResetByClient when request.Reset != RawResetMode.None:
                return;
            case RawOutcomeKind.TransportError when kind == "malformed-path" && outcome.Error?.Contains("PROTOCOL_ERROR", StringComparison.Ordinal) == true:
                // RFC 9113 8.1.1: a malformed request is a stream error of type PROTOCOL_ERROR.
                return;
            case RawOutcomeKind.TransportError when kind == "huge-metadata" && outcome.Error?.Contains("exceeded the server limit", StringComparison.Ordinal) == true:
                // Over the SETTINGS_MAX_HEADER_LIST_SIZE the server advertises (Grpc:MaxMetadataSize, 16 KiB): the
                // client refuses to send, as RFC 9113 6.5.2 lets it; the server never sees the call.
                return;
            case RawOutcomeKind.TransportError when kind == "grpc-timeout" && outcome.Error?.Contains("'CANCEL'", StringComparison.Ordinal) == true:
                // The deadline passed and the handler (blocked in a database call) outlived the runtime's grace period:
                // the stream is reset with CANCEL, which a client sees as its DEADLINE_EXCEEDED. Bounded, not a hang.
                return;
            case RawOutcomeKind.Answered when outcome.HttpStatus >= 500:
                Fail(index, method, kind, outcome, "no HTTP 5xx");
                return;
            case RawOutcomeKind.Answered when outcome.HttpStatus == 200 && outcome.Code is null:
                Fail(index, method, kind, outcome, "an HTTP 200 answer must carry a valid grpc-status");
                return;
            case RawOutcomeKind.Answered when outcome.Code == StatusCode.Unknown:
                Fail(index, method, kind, outcome, "UNKNOWN means a handler threw");
                return;
            case RawOutcomeKind.Answered:
                return;
            default:
                Fail(index, method, kind, outcome, "every request must be answered");
                return;
        }
    }

    private static bool IsStreamEndedByItsDeadline(RawOutcome outcome) =>
        (outcome.Kind == RawOutcomeKind.Answered && outcome.HttpStatus == 200 && outcome.Code == StatusCode.DeadlineExceeded)
        || (outcome.Kind == RawOutcomeKind.TransportError && outcome.Error?.Contains("'CANCEL'", StringComparison.Ordinal) == true);

    private async Task CheckServingAsync(int index)
    {
        var body = RawRequest.Frame(new HealthCheckRequest().ToByteArray());
        var outcome = await suite.Client.SendAsync(new RawRequest("/grpc.health.v1.Health/Check", body) { HangAfter = TimeSpan.FromSeconds(10) });
        if (outcome.Code != StatusCode.OK)
        {
            _failures.Enqueue($"health check after input {index}: {Describe(outcome)}");
            Interlocked.Increment(ref _failureCount);
        }
    }

    private static bool IsDecodable(MessageDescriptor type, byte[] payload)
    {
        try
        {
            type.Parser.ParseFrom(payload);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static string Describe(RawOutcome outcome) => outcome.Kind switch
    {
        RawOutcomeKind.Answered when outcome.HttpStatus == 200 => outcome.Code?.ToString() ?? $"bad grpc-status '{outcome.GrpcStatus}'",
        RawOutcomeKind.Answered => $"HTTP {outcome.HttpStatus}",
        RawOutcomeKind.TransportError when outcome.Error?.Contains("'CANCEL'", StringComparison.Ordinal) == true => "server RST_STREAM CANCEL",
        RawOutcomeKind.TransportError when outcome.Error?.Contains("reset the stream. HTTP/2 error code 'PROTOCOL_ERROR'", StringComparison.Ordinal) == true => "server RST_STREAM PROTOCOL_ERROR",
        _ => outcome.Kind.ToString(),
    };

    private void Count(string key) => _histogram.AddOrUpdate(key, 1, (_, c) => c + 1);

    private void Fail(int index, MethodDescriptor method, string kind, RawOutcome outcome, string rule)
    {
        Interlocked.Increment(ref _failureCount);
        if (_failures.Count < MaxReportedFailures)
        {
            _failures.Enqueue($"input {index} {method.FullName} {kind}: {Describe(outcome)} http={outcome.HttpStatus} message='{outcome.GrpcMessage}' error='{outcome.Error}' ({rule})");
        }
    }
}
