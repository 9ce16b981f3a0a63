using System.Collections.Concurrent;
using IrSuite.Anesthesia.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;

namespace IrSuite.Scheduling.Tests.Infrastructure;

/// <summary>The anaesthesia plans the fake anesthesia-consultation knows (set by each test), and how often it was asked.</summary>
public sealed class FakeAnesthesiaPlans
{
    private int _calls;

    public ConcurrentDictionary<string, AnesthesiaPlan> Plans { get; } = new(StringComparer.Ordinal);

    public int Calls => Volatile.Read(ref _calls);

    internal void Called() => Interlocked.Increment(ref _calls);
}

/// <summary>Serves ir.anesthesia.v1.AnesthesiaConsultationService/GetPlan on the test host.</summary>
public sealed class FakeAnesthesia(FakeAnesthesiaPlans plans)
{
    public Task<AnesthesiaPlan> GetPlan(GetPlanRequest request, ServerCallContext context)
    {
        plans.Called();
        return plans.Plans.TryGetValue(request.ReferralId, out var found)
            ? Task.FromResult(found)
            : throw new RpcException(new Status(StatusCode.NotFound, "AnesthesiaCase not found."));
    }
}
