using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;

namespace IrSuite.Security.Tests.Infrastructure;

/// <summary>
/// Calls any RPC by its descriptor with an empty request (all defaults; a client or duplex stream sends one such message,
/// then half-closes) and returns the status the server answered. A server-only stream counts as OK once its first
/// message arrived: a live feed never ends on its own.
/// </summary>
public static class AnyCall
{
    private static readonly MethodInfo Unary = typeof(GrpcChannel).GetMethod(nameof(GrpcChannel.UnaryAsync))!;

    private static readonly MethodInfo Streaming = typeof(AnyCall).GetMethod(nameof(StreamingStatusAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static async Task<Status> StatusOfAsync(GrpcChannel channel, MethodDescriptor rpc, CallOptions options = default)
    {
        var callOptions = options.Deadline is null ? options.WithTimeout(TimeSpan.FromSeconds(30)) : options;
        if (rpc.IsClientStreaming || rpc.IsServerStreaming)
        {
            return await (Task<Status>)Streaming.MakeGenericMethod(rpc.InputType.ClrType, rpc.OutputType.ClrType).Invoke(null, [channel, rpc, callOptions])!;
        }

        var request = (IMessage)Activator.CreateInstance(rpc.InputType.ClrType)!;
        var method = typeof(Method<,>).MakeGenericType(rpc.InputType.ClrType, rpc.OutputType.ClrType)
            .GetMethod("Create", [typeof(MethodDescriptor)])!
            .Invoke(null, [rpc])!;
        var call = (Task)Unary.MakeGenericMethod(rpc.InputType.ClrType, rpc.OutputType.ClrType).Invoke(channel, [method, request, callOptions])!;
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

    private static async Task<Status> StreamingStatusAsync<TRequest, TResponse>(GrpcChannel channel, MethodDescriptor rpc, CallOptions options)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>
    {
        var method = Method<TRequest, TResponse>.Create(rpc);
        try
        {
            if (!rpc.IsClientStreaming)
            {
                using var serverCall = channel.ServerStreamingCall(method, new TRequest(), options);
                return await serverCall.ResponseStream.MoveNext() ? Status.DefaultSuccess : serverCall.GetStatus();
            }

            if (!rpc.IsServerStreaming)
            {
                using var clientCall = channel.ClientStreamingCall(method, options);
                await clientCall.RequestStream.WriteAsync(new TRequest());
                await clientCall.RequestStream.CompleteAsync();
                await clientCall.ResponseAsync;
                return clientCall.GetStatus();
            }

            using var call = channel.DuplexStreamingCall(method, options);
            await call.RequestStream.WriteAsync(new TRequest());
            await call.RequestStream.CompleteAsync();
            while (await call.ResponseStream.MoveNext())
            {
            }

            return call.GetStatus();
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }
}
