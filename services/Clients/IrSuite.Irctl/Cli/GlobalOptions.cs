using System.CommandLine;

namespace IrSuite.Irctl.Cli;

/// <summary>The options every command takes (declared once on the root, recursive).</summary>
public sealed class GlobalOptions
{
    public const string DefaultAddress = "http://127.0.0.1:5100";

    public Option<string?> Address { get; } = new("--address")
    {
        Description = $"Suite address: http:// (h2c) or https:// (TLS) [env IRCTL_ADDRESS, config \"address\", default {DefaultAddress}]",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "Bearer token (JWT) [else env IRCTL_TOKEN, else config \"token\" or \"token_file\"]",
        Recursive = true,
    };

    public Option<string?> CaFile { get; } = new("--ca-file")
    {
        Description = "PEM file of the CA to trust for https:// (e.g. the development CA of deploy/dev-ca.sh) [config \"ca_file\"]",
        Recursive = true,
    };

    public Option<string?> ClientCertificate { get; } = new("--client-cert")
    {
        Description = "PEM client certificate for mutual TLS [config \"client_certificate\"]",
        Recursive = true,
    };

    public Option<string?> ClientKey { get; } = new("--client-key")
    {
        Description = "PEM private key of --client-cert [config \"client_key\"]",
        Recursive = true,
    };

    public Option<double> Timeout { get; } = new("--timeout")
    {
        Description = "Deadline of each call, seconds",
        DefaultValueFactory = _ => 10,
        Recursive = true,
    };

    public Option<string> Output { get; } = new("--output", "-o")
    {
        Description = "table (readable, default) or json (the response as protobuf JSON on stdout, nothing else)",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    public Option<string?> RequestId { get; } = new("--request-id")
    {
        Description = "Request id (UUID) of a change; resend the same one to retry a change whose outcome is unknown (default: a fresh one)",
        Recursive = true,
    };

    public GlobalOptions()
    {
        Output.AcceptOnlyFromAmong("table", "json");
    }

    public IEnumerable<Option> All => [Address, Token, CaFile, ClientCertificate, ClientKey, Timeout, Output, RequestId];
}
