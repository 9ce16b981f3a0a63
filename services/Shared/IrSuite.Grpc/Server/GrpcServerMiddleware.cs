using System.Collections.Frozen;
using IrSuite.Grpc.Internal;
using Microsoft.AspNetCore.Http;

namespace IrSuite.Grpc.Server;

/// <summary>
/// Routes gRPC requests by path with one frozen-dictionary lookup. Non-gRPC requests to other paths go
/// to the next middleware; a non-gRPC content-type on a gRPC path gets HTTP 415; HTTP/1.x gets 426; a method other than POST gets 405.
/// </summary>
internal sealed class GrpcServerMiddleware
{
    private readonly RequestDelegate _next;
    private readonly ServerRuntime _runtime;
    private readonly FrozenDictionary<string, ServerMethodHandler> _handlers;
    private readonly FrozenSet<string> _services;

    public GrpcServerMiddleware(RequestDelegate next, ServerRuntime runtime, GrpcServiceRegistry registry, IServiceProvider services)
    {
        _next = next;
        _runtime = runtime;
        _handlers = registry.Registrations
            .SelectMany(r => ServiceBinder.BindService(r, runtime, services))
            .ToFrozenDictionary(h => h.Method.FullName, StringComparer.Ordinal);
        _services = registry.Registrations.Select(r => r.Descriptor.FullName).ToFrozenSet(StringComparer.Ordinal);
    }

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var path = request.Path.Value ?? string.Empty;
        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            return IsServicePath(path) ? RefuseHttp(http, path, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported.") : _next(http);
        }

        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            http.Response.Headers.Upgrade = "h2";
            return RefuseHttp(http, path, StatusCodes.Status426UpgradeRequired, "gRPC requires HTTP/2.");
        }

        // gRPC is POST only (PROTOCOL-HTTP2: ":method POST"); a GET or PUT must not reach a handler as if it were a call.
        if (!HttpMethods.IsPost(request.Method))
        {
            http.Response.Headers.Allow = "POST";
            return RefuseHttp(http, path, StatusCodes.Status405MethodNotAllowed, $"gRPC requires POST, not {request.Method}.");
        }

        if (_handlers.TryGetValue(path, out var handler))
        {
            return handler.HandleAsync(http);
        }

        var detail = IsServicePath(path) ? "Method is unimplemented." : "Service is unimplemented.";
        _runtime.Log.CallRefused(path, StatusCode.Unimplemented, detail);
        WriteTrailersOnly(http, StatusCode.Unimplemented, detail);
        return Task.CompletedTask;
    }

    private bool IsServicePath(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash > 1 && _services.Contains(path[1..slash]);
    }

    private Task RefuseHttp(HttpContext http, string path, int httpStatus, string detail)
    {
        _runtime.Log.HttpRefused(path, httpStatus);
        http.Response.StatusCode = httpStatus;
        http.Response.Headers[GrpcProtocol.StatusTrailer] = StatusCodeStrings.Get(StatusCode.Internal);
        http.Response.Headers[GrpcProtocol.MessageTrailer] = PercentEncoding.Encode(detail);
        return Task.CompletedTask;
    }

    private static void WriteTrailersOnly(HttpContext http, StatusCode code, string detail)
    {
        var headers = http.Response.Headers;
        http.Response.ContentType = GrpcProtocol.ContentType;
        headers[GrpcProtocol.StatusTrailer] = StatusCodeStrings.Get(code);
        headers[GrpcProtocol.MessageTrailer] = PercentEncoding.Encode(detail);
    }
}
