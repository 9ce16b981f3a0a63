using System.Collections.Concurrent;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Procedure.V1;

namespace IrSuite.Discharge.Tests.Infrastructure;

/// <summary>The cases the fake procedure-record knows, and how often it was asked.</summary>
public sealed class FakeProcedureCases
{
    private int _calls;

    public ConcurrentDictionary<string, ProcedureCase> Cases { get; } = new(StringComparer.Ordinal);

    public int Calls => Volatile.Read(ref _calls);

    internal void Called() => Interlocked.Increment(ref _calls);
}

/// <summary>Serves ir.procedure.v1.ProcedureRecordService/GetProcedureSummary on the test host.</summary>
public sealed class FakeProcedureRecord(FakeProcedureCases cases)
{
    public Task<ProcedureCase> GetProcedureSummary(GetProcedureSummaryRequest request, ServerCallContext context)
    {
        cases.Called();
        return cases.Cases.TryGetValue(request.ReferralId, out var found)
            ? Task.FromResult(found)
            : throw new RpcException(new Status(StatusCode.NotFound, "ProcedureCase not found."));
    }
}
