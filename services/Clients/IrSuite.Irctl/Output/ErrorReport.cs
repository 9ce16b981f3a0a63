using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using Spectre.Console;
using StatusCode = IrSuite.Grpc.StatusCode;

namespace IrSuite.Irctl.Output;

/// <summary>
/// Reports a failed call on standard error (never on standard output, which stays for results): the status code,
/// its message and the rich details of <c>grpc-status-details-bin</c>, as text or, with <c>--output json</c>, as one
/// JSON object. Returns the exit code.
/// </summary>
public static class ErrorReport
{
    public static int Write(RpcException exception, Invocation invocation)
    {
        var code = exception.StatusCode;
        var exit = ExitCodes.For(code);
        var details = exception.Details ?? new Google.Rpc.Status { Code = (int)code, Message = exception.Status.Detail };
        var hint = Hint(code);
        if (invocation.Json)
        {
            var json = new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = ExitCodes.Name(code),
                    ["status"] = JsonNode.Parse(Formats.Json.Format(details)),
                    ["exit_code"] = exit,
                },
            };
            if (hint is not null)
            {
                json["error"]!["hint"] = hint;
            }

            invocation.Environment.Error.WriteLine(json.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
            return exit;
        }

        var console = invocation.Error;
        console.MarkupLine($"[red bold]error:[/] [bold]{ExitCodes.Name(code)}[/]: {Markup.Escape(exception.Status.Detail)}");
        foreach (var any in details.Details)
        {
            WriteDetail(console, any);
        }

        if (hint is not null)
        {
            console.MarkupLine($"[yellow]hint:[/] {Markup.Escape(hint)}");
        }

        return exit;
    }

    /// <summary>A usage or local error (bad option value, unreadable file): exit 2 or 1.</summary>
    public static int WriteLocal(string message, int exit, Invocation? invocation, IrctlEnvironment environment)
    {
        if (invocation?.Json == true)
        {
            var json = new JsonObject { ["error"] = new JsonObject { ["code"] = exit == ExitCodes.Usage ? "USAGE" : "LOCAL", ["message"] = message, ["exit_code"] = exit } };
            environment.Error.WriteLine(json.ToJsonString());
        }
        else
        {
            environment.Error.WriteLine($"error: {message}");
        }

        return exit;
    }

    private static string? Hint(StatusCode code) => code switch
    {
        StatusCode.Unauthenticated => TokenSource.Hint,
        StatusCode.PermissionDenied => "Your token's roles do not allow this call: `irctl config show` lists them; docs/security/role-matrix.md says which role each call needs.",
        StatusCode.Unavailable => "Is the suite running at --address (start it with `dotnet run --project services/IrSuite.SuiteHost`)? Over https://, also check --ca-file and --client-cert.",
        StatusCode.DeadlineExceeded => "The call did not finish within --timeout seconds.",
        StatusCode.AlreadyExists => "It exists already: look it up instead of creating it again.",
        StatusCode.ResourceExhausted => "The suite limits how many calls one caller makes at once and per second: wait a moment and run the command again.",
        StatusCode.Aborted => "The same change (same request id) is still being applied: run the command again with the same --request-id to get its result.",
        _ => null,
    };

    private static void WriteDetail(IAnsiConsole console, Any any)
    {
        if (any.TryUnpack<BadRequest>(out var badRequest))
        {
            var table = Table("field", "problem");
            foreach (var violation in badRequest.FieldViolations)
            {
                table.AddRow(Markup.Escape(violation.Field), Markup.Escape(violation.Description));
            }

            console.MarkupLine("[bold]invalid fields[/]");
            console.Write(table);
        }
        else if (any.TryUnpack<PreconditionFailure>(out var failure))
        {
            var table = Table("type", "rule", "why");
            foreach (var violation in failure.Violations)
            {
                table.AddRow(Markup.Escape(violation.Type), $"[bold]{Markup.Escape(violation.Subject)}[/]", Markup.Escape(violation.Description));
            }

            console.MarkupLine("[bold]refused by[/]");
            console.Write(table);
        }
        else if (any.TryUnpack<ErrorInfo>(out var info))
        {
            var metadata = string.Join(", ", info.Metadata.Select(m => $"{m.Key}={m.Value}"));
            console.MarkupLine($"[bold]reason:[/] {Markup.Escape(info.Type)} [dim]({Markup.Escape(info.Domain)})[/]{(metadata.Length > 0 ? " " + Markup.Escape(metadata) : string.Empty)}");
        }
        else if (any.TryUnpack<QuotaFailure>(out var quota))
        {
            foreach (var violation in quota.Violations)
            {
                console.MarkupLine($"[bold]quota:[/] {Markup.Escape(violation.Subject)}: {Markup.Escape(violation.Description)}");
            }
        }
        else if (any.TryUnpack<RetryInfo>(out var retry))
        {
            console.MarkupLine($"[bold]retry after:[/] {Markup.Escape(Formats.Span(retry.RetryDelay ?? new Duration()))}");
        }
        else if (any.TryUnpack<ResourceInfo>(out var resource))
        {
            console.MarkupLine($"[bold]resource:[/] {Markup.Escape(resource.ResourceType)} {Markup.Escape(resource.ResourceName)} {Markup.Escape(resource.Description)}");
        }
        else if (any.TryUnpack<Help>(out var help))
        {
            foreach (var link in help.Links)
            {
                console.MarkupLine($"[bold]see:[/] {Markup.Escape(link.Description)} {Markup.Escape(link.Url)}");
            }
        }
        else if (any.TryUnpack<LocalizedMessage>(out var localized))
        {
            console.MarkupLine(Markup.Escape(localized.Message));
        }
        else
        {
            console.MarkupLine($"[dim]detail {Markup.Escape(any.TypeUrl)}[/]");
        }
    }

    private static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(column);
        }

        return table;
    }
}
