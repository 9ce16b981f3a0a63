using Google.Rpc;
using IrSuite.Grpc;

namespace IrSuite.ServiceDefaults.Grpc;

/// <summary>
/// The errors IrSuite services answer with. Messages name fields, rules and resource kinds, never patient
/// data: they end up in clients' logs.
/// </summary>
public static class Rpc
{
    public const string Domain = "irsuite";

    /// <summary>NOT_FOUND for a resource kind and id.</summary>
    public static RpcException NotFound(string resourceType, string id) =>
        RpcException.WithDetails(StatusCode.NotFound, $"{resourceType} '{id}' not found.",
            new ResourceInfo { ResourceType = resourceType, ResourceName = id });

    /// <summary>FAILED_PRECONDITION for a clinical or workflow gate; <paramref name="rule"/> is a stable code, e.g. CLEARANCE_REQUIRED.</summary>
    public static RpcException Gate(string rule, string description)
    {
        var failure = new PreconditionFailure();
        failure.Violations.Add(new PreconditionFailure.Types.Violation { Type = "CLINICAL_GATE", Subject = rule, Description = description });
        return RpcException.WithDetails(StatusCode.FailedPrecondition, $"{rule}: {description}", failure, new ErrorInfo { Type = rule, Domain = Domain });
    }

    /// <summary>ALREADY_EXISTS for a resource kind and id.</summary>
    public static RpcException AlreadyExists(string resourceType, string id) =>
        RpcException.WithDetails(StatusCode.AlreadyExists, $"{resourceType} '{id}' already exists.",
            new ResourceInfo { ResourceType = resourceType, ResourceName = id });
}
