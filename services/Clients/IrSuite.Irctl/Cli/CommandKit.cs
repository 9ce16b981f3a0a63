using System.CommandLine;
using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using IrSuite.Grpc;
using IrSuite.Irctl.Connection;
using IrSuite.Irctl.Output;
using Spectre.Console.Rendering;

namespace IrSuite.Irctl.Cli;

/// <summary>What every command group builds its commands with: typed options, the referral argument and actions.</summary>
public sealed class CommandKit(GlobalOptions globals, IrctlEnvironment environment)
{
    public IrctlEnvironment Environment => environment;

    public GlobalOptions Globals => globals;

    /// <summary>The referral id, which identifies the pathway in every service.</summary>
    public static Argument<string> ReferralId() => new("referral-id") { Description = "The referral id (identifies the pathway in every service)" };

    /// <summary>
    /// Binds <paramref name="command"/> to a unary RPC: the request is built from the options, sent (a change with a
    /// request id, retried on UNAVAILABLE with the same id) and the response printed.
    /// </summary>
    public void Unary<TRequest, TResponse>(Command command, ServiceDescriptor service, string method, Func<Invocation, TRequest> build, Func<TResponse, IRenderable>? view = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var definition = Method<TRequest, TResponse>.Create(service, method);
        command.SetAction((parse, cancellation) => RunAsync(
            parse,
            async invocation =>
            {
                var response = await invocation.CallAsync(definition, build(invocation));
                invocation.Print(response, view is null ? null : m => view((TResponse)m));
                return ExitCodes.Ok;
            },
            cancellation));
    }

    /// <summary>Runs a command body, turning every failure into its report and exit code.</summary>
    public async Task<int> RunAsync(ParseResult parse, Func<Invocation, Task<int>> body, CancellationToken cancellation)
    {
        using var invocation = new Invocation(parse, environment, globals, cancellation);
        try
        {
            return await body(invocation);
        }
        catch (RpcException ex)
        {
            return ErrorReport.Write(ex, invocation);
        }
        catch (UsageException ex)
        {
            return ErrorReport.WriteLocal(ex.Message, ExitCodes.Usage, invocation, environment);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return 130;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return ErrorReport.WriteLocal(ex.Message, ExitCodes.Other, invocation, environment);
        }
    }

    public static Option<string?> Text(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<string[]> Many(string name, string description, bool required = false) =>
        new(name) { Description = description + " (repeat the option, or give several values)", AllowMultipleArgumentsPerToken = true, Required = required };

    public static Option<double?> Number(string name, string description, bool required = false) =>
        new(name) { Description = description, Required = required };

    public static Option<int> Whole(string name, string description, int defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    /// <summary>A time option (ISO 8601, now, now-3h, +2d).</summary>
    public static Option<string?> Time(string name, string description, bool required = false) =>
        new(name) { Description = description + " (ISO 8601, 'now', 'now-3h', '+2d')", Required = required, HelpName = "time" };

    /// <summary>
    /// An option for a proto enum: takes the value name without its prefix, in any case, '-' or '_'
    /// (<c>osteoporotic-fracture</c>, <c>OSTEOPOROTIC_FRACTURE</c>).
    /// </summary>
    public static Option<T> Enum<T>(string name, string description, T defaultValue, bool required = false)
        where T : struct, System.Enum
    {
        var names = ProtoEnumNames<T>();
        var option = new Option<T>(name)
        {
            Description = $"{description}: {string.Join(", ", names.Where(n => n.Value != 0).Select(n => n.Key))}",
            Required = required,
            HelpName = "value",
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                var key = token.Trim().Replace('_', '-').ToLowerInvariant();
                if (names.TryGetValue(key, out var number) && number != 0)
                {
                    return (T)System.Enum.ToObject(typeof(T), number);
                }

                result.AddError($"{name}: '{token}' is not one of {string.Join(", ", names.Where(n => n.Value != 0).Select(n => n.Key))}");
                return defaultValue;
            },
        };
        return option;
    }

    /// <summary>kebab-case names (prefix stripped) of a generated proto enum's values.</summary>
    private static Dictionary<string, int> ProtoEnumNames<T>()
        where T : struct, System.Enum =>
        ProtoEnums.Names<T>().ToDictionary(kv => kv.Value.Replace('_', '-').ToLowerInvariant(), kv => kv.Key);
}
