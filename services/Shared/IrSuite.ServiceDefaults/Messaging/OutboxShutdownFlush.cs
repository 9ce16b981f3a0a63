using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// The last word of the outbox at shutdown (decision 0008). Registered after MassTransit's hosted service and before the
/// web server (hosted services stop in reverse order), so it stops after the server has finished its in-flight calls and
/// before the bus stops: it stops every relay's loop and publishes what those calls committed.
/// </summary>
public sealed partial class OutboxShutdownFlush(IEnumerable<IOutboxRelay> relays, ILogger<OutboxShutdownFlush> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var relay in relays)
        {
            try
            {
                await relay.StopAsync(cancellationToken);
                var sent = await relay.FlushAsync(cancellationToken);
                LogFlushed(relay.ServiceName, sent);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The host's shutdown timeout ran out: what is not published stays in the outbox for the next start.
                LogFlushCutShort(relay.ServiceName);
            }
            catch (Exception ex)
            {
                // Any other failure, the same: the rows stay pending. Throwing would only fail the host's stop.
                LogFlushFailed(relay.ServiceName, ex);
            }
        }
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Outbox of {Service} flushed at shutdown: {Sent} events published")]
    private partial void LogFlushed(string service, int sent);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Outbox of {Service} could not be flushed at shutdown; the rows stay pending")]
    private partial void LogFlushFailed(string service, Exception exception);

    [LoggerMessage(EventId = 212, Level = LogLevel.Warning, Message = "Outbox flush of {Service} cut short by the shutdown timeout; the rows stay pending")]
    private partial void LogFlushCutShort(string service);
}
