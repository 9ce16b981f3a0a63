using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IrSuite.ServiceDefaults.Audit;

/// <summary>
/// One row of <c>audit_record</c>: who (<see cref="Actor"/>, a token subject, never a name) did what
/// (<see cref="Action"/>, the RPC) to which patient (<see cref="PatientId"/>, the pseudonym) with what outcome.
/// </summary>
public sealed record AuditRecord
{
    /// <summary>The hash before the first record of a chain.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public long Seq { get; init; }

    public long OccurredAtMs { get; init; }

    public string Actor { get; init; } = "";

    public string ActorRoles { get; init; } = "";

    public string Action { get; init; } = "";

    public string Access { get; init; } = "";

    public string? PatientId { get; init; }

    public string? Resource { get; init; }

    public string Outcome { get; init; } = "";

    public string? TraceId { get; init; }

    public string PrevHash { get; init; } = "";

    public string Hash { get; init; } = "";

    /// <summary>
    /// SHA-256 (lower-case hex) over the previous hash, the service and every field. Each field is written as its UTF-8
    /// byte length, a colon and the bytes (null as <c>~</c>), so no two different records encode alike whatever their
    /// text holds; the service name binds a record to its own chain (a row copied into another store does not verify).
    /// </summary>
    public string ComputeHash(string service)
    {
        var encoding = new StringBuilder(256).Append("irsuite-audit-v1\n");
        foreach (var field in (ReadOnlySpan<string?>)[
            PrevHash, service, Seq.ToString(CultureInfo.InvariantCulture), OccurredAtMs.ToString(CultureInfo.InvariantCulture),
            Actor, ActorRoles, Action, Access, PatientId, Resource, Outcome, TraceId])
        {
            if (field is null)
            {
                encoding.Append('~');
            }
            else
            {
                encoding.Append(Encoding.UTF8.GetByteCount(field).ToString(CultureInfo.InvariantCulture)).Append(':').Append(field);
            }

            encoding.Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(encoding.ToString())));
    }
}

/// <summary>The values of <see cref="AuditRecord.Access"/>.</summary>
public static class AuditAccess
{
    /// <summary>A command: its request carries a <c>request_id</c>.</summary>
    public const string Write = "write";

    /// <summary>Everything else.</summary>
    public const string Read = "read";
}
