using IrSuite.Board.V1;
using IrSuite.Grpc;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Grpc;
using IrSuite.ServiceDefaults.Audit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Scheduling.Board;

/// <summary>The department board's wiring (decision 0015): projection feed, gRPC service, and the web page's listener.</summary>
public static class BoardSetup
{
    public static GrpcServerBuilder AddDepartmentBoard(this GrpcServerBuilder grpc, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(grpc);
        var services = grpc.Services;
        services.AddOptions<BoardOptions>()
            .Bind(configuration.GetSection(BoardOptions.Section))
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero, "Board:HeartbeatInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<BoardNotifier>();
        services.AddSingleton<BoardFeed>();
        services.AddSingleton<DepartmentBoardGrpcService>();
        // Board reads are audited in scheduling's database, like its other reads (decision 0013).
        services.AddAuditTrail<SchedulingDatabase>(BoardReflection.Descriptor.Services[0].FullName);

        var endpoint = BoardHttpEndpoint.Resolve(configuration);
        services.AddSingleton(endpoint);
        services.Configure<KestrelServerOptions>(endpoint.Listen);
        services.AddSingleton<IStartupFilter, BoardHttpEndpoint.StartupFilter>();
        return grpc.AddService<DepartmentBoardGrpcService>(BoardReflection.Descriptor.Services[0]);
    }
}
