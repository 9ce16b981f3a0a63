using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace IrSuite.Grpc;

/// <summary>
/// A call ended with a non-OK status. On the server, throw it to end the call with that status;
/// on the client, it carries the status, the trailers and the rich details
/// (<c>google.rpc.Status</c> from <c>grpc-status-details-bin</c>) the server sent.
/// </summary>
public class RpcException : Exception
{
    public RpcException(Status status)
        : this(status, new Metadata(), null)
    {
    }

    public RpcException(Status status, Metadata trailers)
        : this(status, trailers, null)
    {
    }

    public RpcException(Status status, Metadata trailers, Google.Rpc.Status? details)
        : base(status.ToString())
    {
        Status = status;
        Trailers = trailers;
        Details = details;
    }

    /// <summary>An exception carrying rich details; code and message are taken from them.</summary>
    public RpcException(Google.Rpc.Status details)
        : this(new Status((StatusCode)details.Code, details.Message), new Metadata(), details)
    {
    }

    public Status Status { get; }

    public StatusCode StatusCode => Status.StatusCode;

    public Metadata Trailers { get; }

    /// <summary>The rich error details, when the server sent them.</summary>
    public Google.Rpc.Status? Details { get; }

    /// <summary>The first detail of type <typeparamref name="T"/> (e.g. <c>BadRequest</c>), or null.</summary>
    public T? GetDetail<T>()
        where T : class, IMessage<T>, new()
    {
        if (Details is null)
        {
            return null;
        }

        var descriptor = new T().Descriptor;
        foreach (var any in Details.Details)
        {
            if (any.Is(descriptor))
            {
                return any.Unpack<T>();
            }
        }

        return null;
    }

    /// <summary>Builds a rich error: the code, a message and any detail messages packed as <c>Any</c>.</summary>
    public static RpcException WithDetails(StatusCode code, string message, params IMessage[] details)
    {
        var status = new Google.Rpc.Status { Code = (int)code, Message = message };
        foreach (var detail in details)
        {
            status.Details.Add(Any.Pack(detail));
        }

        return new RpcException(status);
    }
}
