using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using Spectre.Console;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl config show</c>: the connection irctl would use, and what the token says (never the token itself).</summary>
public static class ConfigCommands
{
    public static Command Build(CommandKit kit)
    {
        var group = new Command("config", "irctl's own settings: config file, address, token");
        var show = new Command("show", "Address, TLS files and the token's source, subject, roles and expiry (the token itself is never printed)");
        show.SetAction((parse, cancellation) => kit.RunAsync(parse, i =>
        {
            var settings = i.Settings();
            var jwt = settings.Token is { } token ? JwtSummary.TryDecode(token.Value) : null;
            var now = i.Environment.Clock.GetUtcNow();
            var expired = jwt?.Expires is { } expires && expires <= now;
            if (i.Json)
            {
                var json = new JsonObject
                {
                    ["config_file"] = IrctlConfig.DefaultPath(i.Environment),
                    ["address"] = settings.Address,
                    ["address_source"] = settings.AddressSource,
                    ["ca_file"] = settings.CaFile,
                    ["client_certificate"] = settings.ClientCertificate,
                    ["token_set"] = settings.Token is not null,
                    ["token_source"] = settings.Token?.Source,
                };
                if (jwt is not null)
                {
                    json["subject"] = jwt.Subject;
                    json["roles"] = new JsonArray(jwt.Roles.Select(r => (JsonNode?)r).ToArray());
                    json["issuer"] = jwt.Issuer;
                    json["expires"] = jwt.Expires?.ToString("O", CultureInfo.InvariantCulture);
                    json["expired"] = expired;
                }

                i.Environment.Out.WriteLine(json.ToJsonString());
                return Task.FromResult(ExitCodes.Ok);
            }

            var grid = new Grid().AddColumn().AddColumn();
            void Row(string name, string? value) => grid.AddRow(new Markup($"[bold]{name}[/]"), new Markup(Markup.Escape(value ?? "-")));
            Row("config file", IrctlConfig.DefaultPath(i.Environment));
            Row("address", $"{settings.Address} ({settings.AddressSource})");
            Row("ca file", settings.CaFile);
            Row("client certificate", settings.ClientCertificate);
            Row("token", settings.Token is null ? "not set" : $"set, from {settings.Token.Source}");
            if (settings.Token is not null)
            {
                Row("subject", jwt?.Subject ?? "(not a readable JWT)");
                Row("roles", jwt is null ? null : string.Join(", ", jwt.Roles));
                Row("issuer", jwt?.Issuer);
                Row("expires", jwt?.Expires is { } at ? at.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) + (expired ? " (EXPIRED)" : string.Empty) : null);
            }

            i.Out.Write(grid);
            if (settings.Token is null || expired)
            {
                i.Error.MarkupLine($"[yellow]hint:[/] {Markup.Escape(TokenSource.Hint)}");
            }

            return Task.FromResult(ExitCodes.Ok);
        }, cancellation));
        group.Add(show);
        return group;
    }
}
