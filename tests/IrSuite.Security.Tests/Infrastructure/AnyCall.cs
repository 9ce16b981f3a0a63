using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;

namespace IrSuite.Security.Tests.Infrastructure;

/// <summary>Calls any RPC (a streaming one with one message) by its descriptor with an empty request (all defaults) and returns the status the server answered.</summary>
public static class AnyCall
{
    private static readonly MethodInfo Unary = typeof(GrpcChannel).GetMethod(nameof(GrpcChannel.UnaryAsync))!;

    private static readonly MethodInfo Streaming = typeof(AnyCall).GetMethod(nameof(StreamingStatusAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static async Task<Status> StatusOfAsync(GrpcChannel channel, MethodDescriptor rpc, CallOptions options = default)
    {
        if (rpc.IsClientStreaming || rpc.IsServerStreaming)
        {
            return await (Task<Status>)Streaming.MakeGenericMethod(rpc.InputType.ClrType, rpc.OutputType.ClrType)
                .Invoke(null, [channel, rpc, options.Deadline is null ? options.WithTimeout(TimeSpan.FromSeconds(30)) : options])!;
        }

        var request = (IMessage)Activator.CreateInstance(rpc.InputType.ClrType)!;
        var method = typeof(Method<,>).MakeGenericType(rpc.InputType.ClrType, rpc.OutputType.ClrType)
            .GetMethod("Create", [typeof(MethodDescriptor)])!
            .Invoke(null, [rpc])!;
        var call = (Task)Unary.MakeGenericMethod(rpc.InputType.ClrType, rpc.OutputType.ClrType)
            .Invoke(channel, [method, request, options.Deadline is null ? options.WithTimeout(TimeSpan.FromSeconds(30)) : options])!;
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

    /// <summary>A streaming RPC: one empty request message (then half-close), every response read, the final status.</summary>
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
                while (await serverCall.ResponseStream.MoveNext())
                {
                }

                return serverCall.GetStatus();
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
