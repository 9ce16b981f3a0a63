using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Grpc.Server;

/// <summary>
/// Binds a service class to its protobuf <see cref="ServiceDescriptor"/>: each rpc is served by the public
/// instance method of the same name, with the signature its call shape requires:
/// <list type="bullet">
/// <item>unary: <c>Task&lt;TRes&gt; M(TReq, ServerCallContext)</c></item>
/// <item>server streaming: <c>Task M(TReq, IServerStreamWriter&lt;TRes&gt;, ServerCallContext)</c></item>
/// <item>client streaming: <c>Task&lt;TRes&gt; M(IAsyncStreamReader&lt;TReq&gt;, ServerCallContext)</c></item>
/// <item>duplex: <c>Task M(IAsyncStreamReader&lt;TReq&gt;, IServerStreamWriter&lt;TRes&gt;, ServerCallContext)</c></item>
/// </list>
/// An rpc without a method stays UNIMPLEMENTED; a method with the rpc's name but a wrong signature
/// fails at start-up, not at the first call. Delegates are built once, so calls use no reflection.
/// </summary>
internal static class ServiceBinder
{
    private static readonly MethodInfo BindGeneric = typeof(ServiceBinder).GetMethod(nameof(Bind), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static IEnumerable<ServerMethodHandler> BindService(ServiceRegistration registration, ServerRuntime runtime, IServiceProvider services)
    {
        foreach (var rpc in registration.Descriptor.Methods)
        {
            var candidates = registration.ServiceType
                .GetMethods(BindingFlags.Public | BindingFlags.Instance)
                .Where(m => m.Name == rpc.Name)
                .ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            if (candidates.Count > 1)
            {
                throw new InvalidOperationException($"{registration.ServiceType.Name} has several methods named {rpc.Name}.");
            }

            var generic = BindGeneric.MakeGenericMethod(registration.ServiceType, rpc.InputType.ClrType, rpc.OutputType.ClrType);
            yield return (ServerMethodHandler)generic.Invoke(null, [rpc, candidates[0], registration, runtime, services])!;
        }
    }

    private static ServerMethodHandler Bind<TService, TRequest, TResponse>(
        MethodDescriptor rpc, MethodInfo target, ServiceRegistration registration, ServerRuntime runtime, IServiceProvider services)
        where TService : class
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var method = Method<TRequest, TResponse>.Create(rpc);
        var activator = CreateActivator<TService>(registration, services);
        return method.Type switch
        {
            MethodType.Unary => new UnaryServerMethodHandler<TService, TRequest, TResponse>(
                method, runtime, activator, CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>(target, rpc)),
            MethodType.ServerStreaming => new ServerStreamingServerMethodHandler<TService, TRequest, TResponse>(
                method, runtime, activator, CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(target, rpc)),
            MethodType.ClientStreaming => new ClientStreamingServerMethodHandler<TService, TRequest, TResponse>(
                method, runtime, activator, CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>(target, rpc)),
            _ => new DuplexStreamingServerMethodHandler<TService, TRequest, TResponse>(
                method, runtime, activator, CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(target, rpc)),
        };
    }

    private static TDelegate CreateDelegate<TDelegate>(MethodInfo target, MethodDescriptor rpc)
        where TDelegate : Delegate
    {
        var invoke = typeof(TDelegate).GetMethod("Invoke")!;
        var expected = invoke.GetParameters().Skip(1).Select(p => p.ParameterType).ToArray();
        var actual = target.GetParameters().Select(p => p.ParameterType).ToArray();
        if (!expected.SequenceEqual(actual) || target.ReturnType != invoke.ReturnType)
        {
            throw new InvalidOperationException(
                $"{target.DeclaringType?.Name}.{target.Name} cannot serve {rpc.FullName}: expected "
                + $"{Describe(invoke.ReturnType)} {target.Name}({string.Join(", ", expected.Select(Describe))}).");
        }

        return (TDelegate)Delegate.CreateDelegate(typeof(TDelegate), target);
    }

    private static Func<HttpContext, TService> CreateActivator<TService>(ServiceRegistration registration, IServiceProvider services)
        where TService : class
    {
        if (registration.Lifetime == ServiceLifetime.Singleton)
        {
            // Singletons skip the per-request DI scope entirely.
            var instance = services.GetRequiredService<TService>();
            return _ => instance;
        }

        return static http => http.RequestServices.GetRequiredService<TService>();
    }

    private static string Describe(Type type) =>
        type.IsGenericType
            ? type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Describe)) + ">"
            : type.Name;
}
