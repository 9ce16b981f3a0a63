using System.Globalization;
using System.Text;
using IrSuite.ServiceDefaults.Clinical;

namespace IrSuite.ProcedureRecord.Domain;

/// <summary>
/// The printable procedure report (issue item 6): patient pseudonym, indication, each treated level with its cement
/// traceability, the dose with units (Euratom 2013/59 art. 58(b); FR arrêté 22/09/2006: operator and equipment identity),
/// complications with their CIRSE grade, the checklist times, escalations, the skin follow-up task and the protocol
/// version. Every value is HTML-escaped; times are site-local.
/// </summary>
public static class ProcedureReportDocument
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>The operators named at the time-outs, in order, without repeats.</summary>
    public static IReadOnlyList<string> Operators(CaseRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var operators = record.TimeOuts.Select(t => t.OperatorId).ToList();
        if (record.OperatorId is { } last)
        {
            operators.Add(last);
        }

        return operators.Distinct(StringComparer.Ordinal).ToList();
    }

    public static string Render(CaseRecord record, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(protocol);
        var html = new StringBuilder();
        string Time(DateTimeOffset? value) => value is { } v
            ? TimeZoneInfo.ConvertTime(v, protocol.SiteTimeZone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
            : "not recorded";
        string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
        void Row(string label, string value) => html.Append("<tr><th>").Append(E(label)).Append("</th><td>").Append(E(value)).Append("</td></tr>\n");

        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Procedure report</title>\n")
            .Append("<style>body{font-family:sans-serif}table{border-collapse:collapse;margin-bottom:1em}th,td{border:1px solid #999;padding:4px 8px;text-align:left}</style>\n")
            .Append("</head><body>\n<h1>Percutaneous vertebroplasty: procedure report</h1>\n<table>\n");
        Row("Referral", record.ReferralId.ToString());
        Row("Patient (pseudonymous id)", record.PatientId.ToString());
        Row("Status", record.State == CaseState.Completed ? "completed" : "discontinued" + (record.DiscontinueReason is { } r ? $" ({r})" : ""));
        Row("Indication", Or(record.Booking.Indication));
        Row("Sedation", Or(record.Booking.SedationMode));
        Row("Admission", Or(record.Booking.Admission));
        Row("Room", record.Room);
        Row("Operator(s)", string.Join(", ", Operators(record)));
        Row("Equipment (C-arm / angiography unit)", Or(record.TimeOuts.LastOrDefault(t => t.EquipmentId is not null)?.EquipmentId));
        Row("Scheduled levels", string.Join(", ", record.ScheduledLevels));
        Row("Consented levels", string.Join(", ", record.Booking.ConsentedLevels));
        Row("Levels confirmed at time-out", string.Join(", ", record.ConfirmedLevels));
        Row("Sign-in", Time(record.SignedInAt));
        foreach (var (timeOut, i) in record.TimeOuts.Select((t, i) => (t, i + 1)))
        {
            Row($"Time-out {i}", $"{Time(timeOut.At)}, operator {timeOut.OperatorId}");
        }

        if (record.TimeOuts.Count > 0 && record.TimeOuts[0] is { AntibioticDrug: { } drug } first)
        {
            Row("Antibiotic prophylaxis", $"{drug}, given {Time(first.AntibioticGivenAt)}");
        }

        Row("Sign-out", Time(record.SignedOutAt));
        Row("End of procedure", Time(record.EndedAt));
        Row("Site protocol version", Or(record.ProtocolVersion));
        html.Append("</table>\n<h2>Treated levels</h2>\n<table>\n<tr><th>Level</th><th>Approach</th><th>Trocar</th><th>Cement product</th><th>Lot</th>")
            .Append("<th>Expiry</th><th>UDI-DI</th><th>Volume</th><th>Leakage</th><th>Operator</th></tr>\n");
        foreach (var t in record.Treatments)
        {
            html.Append("<tr>");
            foreach (var cell in new[]
            {
                t.Level, t.Approach.ToString().ToLowerInvariant(), $"{t.TrocarGauge} G", t.CementProduct, t.CementLot,
                t.CementExpiry?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "not recorded", Or(t.UdiDi), $"{Number(t.CementVolumeMl)} mL",
                t.Leakage == CementLeakage.None ? "none" : t.Leakage.ToString().ToLowerInvariant() + (t.LeakageSymptomatic ? " (symptomatic)" : " (asymptomatic)"),
                Or(t.OperatorId),
            })
            {
                html.Append("<td>").Append(E(cell)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</table>\n");
        if (record.AbandonedLevels.Count > 0)
        {
            html.Append("<h2>Levels not treated</h2>\n<table>\n");
            foreach (var a in record.AbandonedLevels)
            {
                Row(a.Level, a.Reason);
            }

            html.Append("</table>\n");
        }

        html.Append("<h2>Radiation dose</h2>\n<table>\n");
        if (record.Dose is { } dose)
        {
            Row("Dose-area product", $"{Number(dose.DoseAreaProductGyCm2)} Gy·cm²");
            Row("Reference-point air kerma", $"{Number(dose.ReferenceAirKermaMgy)} mGy");
            Row("Fluoroscopy time", $"{Number(dose.FluoroscopySeconds)} s");
            Row("Control CT", dose.ControlCtDone ? $"done, DLP {Number(dose.CtDlpMgyCm)} mGy·cm" : "not done");
            Row("Dose alerts", record.DoseAlertCodes.Count == 0 ? "none" : string.Join(", ", record.DoseAlertCodes));
        }
        else
        {
            Row("Dose", "not recorded");
        }

        Row("Skin follow-up", record.SkinFollowUp is { } skin ? $"required by {Time(skin.DueBy)} (air kerma {Number(skin.ReferenceAirKermaMgy)} mGy)" : "not required");
        html.Append("</table>\n<h2>Complications (CIRSE 2017)</h2>\n<table>\n");
        if (record.Complications.Count == 0)
        {
            Row("Complications", "none");
        }

        foreach (var c in record.Complications)
        {
            Row(c.Code, $"CIRSE grade {c.CirseGrade}");
        }

        html.Append("</table>\n<h2>Escalations</h2>\n<table>\n");
        if (record.Escalations.Count == 0)
        {
            Row("Escalations", "none");
        }

        foreach (var e in record.Escalations)
        {
            Row(e.Reason, $"{(e.Level.Length > 0 ? e.Level + ", " : "")}raised {Time(e.RaisedAt)}{(e.Open ? ", open" : "")}");
        }

        html.Append("</table>\n</body></html>\n");
        return html.ToString();
    }

    private static string Or(string? value) => string.IsNullOrEmpty(value) ? "not recorded" : value;

    /// <summary>Escapes the markup characters; the document is UTF-8, so units such as "Gy·cm²" stay readable as they are.</summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return text.ToString();
    }

    private static string E(string value) => Escape(value);
}
