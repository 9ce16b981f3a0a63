using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Grpc;

namespace IrSuite.Scheduling.Domain;

/// <summary>One refused rule: a stable code and a description naming fields and rules, never patient data.</summary>
public sealed record GateViolation(string Code, string Description);

/// <summary>FAILED_PRECONDITION listing several refused rules at once (one violation each; ErrorInfo.Type = the first).</summary>
public static class Gates
{
    public static RpcException Refuse(IReadOnlyList<GateViolation> violations)
    {
        ArgumentOutOfRangeException.ThrowIfZero(violations.Count);
        var distinct = violations.DistinctBy(v => v.Code).ToList();
        if (distinct.Count == 1)
        {
            return Rpc.Gate(distinct[0].Code, distinct[0].Description);
        }

        var failure = new PreconditionFailure();
        failure.Violations.AddRange(distinct.Select(v => new PreconditionFailure.Types.Violation { Type = "CLINICAL_GATE", Subject = v.Code, Description = v.Description }));
        return RpcException.WithDetails(
            StatusCode.FailedPrecondition,
            $"{distinct[0].Code}: {distinct.Count} readiness items are missing ({string.Join(", ", distinct.Select(v => v.Code))}).",
            failure,
            new ErrorInfo { Type = distinct[0].Code, Domain = Rpc.Domain });
    }
}
