using Dapper;
using IrSuite.Procedure.V1;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>The procedure report (structured and HTML) and the pre-anaesthetic visit consumer.</summary>
public sealed class ReportAndVisitTests : ComponentTestBase
{
    [Theory]
    [InlineData(CaseStatus.Scheduled)]
    [InlineData(CaseStatus.TimedOut)]
    [InlineData(CaseStatus.SignedOut)]
    public async Task GetProcedureReport_CaseNotClosed_CaseNotClosed(CaseStatus status)
    {
        var referralId = await CaseAtAsync(status);

        await AssertGateAsync("CASE_NOT_CLOSED", () => Client.GetProcedureReportAsync(referralId.ToString()));
    }

    [Fact]
    public async Task GetProcedureReport_Completed_StructuredReportAndEscapedHtmlWithUnits()
    {
        var referralId = Guid.NewGuid();
        await App.ScheduleAsync(referralId, ["T12", "L1"]);
        await Client.SignInAsync(FullSignIn(referralId));
        await Client.TimeOutAsync(TimeOutOf(referralId, "T12", "L1"));
        await Client.RecordLevelTreatmentAsync(TreatmentOf(referralId, "T12"));
        var marked = TreatmentOf(referralId, "L1");
        marked.CementProduct = "<script>alert('x')</script>&Co";
        marked.CementLot = "LOT-B<7>";
        marked.Leakage = Leakage.Venous;
        marked.LeakageSymptomatic = true;
        await Client.RecordLevelTreatmentAsync(marked);
        var dose = DoseOf(referralId);
        dose.ReferenceAirKermaMgy = 5100;
        await Client.RecordDoseAsync(dose);
        await Client.SignOutAsync(FullSignOut(referralId, "T12", "L1"));
        var complete = new CompleteCaseRequest { ReferralId = referralId.ToString() };
        complete.Complications.Add(new Complication { Code = "CEMENT_LEAK_SYMPTOMATIC", CirseGrade = 3 });
        await Client.CompleteCaseAsync(complete);

        var report = await Client.GetProcedureReportAsync(referralId.ToString());

        Assert.Equal("text/html; charset=utf-8", report.ContentType);
        Assert.Equal(["rad-007"], report.OperatorIds);
        Assert.Equal("CARM-2", report.EquipmentId);
        Assert.Equal(["T12", "L1"], report.Case.Treatments.Select(t => t.Level).Order(StringComparer.Ordinal).Reverse());
        Assert.NotEmpty(report.Case.ProtocolVersion);
        Assert.NotNull(report.Case.SkinFollowUp);
        var html = report.Html;
        Assert.Contains("<td>T12</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>L1</td>", html, StringComparison.Ordinal);
        Assert.Contains("LOT-2026-117", html, StringComparison.Ordinal);
        Assert.Contains("LOT-B&lt;7&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;Co", html, StringComparison.Ordinal);
        Assert.Contains("32.4 Gy·cm²", html, StringComparison.Ordinal);
        Assert.Contains("5100 mGy", html, StringComparison.Ordinal);
        Assert.Contains("312 s", html, StringComparison.Ordinal);
        Assert.Contains("DLP 420 mGy·cm", html, StringComparison.Ordinal);
        Assert.Contains("4.5 mL", html, StringComparison.Ordinal);
        Assert.Contains("2027-06-30", html, StringComparison.Ordinal);
        Assert.Contains("CIRSE grade 3", html, StringComparison.Ordinal);
        Assert.Contains("SYMPTOMATIC_CEMENT_LEAK", html, StringComparison.Ordinal);
        Assert.Contains(report.Case.ProtocolVersion, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetProcedureReport_Discontinued_IsIssued()
    {
        var referralId = await CaseAtAsync(CaseStatus.SignedIn);
        await Client.DiscontinueCaseAsync(new DiscontinueCaseRequest { ReferralId = referralId.ToString(), Reason = "PATIENT_UNSTABLE" });

        var report = await Client.GetProcedureReportAsync(referralId.ToString());

        Assert.Contains("PATIENT_UNSTABLE", report.Html, StringComparison.Ordinal);
        Assert.Equal(CaseStatus.Discontinued, report.Case.Status);
    }

    [Fact]
    public async Task PreAnestheticVisitRecorded_SameMessageTwiceAndOlderVisit_KeepsLatestOnce()
    {
        var referralId = Guid.NewGuid();
        var booked = await App.ScheduleAsync(referralId);
        var messageId = Guid.NewGuid();
        var latest = App.Clock.GetUtcNow().AddHours(-3);

        await App.VisitAsync(referralId, booked.PatientId, latest, messageId);
        await App.VisitAsync(referralId, booked.PatientId, latest, messageId);
        await App.VisitAsync(referralId, booked.PatientId, latest.AddHours(-5));

        Assert.Equal(latest, (await Client.GetProcedureSummaryAsync(referralId.ToString())).PreAnestheticVisitAt.ToDateTimeOffset());
        await using var connection = await App.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pre_anesthetic_visit"));
    }

    [Fact]
    public async Task PreAnestheticVisitRecorded_BeforeBooking_IsAppliedWhenCaseArrives()
    {
        var referralId = Guid.NewGuid();
        var patientId = Guid.NewGuid();
        var visitedAt = App.Clock.GetUtcNow().AddHours(-1);

        await App.VisitAsync(referralId, patientId, visitedAt);
        await App.ScheduleAsync(referralId, patientId: patientId, sedation: IrSuite.Contracts.SedationCodes.ConsciousSedation);
        var signedIn = await Client.SignInAsync(FullSignIn(referralId));

        Assert.Equal(visitedAt, signedIn.PreAnestheticVisitAt.ToDateTimeOffset());
        Assert.Equal(CaseStatus.SignedIn, signedIn.Status);
    }
}
