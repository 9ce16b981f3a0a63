using System.Data.Common;
using Dapper;

namespace IrSuite.ServiceDefaults.Audit;

/// <summary>
/// Appends to and verifies one database's hash chain. Appending takes the head row first
/// (<c>UPDATE audit_head ... RETURNING</c>): in PostgreSQL a row lock held to the commit, in SQLite the single writer,
/// so appenders queue and every record links to the one committed before it.
/// </summary>
public static class AuditChain
{
    private const string Columns =
        "seq AS Seq, occurred_at_ms AS OccurredAtMs, actor AS Actor, actor_roles AS ActorRoles, action AS Action, access AS Access, "
        + "patient_id AS PatientId, resource AS Resource, outcome AS Outcome, trace_id AS TraceId, prev_hash AS PrevHash, hash AS Hash";

    /// <summary>The select list of a whole record, for queries.</summary>
    internal static string SelectColumns => Columns;

    /// <summary>Appends <paramref name="entries"/> (seq, prev_hash and hash are filled in here) inside <paramref name="transaction"/>.</summary>
    public static async Task AppendAsync(DbConnection connection, DbTransaction transaction, string service, IEnumerable<AuditRecord> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var head = await connection.QuerySingleAsync<Head>(
            "UPDATE audit_head SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq AS LastSeq, last_hash AS LastHash", transaction: transaction);
        var seq = head.LastSeq;
        var previous = head.LastHash;
        var first = true;
        foreach (var entry in entries)
        {
            if (!first)
            {
                seq++;
            }

            first = false;
            var record = entry with { Seq = seq, PrevHash = previous };
            record = record with { Hash = record.ComputeHash(service) };
            await connection.ExecuteAsync(
                "INSERT INTO audit_record (seq, occurred_at_ms, actor, actor_roles, action, access, patient_id, resource, outcome, trace_id, prev_hash, hash) "
                + "VALUES (@Seq, @OccurredAtMs, @Actor, @ActorRoles, @Action, @Access, @PatientId, @Resource, @Outcome, @TraceId, @PrevHash, @Hash)",
                record,
                transaction);
            previous = record.Hash;
        }

        await connection.ExecuteAsync(
            "UPDATE audit_head SET last_seq = @seq, last_hash = @previous WHERE id = 1", new { seq, previous }, transaction);
    }

    /// <summary>Recomputes the chain of one database from its first record to its head.</summary>
    public static async Task<ChainResult> VerifyAsync(DbConnection connection, string service, CancellationToken cancellationToken)
    {
        var head = await connection.QuerySingleAsync<Head>(
            new CommandDefinition("SELECT last_seq AS LastSeq, last_hash AS LastHash FROM audit_head WHERE id = 1", cancellationToken: cancellationToken));
        var expectedSeq = 1L;
        var previous = AuditRecord.GenesisHash;
        var checkedCount = 0L;
        ChainResult? broken = null;
        await foreach (var record in connection.QueryUnbufferedAsync<AuditRecord>(
            // Up to the head read above: records appended since belong to a later verification (the head and its
            // records commit together, so every seq up to it is visible).
            $"SELECT {Columns} FROM audit_record WHERE seq <= @last ORDER BY seq", new { last = head.LastSeq }).WithCancellation(cancellationToken))
        {
            checkedCount++;
            if (broken is not null)
            {
                continue;
            }

            if (record.Seq != expectedSeq)
            {
                broken = Broken(record.Seq > expectedSeq ? expectedSeq : record.Seq, record.Seq > expectedSeq ? "missing record" : "unexpected sequence number");
            }
            else if (record.PrevHash != previous)
            {
                broken = Broken(record.Seq, "previous hash does not match");
            }
            else if (record.Hash != record.ComputeHash(service))
            {
                broken = Broken(record.Seq, "hash mismatch");
            }

            expectedSeq = record.Seq + 1;
            previous = record.Hash;
        }

        if (broken is null && (head.LastSeq != expectedSeq - 1 || head.LastHash != previous))
        {
            broken = Broken(Math.Min(head.LastSeq, expectedSeq - 1) + 1, head.LastSeq > expectedSeq - 1 ? "missing record" : "head does not match the last record");
        }

        return (broken ?? new ChainResult(service, 0, true, 0, "", head.LastHash)) with { Service = service, RecordsChecked = checkedCount, HeadHash = head.LastHash };

        static ChainResult Broken(long seq, string problem) => new("", 0, false, seq, problem, "");
    }

    private sealed record Head(long LastSeq, string LastHash);
}

/// <summary>The verification of one chain (<see cref="FirstBrokenSeq"/> is 0 when <see cref="Valid"/>).</summary>
public sealed record ChainResult(string Service, long RecordsChecked, bool Valid, long FirstBrokenSeq, string Problem, string HeadHash);
