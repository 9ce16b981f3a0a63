using Microsoft.Extensions.Logging;

namespace IrSuite.Grpc.Internal;

/// <summary>Source-generated log messages of the runtime. Only method names and status codes: never message contents.</summary>
internal sealed partial class GrpcLog(ILogger logger)
{
    public ILogger Logger => logger;

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Call {Method} started")]
    public partial void CallStarted(string method);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Call {Method} ended with {StatusCode} in {ElapsedMs:0.###} ms")]
    public partial void CallEnded(string method, StatusCode statusCode, double elapsedMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Handler of {Method} threw; the client gets UNKNOWN")]
    public partial void HandlerFailed(string method, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Call {Method} passed its deadline")]
    public partial void DeadlineExceeded(string method);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Call {Method} refused: {StatusCode} {Detail}")]
    public partial void CallRefused(string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Request to {Path} refused with HTTP {HttpStatus}")]
    public partial void HttpRefused(string path, int httpStatus);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Client call {Method} attempt failed with {StatusCode}; retrying in {DelayMs} ms")]
    public partial void ClientRetry(string method, StatusCode statusCode, double delayMs);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Handler of {Method} threw {ExceptionType}; the host maps it to {StatusCode}")]
    public partial void HandlerFailedMapped(string method, StatusCode statusCode, string exceptionType);
}
