using System.Globalization;
using System.Text;

namespace IrSuite.Reliability.FaultSuite;

/// <summary>The fault suite's table (Markdown, as recorded in docs/reliability/fault-suite.md).</summary>
public static class ResultTable
{
    public const string Header =
        "| scenario | attempted | ok | failed | indeterminate rpcs | committed | published | delivered | delivered dup | applied | applied dup | lost | recovery s | max outbox backlog | notes |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    public static string Row(ScenarioResult r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.Scenario} | {r.Attempted} | {r.Ok} | {r.Failed} | {r.Indeterminate} | {r.Committed} | {r.Published} | {r.DeliveredTotal} | {r.DeliveredDuplicates} | {r.Applied} | {r.AppliedDuplicates} | {r.Lost}{(r.Lost > 0 ? $" (sink {r.LostToSink}, downstream {r.LostDownstream})" : "")} | {(r.RecoverySeconds is { } s ? s.ToString("F1", CultureInfo.InvariantCulture) : "-")} | {r.MaxBacklog} | {r.Notes} |");

    public static string Render(IEnumerable<ScenarioResult> results)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var result in results)
        {
            text.Append(Row(result)).Append('\n');
        }

        return text.ToString();
    }
}
