using IrSuite.Discharge.Domain;
using SiteProtocol = IrSuite.ServiceDefaults.Clinical.SiteProtocol;

namespace IrSuite.Discharge.Tests.Domain;

public sealed class DischargeDocumentTests
{
    private static readonly DateTimeOffset EndedAt = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private static PatientObservation Discharged(string clinician, IReadOnlyList<string> complications)
    {
        var round = new ObservationRound(new VitalSigns(72, 125, 75, 97, 14, 36.8), 2, true, true, EndedAt.AddMinutes(100))
        {
            Aldrete = new AldreteItems(2, 2, 2, 2, 2),
            Padss = new PadssItems(2, 2, 2, 2, 1),
        };
        return PatientObservation.Start(Guid.NewGuid(), Guid.NewGuid(), EndedAt, TimeSpan.FromHours(2))
            .Record(round)
            .DischargePatient(new DischargeDecision(DischargeDestination.Home, true, clinician), new ProcedureOutline(["T12", "L1"], 5.5, complications, EndedAt), new SiteProtocol(), EndedAt.AddHours(2));
    }

    [Fact]
    public void RenderHtml_Discharged_EverySection()
    {
        var observation = Discharged("dr-1", ["HAEMATOMA"]);

        var html = DischargeDocument.RenderHtml(observation, "scheduling");

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains(observation.PatientId.ToString(), html, StringComparison.Ordinal);
        Assert.Contains("T12, L1", html, StringComparison.Ordinal);
        Assert.Contains("5.5 mL", html, StringComparison.Ordinal);
        Assert.Contains("HAEMATOMA", html, StringComparison.Ordinal);
        Assert.Contains("120 min", html, StringComparison.Ordinal);
        Assert.Contains("<td>10/10</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>9/10</td>", html, StringComparison.Ordinal);
        Assert.Contains("<li data-code=\"no-driving\">No driving for 24 hours.</li>", html, StringComparison.Ordinal);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(new SiteProtocol().AppliedVersion), html, StringComparison.Ordinal);
        Assert.Contains("2026-11-24T11:00Z", html, StringComparison.Ordinal);
        Assert.Contains("around 2026-12-23 (+/- 7 days), booked by scheduling", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_MarkupInValues_Escaped()
    {
        var html = DischargeDocument.RenderHtml(Discharged("<script>x</script>", ["A&B \"leak\""]), "scheduling");

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;x&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("A&amp;B &quot;leak&quot;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void RenderHtml_NotDischarged_Throws() =>
        Assert.Throws<ArgumentException>(() => DischargeDocument.RenderHtml(PatientObservation.Start(Guid.NewGuid(), Guid.NewGuid(), EndedAt, TimeSpan.FromHours(2)), "scheduling"));
}
