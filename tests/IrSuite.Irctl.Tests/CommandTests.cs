using System.Globalization;

namespace IrSuite.Irctl.Tests;

/// <summary>The commands the pathway test does not use, each run against the suite.</summary>
[Collection(SuiteCollection.Name)]
public sealed class CommandTests(SuiteFixture fixture)
{
    [Fact]
    public async Task Referral_GetListPregnancyAnticoagulation_ShowTheRecordedReferral()
    {
        using var irctl = fixture.Runner();
        var id = await ErrorReportingTests.SubmitAsync(irctl, "--medication", "apixaban:anticoagulant:5 mg x2/day");

        var get = await irctl.OkAsync("referral", "get", id);
        var list = await irctl.OkAsync("referral", "list", "--status", "submitted", "--page-size", "500");
        var pregnancy = await irctl.OkAsync("referral", "pregnancy", id, "--status", "excluded", "-o", "json");
        var plan = await irctl.OkAsync("referral", "anticoagulation", id, "--crcl", "70", "--last-dose", "apixaban=now-1d", "-o", "json");

        Assert.Contains(id, get.Out, StringComparison.Ordinal);
        Assert.Contains("apixaban", get.Out, StringComparison.Ordinal);
        Assert.Contains(id, list.Out, StringComparison.Ordinal);
        Assert.Equal("PREGNANCY_STATUS_EXCLUDED", pregnancy.Json.GetProperty("pregnancy").GetString());
        Assert.Equal("apixaban", plan.Json.GetProperty("drugs")[0].GetProperty("drug").GetString());
    }

    [Fact]
    public async Task Referral_DeclinedAtConsult_ShowsDeclined()
    {
        using var irctl = fixture.Runner();
        var id = await ErrorReportingTests.SubmitAsync(irctl);

        var declined = await irctl.OkAsync("referral", "consult", id, "--decline", "--decline-reason", "Not indicated", "-o", "json");

        Assert.Equal("REFERRAL_STATUS_DECLINED", declined.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Appointment_BookConsultThenCancel_Cancelled()
    {
        using var irctl = fixture.Runner();
        var id = await ErrorReportingTests.SubmitAsync(irctl);
        var start = fixture.Clock.GetUtcNow().AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

        var booked = await irctl.OkAsync("appointment", "book", id, "--kind", "ir-consult", "--start", start, "--duration", "30", "-o", "json");
        var appointment = booked.Json.GetProperty("appointmentId").GetString()!;
        var cancelled = await irctl.OkAsync("appointment", "cancel", appointment, "--reason", "PATIENT_REQUEST", "-o", "json");

        Assert.True(cancelled.Json.GetProperty("cancelled").GetBoolean());
    }

    [Fact]
    public async Task Procedure_LocalCaseSignedInThenDiscontinued_Discontinued()
    {
        using var irctl = fixture.Runner();
        var id = await ErrorReportingTests.SubmitAsync(irctl);
        await irctl.OkAsync("referral", "consult", id, "--accept", "--sedation", "local");
        await irctl.OkAsync("referral", "consent", id, "--level", "L3", "--all-information-given");
        await irctl.OkAsync("referral", "labs", id, "--inr", "1.0", "--platelets", "250", "--taken-at", "now-1h");
        var slot = new DateTimeOffset(fixture.Clock.GetUtcNow().UtcDateTime.Date.AddDays(3).AddHours(13), TimeSpan.Zero);
        await irctl.OkAsync("appointment", "book", id, "--start", slot.ToString("O", CultureInfo.InvariantCulture), "--room", "IR-2");
        await irctl.EventuallyAsync(_ => true, "procedure", "summary", id, "-o", "json");
        fixture.Clock.Advance(slot.AddHours(-1) - fixture.Clock.GetUtcNow());
        await irctl.OkAsync("procedure", "sign-in", id, "--all-confirmed");

        var stopped = await irctl.OkAsync("procedure", "discontinue", id, "--reason", "PATIENT_REFUSED", "-o", "json");

        Assert.Equal("CASE_STATUS_DISCONTINUED", stopped.Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Procedure_DiscontinueWithoutCase_NotFound()
    {
        using var irctl = fixture.Runner();

        var result = await irctl.RunAsync("procedure", "discontinue", Guid.NewGuid().ToString(), "--reason", "PATIENT_REFUSED");

        Assert.Equal(5, result.ExitCode);
    }

    [Fact]
    public async Task Discharge_ResolveEscalationWithoutObservation_NotFound()
    {
        using var irctl = fixture.Runner();

        var result = await irctl.RunAsync("discharge", "resolve-escalation", Guid.NewGuid().ToString(), "--outcome", "no-deficit");

        Assert.Equal(5, result.ExitCode);
    }

    [Fact]
    public async Task Protocol_Show_VersionAndThresholds()
    {
        using var irctl = fixture.Runner();

        var table = await irctl.OkAsync("protocol", "show");
        var json = await irctl.OkAsync("protocol", "show", "-o", "json");

        Assert.Contains(json.Json.GetProperty("appliedVersion").GetString()!, table.Out, StringComparison.Ordinal);
        Assert.Contains("ConsultLeadDays", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_EveryGroup_ListsItsCommands()
    {
        using var irctl = fixture.Runner();

        var help = await irctl.OkAsync("--help");
        var procedure = await irctl.OkAsync("procedure", "--help");

        foreach (var group in new[] { "referral", "pathway", "appointment", "anesthesia", "procedure", "discharge", "protocol", "config" })
        {
            Assert.Contains(group, help.Out, StringComparison.Ordinal);
        }

        foreach (var command in new[] { "worklist", "sign-in", "time-out", "level", "abandon-level", "dose", "sign-out", "complete", "discontinue", "summary", "report", "recall" })
        {
            Assert.Contains(command, procedure.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RequestId_SameIdSentTwice_AppliedOnce()
    {
        using var irctl = fixture.Runner();
        var requestId = Guid.NewGuid().ToString();
        string[] submit =
        [
            "referral", "submit", "--family-name", "Once", "--given-name", "Only", "--birth-date", "1950-01-01", "--mrn", "MRN-ONCE-" + requestId[..4],
            "--referrer", "Dr R", "--level", "L4", "--pregnancy", "not-applicable", "--request-id", requestId, "-o", "json",
        ];

        var first = await irctl.OkAsync(submit);
        var again = await irctl.OkAsync(submit);

        Assert.Equal(first.Json.GetProperty("referralId").GetString(), again.Json.GetProperty("referralId").GetString());
    }
}
