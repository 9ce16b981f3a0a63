using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Health.V1;
using Grpc.Reflection.V1;
using IrSuite.Grpc.Client;
using IrSuite.Grpc.Health;
using IrSuite.Grpc.Tests.Infrastructure;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IrSuite.Grpc.Tests;

public sealed class HealthAndReflectionTests
{
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> Check = Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Check");
    private static readonly Method<HealthCheckRequest, HealthCheckResponse> Watch = Method<HealthCheckRequest, HealthCheckResponse>.Create(HealthReflection.Descriptor.Services[0], "Watch");
    private static readonly Method<HealthListRequest, HealthListResponse> List = Method<HealthListRequest, HealthListResponse>.Create(HealthReflection.Descriptor.Services[0], "List");
    private static readonly Method<ServerReflectionRequest, ServerReflectionResponse> Reflect =
        Method<ServerReflectionRequest, ServerReflectionResponse>.Create(ReflectionReflection.Descriptor.Services[0], "ServerReflectionInfo");

    [Fact]
    public async Task Health_CheckKnownUnknownAndList()
    {
        await using var server = await StartAsync(new SwitchableCheck());
        using var channel = server.CreateChannel();

        Assert.Equal(ServingStatus.Serving, (await channel.UnaryAsync(Check, new HealthCheckRequest())).Status);
        Assert.Equal(ServingStatus.Serving, (await channel.UnaryAsync(Check, new HealthCheckRequest { Service = "irsuite.testing.v1.ProbeService" })).Status);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(Check, new HealthCheckRequest { Service = "no.such.Service" }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var list = await channel.UnaryAsync(List, new HealthListRequest());
        Assert.Equal(
            ["", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "irsuite.testing.v1.ProbeService"],
            list.Statuses.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Health_UnhealthyCheck_IsNotServing()
    {
        var check = new SwitchableCheck { Healthy = false };
        await using var server = await StartAsync(check);
        using var channel = server.CreateChannel();
        Assert.Equal(ServingStatus.NotServing, (await channel.UnaryAsync(Check, new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task Health_Watch_SendsCurrentStatusThenEachChange()
    {
        var check = new SwitchableCheck();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(check, time);
        using var channel = server.CreateChannel();
        using var call = channel.ServerStreamingCall(Watch, new HealthCheckRequest());

        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);

        check.Healthy = false;
        Assert.Equal(ServingStatus.NotServing, await NextAfterClockTicksAsync(call, time));
        check.Healthy = true;
        Assert.Equal(ServingStatus.Serving, await NextAfterClockTicksAsync(call, time));

        // Shutdown wakes watchers at once: no clock movement needed.
        server.Services.GetRequiredService<HealthService>().SetStopping();
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
    }

    private static async Task<ServingStatus> NextAfterClockTicksAsync(AsyncServerStreamingCall<HealthCheckResponse> call, ManualTimeProvider time)
    {
        var next = call.ResponseStream.MoveNext();
        // The watcher re-evaluates on its interval: move the manual clock until it has.
        while (!next.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(next, Task.Delay(10));
        }

        Assert.True(await next);
        return call.ResponseStream.Current.Status;
    }

    [Fact]
    public async Task Health_WatchUnknownService_SendsServiceUnknownAndStaysOpen()
    {
        await using var server = await StartAsync(new SwitchableCheck());
        using var channel = server.CreateChannel();
        using var call = channel.ServerStreamingCall(Watch, new HealthCheckRequest { Service = "not.Yet" });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);
        var next = call.ResponseStream.MoveNext();
        Assert.Null(await WithTimeout(next, TimeSpan.FromMilliseconds(200)));
        call.Dispose();
    }

    [Fact]
    public async Task Reflection_ListsServicesAndServesFilesWithDependencies()
    {
        await using var server = await StartAsync(new SwitchableCheck());
        using var channel = server.CreateChannel();
        using var call = channel.DuplexStreamingCall(Reflect);

        var services = await AskAsync(call, new ServerReflectionRequest { ListServices = "*" });
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "irsuite.testing.v1.ProbeService"],
            services.ListServicesResponse.Service.Select(s => s.Name).Order().ToArray());

        var bySymbol = await AskAsync(call, new ServerReflectionRequest { FileContainingSymbol = "irsuite.testing.v1.ProbeService.Echo" });
        var file = FileDescriptorProto.Parser.ParseFrom(bySymbol.FileDescriptorResponse.FileDescriptorProto[0]);
        Assert.Equal("Protos/probe.proto", file.Name);

        var missing = await AskAsync(call, new ServerReflectionRequest { FileContainingSymbol = "no.such.Type" });
        Assert.Equal((int)StatusCode.NotFound, missing.ErrorResponse.ErrorCode);

        // The stream stays usable after an error answer.
        var byName = await AskAsync(call, new ServerReflectionRequest { FileByFilename = "grpc/health/v1/health.proto" });
        Assert.Equal("grpc.health.v1", FileDescriptorProto.Parser.ParseFrom(byName.FileDescriptorResponse.FileDescriptorProto[0]).Package);

        var message = await AskAsync(call, new ServerReflectionRequest { FileContainingSymbol = "grpc.health.v1.HealthCheckResponse.ServingStatus" });
        Assert.Single(message.FileDescriptorResponse.FileDescriptorProto);

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Reflection_TransitiveDependenciesAreIncluded()
    {
        await using var server = await TestServer.StartAsync(configureGrpc: g => g
            .AddService<IrSuite.Interop.TestServiceImpl>(global::Grpc.Testing.TestReflection.Descriptor.Services[0])
            .AddReflection(), configureServices: s => s.AddSingleton(TimeProvider.System));
        using var channel = server.CreateChannel();
        using var call = channel.DuplexStreamingCall(Reflect);
        var answer = await AskAsync(call, new ServerReflectionRequest { FileContainingSymbol = "grpc.testing.TestService" });
        var names = answer.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b).Name).ToArray();
        Assert.Equal("grpc/testing/test.proto", names[0]);
        Assert.Equal(["grpc/testing/empty.proto", "grpc/testing/messages.proto", "grpc/testing/test.proto"], names.Order(StringComparer.Ordinal).ToArray());
    }

    private static async Task<ServerReflectionResponse> AskAsync(AsyncDuplexStreamingCall<ServerReflectionRequest, ServerReflectionResponse> call, ServerReflectionRequest request)
    {
        await call.RequestStream.WriteAsync(request);
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(request, call.ResponseStream.Current.OriginalRequest);
        return call.ResponseStream.Current;
    }

    private static async Task<T?> WithTimeout<T>(Task<T> task, TimeSpan timeout)
        where T : struct
    {
        var winner = await Task.WhenAny(task, Task.Delay(timeout));
        return winner == task ? await task : null;
    }

    private static Task<TestServer> StartAsync(SwitchableCheck check, TimeProvider? time = null) => TestServer.StartAsync(
        configureServices: s => s.AddHealthChecks().AddCheck("switchable", check),
        configureGrpc: g => g.AddHealth(o =>
        {
            o.CacheDuration = TimeSpan.Zero;
            o.TimeProvider = time ?? TimeProvider.System;
        }).AddReflection());

    private sealed class SwitchableCheck : IHealthCheck
    {
        public volatile bool Healthy = true;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(Healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
    }
}
