using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using Microsoft.Extensions.Options;
using StatusCode = IrSuite.Grpc.StatusCode;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>Configuration section <c>Limits</c>: what one caller (one token subject) may use of a service (decision 0014).</summary>
public sealed class CallLimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Calls one caller may have in progress at once.</summary>
    public int PerCallerConcurrency { get; set; } = 64;

    /// <summary>Sustained calls per second of one caller (a token bucket refilled at this rate)...</summary>
    public double PerCallerRequestsPerSecond { get; set; } = 100;

    /// <summary>...holding at most this many calls, so short bursts pass.</summary>
    public double PerCallerBurst { get; set; } = 200;

    /// <summary>
    /// Calls a peer service (role service) may have in progress at once. Services are exempt from the rate limit: they
    /// call on behalf of every user of the department, whose own calls are limited where they enter.
    /// </summary>
    public int ServiceConcurrency { get; set; } = 512;
}

/// <summary>
/// Per-caller limits, after authorization: a concurrency cap and a token bucket per token subject, both answered with
/// RESOURCE_EXHAUSTED naming the limit, with a <c>google.rpc.RetryInfo</c> for the rate limit. The bucket runs on the
/// injected clock. One caller flooding a service cannot starve the others; the embedded default and a department's load
/// stay well inside the defaults.
/// </summary>
public sealed class CallLimitsInterceptor(IOptions<CallLimitsOptions> options, TimeProvider time) : IServerInterceptor
{
    private const int PruneAbove = 10_000;

    private readonly CallLimitsOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, CallerState> _callers = new(StringComparer.Ordinal);

    public async Task InterceptAsync(ServerCallContext context, ServerCallHandler next)
    {
        if (AccessPolicy.IsPublic(context.Method.ServiceName))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var caller = context.Caller();
        var isService = caller.IsInRole(Roles.Service);
        var state = _callers.GetOrAdd(caller.Subject, _ => new CallerState(_options.PerCallerBurst, time.GetUtcNow()));
        if (!isService && !state.TryTake(_options.PerCallerRequestsPerSecond, _options.PerCallerBurst, time.GetUtcNow(), out var wait))
        {
            throw RpcException.WithDetails(
                StatusCode.ResourceExhausted,
                $"Rate limit: at most {_options.PerCallerRequestsPerSecond:0.##} calls per second per caller (bursts of {_options.PerCallerBurst:0}); retry later.",
                new RetryInfo { RetryDelay = Duration.FromTimeSpan(wait) },
                new QuotaFailure { Violations = { new QuotaFailure.Types.Violation { Subject = "caller", Description = "Limits:PerCallerRequestsPerSecond" } } });
        }

        var concurrency = isService ? _options.ServiceConcurrency : _options.PerCallerConcurrency;
        if (Interlocked.Increment(ref state.InFlight) > concurrency)
        {
            Interlocked.Decrement(ref state.InFlight);
            throw RpcException.WithDetails(
                StatusCode.ResourceExhausted,
                $"Concurrency limit: at most {concurrency} calls in progress per caller; retry when one has finished.",
                new QuotaFailure { Violations = { new QuotaFailure.Types.Violation { Subject = "caller", Description = isService ? "Limits:ServiceConcurrency" : "Limits:PerCallerConcurrency" } } });
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref state.InFlight);
            if (_callers.Count > PruneAbove)
            {
                Prune();
            }
        }
    }

    /// <summary>Forgets idle callers whose bucket has refilled (they would start afresh anyway).</summary>
    private void Prune()
    {
        var now = time.GetUtcNow();
        foreach (var (subject, state) in _callers)
        {
            if (Volatile.Read(ref state.InFlight) == 0 && state.IsFull(_options.PerCallerRequestsPerSecond, _options.PerCallerBurst, now))
            {
                _callers.TryRemove(subject, out _);
            }
        }
    }

    private sealed class CallerState(double tokens, DateTimeOffset at)
    {
        private readonly Lock _lock = new();
        private double _tokens = tokens;
        private DateTimeOffset _at = at;

        public int InFlight;

        public bool TryTake(double rate, double burst, DateTimeOffset now, out TimeSpan wait)
        {
            lock (_lock)
            {
                Refill(rate, burst, now);
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    wait = TimeSpan.Zero;
                    return true;
                }

                wait = TimeSpan.FromSeconds((1 - _tokens) / rate);
                return false;
            }
        }

        public bool IsFull(double rate, double burst, DateTimeOffset now)
        {
            lock (_lock)
            {
                Refill(rate, burst, now);
                return _tokens >= burst;
            }
        }

        private void Refill(double rate, double burst, DateTimeOffset now)
        {
            if (now > _at)
            {
                _tokens = Math.Min(burst, _tokens + ((now - _at).TotalSeconds * rate));
                _at = now;
            }
        }
    }
}
