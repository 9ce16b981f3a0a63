using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;

namespace IrSuite.Security.Tests.Infrastructure;

/// <summary>Calls any unary RPC by its descriptor with an empty request (all defaults) and returns the status the server answered.</summary>
public static class AnyCall
{
    private static readonly MethodInfo Unary = typeof(GrpcChannel).GetMethod(nameof(GrpcChannel.UnaryAsync))!;

    public static async Task<Status> StatusOfAsync(GrpcChannel channel, MethodDescriptor rpc, CallOptions options = default)
    {
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
}
