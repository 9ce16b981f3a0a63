using System.CommandLine;
using System.Text.Json;
using IrSuite.Irctl.Cli;
using IrSuite.Protocol.V1;
using Spectre.Console;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl protocol show</c>: the site protocol in force (ir.protocol.v1).</summary>
public static class ProtocolCommands
{
    public static Command Build(CommandKit kit)
    {
        var group = new Command("protocol", "The site protocol the services enforce");
        var show = new Command("show", "Version, sign-off and every threshold with its source (GetSiteProtocol)");
        kit.Unary<GetSiteProtocolRequest, SiteProtocolInfo>(show, ProtocolReflection.Descriptor.Services[0], "GetSiteProtocol", _ => new GetSiteProtocolRequest(), info =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("setting", "value", "source");
            using (var document = JsonDocument.Parse(info.ProtocolJson.Length > 0 ? info.ProtocolJson : "{}"))
            {
                AddSettings(table, string.Empty, document.RootElement);
            }

            var signedOff = info.SignedOffBy.Length > 0 ? Markup.Escape(info.SignedOffBy) : "[yellow]not signed off locally[/]";
            return new Rows(new Markup($"[bold]{Markup.Escape(info.Site)}[/] protocol {Markup.Escape(info.AppliedVersion)}, signed off by {signedOff}"), table);
        });
        group.Add(show);
        return group;
    }

    /// <summary>One row per threshold ({"Source", "Value"} objects), with its dotted path.</summary>
    private static void AddSettings(Table table, string path, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            table.AddRow(Markup.Escape(path), Markup.Escape(element.ToString()), string.Empty);
            return;
        }

        if (element.TryGetProperty("Value", out var value) && element.TryGetProperty("Source", out var source))
        {
            table.AddRow(Markup.Escape(path), Markup.Escape(value.ToString()), Markup.Escape(source.ToString()));
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            AddSettings(table, path.Length == 0 ? property.Name : path + "." + property.Name, property.Value);
        }
    }
}
