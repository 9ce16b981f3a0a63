using System.Collections.Concurrent;
using IrSuite.SuiteHost.Demo;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>How one patient's pathway ended.</summary>
public sealed record PathwayOutcome(int Patient, string? ReferralId, bool Ok, string? Error, double Seconds);

/// <summary>
/// Moves N patients through the whole pathway (referral to discharge and follow-up, PathwayWalker over gRPC), at most
/// <c>concurrency</c> at once, within a hard deadline. Every mutating RPC carries a request id, and a call whose outcome
/// is unknown (UNAVAILABLE, DEADLINE_EXCEEDED, a reset stream...) is sent again with the same id, as a careful client
/// would: the services' idempotency store applies it once. Reads are repeated the same way, and polled by the walker.
/// <see cref="CallAttempts"/> = 1 turns repeats off (a call meeting a fault then fails its pathway).
/// </summary>
public sealed class LoadDriver(SuiteUnderTest suite)
{
    public TimeSpan EventTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Sends of one call (a command with the same request id) before its pathway counts as failed.</summary>
    public int CallAttempts { get; init; } = 10;

    public async Task<IReadOnlyList<PathwayOutcome>> RunAsync(int patients, int concurrency, TimeSpan deadline, int firstPatient = 1, Action<int>? onCompleted = null)
    {
        var endpoints = new PathwayEndpoints(suite.Channel("scheduling"), suite.Channel("anesthesia-consultation"), suite.Channel("procedure-record"), suite.Channel("discharge"));
        var walker = new PathwayWalker(endpoints, TimeProvider.System) { EventTimeout = EventTimeout, CallAttempts = CallAttempts };
        var outcomes = new ConcurrentBag<PathwayOutcome>();
        using var cts = new CancellationTokenSource(deadline);
        var done = 0;
        var abandoned = new ConcurrentBag<Task>();
        await Parallel.ForEachAsync(Enumerable.Range(firstPatient, patients), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (patient, token) =>
        {
            if (cts.IsCancellationRequested)
            {
                outcomes.Add(new PathwayOutcome(patient, null, false, "deadline before start", 0));
                return;
            }

            Ledger.Patient = patient;
            var started = DateTime.UtcNow;
            var walk = walker.WalkAsync(patient, patient % 3 == 0 ? ["L1", "L2"] : ["L1"]);
            var winner = await Task.WhenAny(walk, Task.Delay(Timeout.Infinite, cts.Token).ContinueWith(_ => { }, TaskScheduler.Default));
            var seconds = (DateTime.UtcNow - started).TotalSeconds;
            if (winner != walk)
            {
                outcomes.Add(new PathwayOutcome(patient, null, false, "run deadline", seconds));
                abandoned.Add(walk);
                return;
            }

            try
            {
                var result = await walk;
                outcomes.Add(new PathwayOutcome(patient, result.Referral.ReferralId, true, null, seconds));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var error = ex is Grpc.RpcException rpc ? "rpc " + rpc.StatusCode : ex.GetType().Name;
                outcomes.Add(new PathwayOutcome(patient, null, false, error, seconds));
            }

            onCompleted?.Invoke(Interlocked.Increment(ref done));
        });
        // Walks cut off by the deadline still run (the walker takes no token); wait for them, bounded (each step has
        // a deadline and each event wait a timeout), so none commits while the checker reads.
        await Task.WhenAny(Task.WhenAll(abandoned).ContinueWith(_ => { }, TaskScheduler.Default), Task.Delay(TimeSpan.FromMinutes(3)));
        return outcomes.OrderBy(o => o.Patient).ToList();
    }
}
