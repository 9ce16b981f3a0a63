using System.CommandLine;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Irctl.Connection;
using IrSuite.Irctl.Output;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace IrSuite.Irctl.Cli;

/// <summary>One run of a command: its parsed options, consoles, connection and the calls it makes.</summary>
public sealed class Invocation(ParseResult parse, IrctlEnvironment environment, GlobalOptions globals, CancellationToken cancellation) : IDisposable
{
    private const int MutatingAttempts = 4;
    private GrpcChannel? _channel;

    public ParseResult Parse => parse;

    public IrctlEnvironment Environment => environment;

    public CancellationToken Cancellation => cancellation;

    public bool Json { get; } = parse.GetValue(globals.Output) == "json";

    /// <summary>Tables and trees (standard output).</summary>
    public IAnsiConsole Out { get; } = environment.CreateConsole(environment.Out, environment.OutputIsTerminal);

    /// <summary>Errors and progress (standard error).</summary>
    public IAnsiConsole Error { get; } = environment.CreateConsole(environment.Error, environment.Interactive);

    public T? Value<T>(Option<T> option) => parse.GetValue(option);

    /// <summary>The channel to the suite, opened on first use (streaming commands call it directly).</summary>
    public GrpcChannel Channel => _channel ??= Settings().OpenChannel();

    /// <summary>The connection settings: flags, then environment, then the config file, then defaults.</summary>
    public ConnectionSettings Settings()
    {
        var config = IrctlConfig.Load(environment);
        var (address, source) = parse.GetValue(globals.Address) is { Length: > 0 } flag ? (flag, "--address")
            : environment.GetVariable("IRCTL_ADDRESS") is { Length: > 0 } variable ? (variable, "IRCTL_ADDRESS")
            : config.Address is { Length: > 0 } configured ? (configured, $"config file {config.Path}")
            : (GlobalOptions.DefaultAddress, "default");
        return new ConnectionSettings(
            address,
            source,
            TokenSource.Resolve(parse.GetValue(globals.Token), environment, config),
            parse.GetValue(globals.CaFile) ?? config.CaFile,
            parse.GetValue(globals.ClientCertificate) ?? config.ClientCertificate,
            parse.GetValue(globals.ClientKey) ?? config.ClientKey);
    }

    /// <summary>
    /// Calls a unary method with the <c>--timeout</c> deadline. A change (a request with <c>request_id</c>) gets the
    /// <c>--request-id</c> or a fresh UUID, and is sent again with that same id when the answer is UNAVAILABLE, or
    /// ABORTED (that id is still being applied): the service applies it once (decision 0007). Any call answered
    /// RESOURCE_EXHAUSTED with a <c>RetryInfo</c> (the per-caller rate limit) is sent again after the delay the server
    /// asked for, up to <see cref="MaxRetryInfoDelay"/>. Reads are otherwise retried by the channel itself.
    /// </summary>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var requestId = request.Descriptor.FindFieldByName("request_id");
        if (requestId is not null && string.IsNullOrEmpty((string)requestId.Accessor.GetValue(request)))
        {
            requestId.Accessor.SetValue(request, parse.GetValue(globals.RequestId) is { Length: > 0 } given ? given : Guid.NewGuid().ToString());
        }

        var isChange = requestId is not null;
        var timeout = TimeSpan.FromSeconds(parse.GetValue(globals.Timeout) is > 0 and var seconds ? seconds : 10);
        async Task<TResponse> Run()
        {
            for (var attempt = 1; ; attempt++)
            {
                // Deadlines are real time: the clinical clock may be a test's manual one.
                var options = new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellation);
                try
                {
                    return await Channel.UnaryAsync(method, request, options);
                }
                catch (RpcException ex) when (attempt < MutatingAttempts && RetryDelay(ex, isChange, attempt) is { } delay)
                {
                    await Task.Delay(delay, cancellation);
                }
            }
        }

        if (environment.Interactive && !Json)
        {
            return await Error.Status().Spinner(Spinner.Known.Dots).StartAsync($"{method.Name}...", _ => Run());
        }

        return await Run();
    }

    /// <summary>The longest wait a server's <c>RetryInfo</c> may ask of irctl before it gives up (exit 9 instead).</summary>
    public static readonly TimeSpan MaxRetryInfoDelay = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait before sending the call again, or null when it must not be sent again.</summary>
    internal static TimeSpan? RetryDelay(RpcException exception, bool isChange, int attempt)
    {
        var backoff = TimeSpan.FromMilliseconds(200 << (attempt - 1));
        return exception.StatusCode switch
        {
            StatusCode.Unavailable when isChange && exception is not CircuitOpenException => backoff,
            StatusCode.Aborted when isChange => backoff,
            StatusCode.ResourceExhausted when exception.Details?.Details.Select(d => d.TryUnpack<Google.Rpc.RetryInfo>(out var info) ? info : null).FirstOrDefault(i => i is not null) is { } retry
                && retry.RetryDelay.ToTimeSpan() is var asked && asked <= MaxRetryInfoDelay => asked > TimeSpan.Zero ? asked : backoff,
            _ => null,
        };
    }

    /// <summary>Prints a response: protobuf JSON with <c>--output json</c>, else <paramref name="table"/> or a tree of its fields.</summary>
    public void Print(IMessage message, Func<IMessage, IRenderable>? table = null)
    {
        if (Json)
        {
            environment.Out.WriteLine(Formats.Json.Format(message));
            return;
        }

        Out.Write(table?.Invoke(message) ?? MessageView.Tree(message));
    }

    /// <summary>A time option: ISO 8601 (UTC when no offset), <c>now</c>, or <c>now-3h</c> / <c>+2d</c> (s, m, h, d).</summary>
    public Timestamp? Time(Option<string?> option)
    {
        var text = parse.GetValue(option);
        return string.IsNullOrWhiteSpace(text) ? null : Timestamp.FromDateTimeOffset(ParseTime(text, environment.Clock.GetUtcNow(), option.Name));
    }

    /// <summary>A time option that defaults to now.</summary>
    public Timestamp TimeOrNow(Option<string?> option) => Time(option) ?? Timestamp.FromDateTimeOffset(environment.Clock.GetUtcNow());

    public static DateTimeOffset ParseTime(string text, DateTimeOffset now, string optionName)
    {
        var value = text.Trim();
        if (value.StartsWith("now", StringComparison.OrdinalIgnoreCase))
        {
            value = value[3..];
            if (value.Length == 0)
            {
                return now;
            }
        }

        if (value.Length >= 3 && value[0] is '+' or '-' && "smhd".Contains(value[^1], StringComparison.Ordinal)
            && double.TryParse(value[1..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            var span = value[^1] switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            return value[0] == '+' ? now + span : now - span;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var absolute))
        {
            return absolute;
        }

        throw new UsageException($"{optionName}: '{text}' is not a time (ISO 8601 such as 2026-03-02T08:00Z, 'now', or 'now-3h' / '+2d')");
    }

    public void Dispose() => _channel?.Dispose();
}
