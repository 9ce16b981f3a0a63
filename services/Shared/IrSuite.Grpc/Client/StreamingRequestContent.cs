using System.Net;
using System.Net.Http;

namespace IrSuite.Grpc.Client;

/// <summary>
/// A request body that stays open while the caller writes messages: HttpClient hands us the HTTP/2
/// request stream, and returning from <see cref="SerializeToStreamAsync(Stream, TransportContext?)"/>
/// sends END_STREAM (the half-close).
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<Stream> GetStreamAsync(CancellationToken cancellationToken) =>
        await _stream.Task.WaitAsync(cancellationToken).ConfigureAwait(false);

    public void Complete() => _completed.TrySetResult();

    public void Abort()
    {
        _stream.TrySetCanceled();
        _completed.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        await _completed.Task.ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
