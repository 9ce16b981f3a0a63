using System.Globalization;
using System.Net;
using System.Text;

namespace IrSuite.Discharge.Domain;

/// <summary>
/// The printable discharge summary (issue 4 item 6): pseudonymous patient id, procedure outline, observation, scores,
/// destination, escort, the versioned instructions, follow-up and call. Every value is HTML-escaped; no identity is
/// printed (the ward prints the patient label beside it).
/// </summary>
public static class DischargeDocument
{
    /// <summary>The document of a discharged observation, as HTML 5 (UTF-8); times in UTC (ISO 8601).</summary>
    public static string RenderHtml(PatientObservation observation, string followUpBookedBy)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var discharge = observation.Discharge ?? throw new ArgumentException("Not discharged.", nameof(observation));
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Discharge summary</title>\n</head>\n<body>\n");
        html.Append("<h1>Discharge summary - vertebroplasty</h1>\n");

        Section(html, "Patient", [
            ("Referral", observation.ReferralId.ToString()),
            ("Patient (pseudonymous id)", observation.PatientId.ToString()),
            ("Admission", observation.Context.Admission),
        ]);

        var procedure = discharge.Procedure;
        Section(html, "Procedure", [
            ("Treated levels", procedure.Levels.Count == 0 ? "none recorded" : string.Join(", ", procedure.Levels)),
            ("Cement, total", procedure.TotalCementMl.ToString("0.##", CultureInfo.InvariantCulture) + " mL"),
            ("Complications", procedure.Complications.Count == 0 ? "none" : string.Join(", ", procedure.Complications)),
            ("Ended", procedure.EndedAt is { } ended ? Instant(ended) : "not recorded"),
        ]);

        var escalation = observation.Escalation is { } e
            ? $"{e.Reason} raised {Instant(e.RaisedAt)}" + (e.ResolvedAt is { } resolved ? $", resolved {Instant(resolved)} ({e.Outcome})" : ", open")
            : "none";
        Section(html, "Observation", [
            ("Started", Instant(observation.StartedAt)),
            ("Duration", $"{(int)observation.ObservationLength.TotalMinutes} min"),
            ("Checks recorded", observation.ObservationCount.ToString(CultureInfo.InvariantCulture)),
            ("Checks overdue at discharge", discharge.OverdueCheckCount.ToString(CultureInfo.InvariantCulture)),
            ("Close neurological watch", observation.Context.CloseNeuroWatch ? "yes (symptomatic cement leak)" : "no"),
            ("Escalation", escalation),
        ]);

        Section(html, "Discharge", [
            ("Discharged", Instant(discharge.DischargedAt)),
            ("Destination", discharge.Destination == DischargeDestination.Home ? "Home" : "Ward"),
            ("Modified Aldrete at discharge", Score(discharge.AldreteScore)),
            ("PADSS at discharge", Score(discharge.PadssScore)),
            ("Adult escort", discharge.EscortPresent ? "present" : "not present"),
            ("Discharging clinician", discharge.ClinicianId),
        ]);

        html.Append("<h2>Instructions</h2>\n<p>Protocol version ").Append(Encode(discharge.ProtocolVersion)).Append("</p>\n<ol>\n");
        foreach (var instruction in discharge.Instructions)
        {
            html.Append("<li data-code=\"").Append(Encode(instruction.Code)).Append("\">").Append(Encode(instruction.Text)).Append("</li>\n");
        }

        html.Append("</ol>\n");

        Section(html, "Follow-up", [
            ("Post-discharge phone call due", Instant(discharge.PostDischargeCallDueAt)),
            ("Follow-up consultation with X-ray", discharge.FollowUpDueDate is { } due
                ? $"around {due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} (+/- {discharge.FollowUpWindowDays} days), booked by {followUpBookedBy}"
                : "not set"),
            ("Skin check (radiation dose)", observation.Context.SkinDoseFollowUp ? "required: report skin redness or hair loss" : "not required"),
        ]);

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Section(StringBuilder html, string title, IReadOnlyList<(string Label, string Value)> rows)
    {
        html.Append("<h2>").Append(Encode(title)).Append("</h2>\n<table>\n");
        foreach (var (label, value) in rows)
        {
            html.Append("<tr><th>").Append(Encode(label)).Append("</th><td>").Append(Encode(value)).Append("</td></tr>\n");
        }

        html.Append("</table>\n");
    }

    private static string Encode(string? value) => WebUtility.HtmlEncode(value ?? "");

    private static string Instant(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Score(int? score) => score is { } s ? $"{s}/10" : "not scored";
}
