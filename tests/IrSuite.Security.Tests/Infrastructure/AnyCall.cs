using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;

namespace IrSuite.Security.Tests.Infrastructure;

/// <summary>
/// Calls any unary or server-streaming RPC by its descriptor with an empty request (all defaults) and returns the status
/// the server answered (for a stream: OK once its first message arrived; a live feed never ends on its own).
/// </summary>
public static class AnyCall
{
    private static readonly MethodInfo Unary = typeof(GrpcChannel).GetMethod(nameof(GrpcChannel.UnaryAsync))!;
    private static readonly MethodInfo FirstOfStream = typeof(AnyCall).GetMethod(nameof(FirstOfStreamAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static async Task<Status> StatusOfAsync(GrpcChannel channel, MethodDescriptor rpc, CallOptions options = default)
    {
        var request = (IMessage)Activator.CreateInstance(rpc.InputType.ClrType)!;
        var method = typeof(Method<,>).MakeGenericType(rpc.InputType.ClrType, rpc.OutputType.ClrType)
            .GetMethod("Create", [typeof(MethodDescriptor)])!
            .Invoke(null, [rpc])!;
        var callOptions = options.Deadline is null ? options.WithTimeout(TimeSpan.FromSeconds(30)) : options;
        var call = rpc.IsServerStreaming
            ? (Task)FirstOfStream.MakeGenericMethod(rpc.InputType.ClrType, rpc.OutputType.ClrType).Invoke(null, [channel, method, request, callOptions])!
            : (Task)Unary.MakeGenericMethod(rpc.InputType.ClrType, rpc.OutputType.ClrType).Invoke(channel, [method, request, callOptions])!;
        try
        {
            await call;
            return Status.DefaultSuccess;
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }

    private static async Task FirstOfStreamAsync<TRequest, TResponse>(GrpcChannel channel, Method<TRequest, TResponse> method, TRequest request, CallOptions options)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using var call = channel.ServerStreamingCall(method, request, options);
        if (!await call.ResponseStream.MoveNext())
        {
            throw new RpcException(call.GetStatus());
        }
    }
}
