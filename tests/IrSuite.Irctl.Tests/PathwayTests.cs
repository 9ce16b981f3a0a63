using System.Globalization;
using System.Text.Json;

namespace IrSuite.Irctl.Tests;

/// <summary>A whole patient pathway driven by irctl commands alone, the clock moved where the rules need time.</summary>
[Collection(SuiteCollection.Name)]
public sealed class PathwayTests(SuiteFixture fixture)
{
    [Fact]
    public async Task Irctl_WholePathwayReferralToDischarge_EveryStepSucceeds()
    {
        using var irctl = fixture.Runner();
        var submitted = await irctl.OkAsync(
            "referral", "submit", "--family-name", "Cli", "--given-name", "Patient", "--birth-date", "1947-05-04", "--mrn", "MRN-" + Guid.NewGuid().ToString("N")[..8],
            "--referrer", "Dr Referrer", "--referrer-org", "Rheumatology", "--indication", "osteoporotic-fracture", "--level", "L1", "--level", "T12",
            "--imaging", "mri", "--imaging-at", "now-3d", "--accession", "ACC-9", "--medication", "paracetamol:other:1 g x3/day", "--allergy", "latex",
            "--pregnancy", "not-applicable", "--output", "json");
        var id = submitted.Json.GetProperty("referralId").GetString()!;

        await irctl.OkAsync("referral", "consult", id, "--accept", "--sedation", "local-with-sedation");

        // The anaesthesia case is opened by ReferralAccepted.
        await irctl.EventuallyAsync(_ => true, "anesthesia", "plan", id, "-o", "json");
        var assessed = await irctl.OkAsync(
            "anesthesia", "assess", id, "--asa", "ii", "--comorbidity", "hypertension", "--allergy", "latex", "--inr", "1.1", "--platelets", "210",
            "--labs-taken-at", "now-2h", "--anxiety", "moderate", "--prone", "tolerates", "-o", "json");
        var suggested = assessed.Json.GetProperty("suggestedSedation").GetProperty("mode").GetString();
        var sedation = new List<string> { "anesthesia", "plan-sedation", id, "--mode", "local-with-sedation" };
        if (suggested != "SEDATION_MODE_LOCAL_WITH_SEDATION")
        {
            sedation.AddRange(["--deviation-reason", "Patient preference after discussion"]);
        }

        await irctl.OkAsync([.. sedation]);
        var cleared = await irctl.OkAsync("anesthesia", "sign-clearance", id, "--decision", "fit");
        Assert.Contains("CLEARED", cleared.Out, StringComparison.Ordinal);

        await irctl.OkAsync("referral", "consent", id, "--level", "L1", "T12", "--all-information-given");
        await irctl.OkAsync("referral", "labs", id, "--inr", "1.1", "--platelets", "210", "--crcl", "65", "--taken-at", "now-1h");

        // Three days ahead: the 2-day anaesthesia consult lead time is met.
        var slot = new DateTimeOffset(fixture.Clock.GetUtcNow().UtcDateTime.Date.AddDays(3).AddHours(7), TimeSpan.Zero);
        var slotText = slot.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var readiness = await irctl.OkAsync("pathway", "readiness", id, "--proposed-start", slotText, "-o", "json");
        Assert.True(readiness.Json.GetProperty("ready").GetBoolean(), readiness.Out);
        var readinessTable = await irctl.OkAsync("pathway", "readiness", id, "--proposed-start", slotText);
        Assert.Contains("ready to book", readinessTable.Out, StringComparison.Ordinal);

        var booked = await irctl.OkAsync("appointment", "book", id, "--kind", "procedure", "--start", slotText, "--duration", "60", "--room", "IR-1", "--admission", "ambulatory", "-o", "json");
        Assert.Equal("IR-1", booked.Json.GetProperty("room").GetString());

        // The procedure case is opened by ProcedureScheduled; the procedure day starts an hour before the slot.
        await irctl.EventuallyAsync(_ => true, "procedure", "summary", id, "-o", "json");
        fixture.Clock.Advance(slot.AddHours(-1) - fixture.Clock.GetUtcNow());
        await irctl.EventuallyAsync(r => r.Json.TryGetProperty("slotStart", out _), "anesthesia", "plan", id, "-o", "json");
        await irctl.OkAsync("anesthesia", "visit", id);
        await irctl.EventuallyAsync(r => r.Json.TryGetProperty("preAnestheticVisitAt", out _), "procedure", "summary", id, "-o", "json");

        var worklist = await irctl.OkAsync("procedure", "worklist", "--date", slot.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--room", "IR-1");
        Assert.Contains(id, worklist.Out, StringComparison.Ordinal);

        await irctl.OkAsync("procedure", "sign-in", id, "--all-confirmed", "--last-clear-liquids", "now-3h", "--last-light-meal", "now-12h");
        await irctl.OkAsync("procedure", "time-out", id, "--level", "L1", "T12", "--all-confirmed", "--antibiotic", "cefazolin 1 g IV", "--antibiotic-given-at", "now-20m", "--equipment", "CARM-2");
        var lot = "LOT-IRCTL-" + Guid.NewGuid().ToString("N")[..6];
        await irctl.OkAsync("procedure", "level", id, "L1", "--approach", "bipedicular", "--gauge", "11", "--cement-ml", "4.5", "--product", "PMMA bone cement", "--lot", lot, "--expiry", "2030-12-31");
        var abandoned = await irctl.OkAsync("procedure", "abandon-level", id, "T12", "--reason", "PEDICLE_NOT_ACCESSIBLE", "-o", "json");
        Assert.Equal("T12", abandoned.Json.GetProperty("abandonedLevels")[0].GetProperty("level").GetString());
        await irctl.OkAsync("procedure", "dose", id, "--dap", "18.4", "--air-kerma", "310", "--fluoro-seconds", "240", "--ct-dlp", "420");
        await irctl.OkAsync("procedure", "sign-out", id, "--treated-level", "L1", "--all-confirmed");
        var completed = await irctl.OkAsync("procedure", "complete", id, "-o", "json");
        Assert.Equal("CASE_STATUS_COMPLETED", completed.Json.GetProperty("status").GetString());

        // The observation is opened by ProcedureCompleted.
        await irctl.EventuallyAsync(_ => true, "discharge", "status", id, "-o", "json");

        // A round with changed leg neurology raises an escalation; the clinician's review closes it.
        var deficit = await irctl.OkAsync(
            "discharge", "observe", id, "--hr", "80", "--sbp", "130", "--dbp", "80", "--spo2", "97", "--rr", "14", "--temp", "36.8", "--pain", "3",
            "--puncture-site-ok", "--aldrete", "2,2,2,2,2", "--padss", "2,2,2,2,2", "-o", "json");
        Assert.True(deficit.Json.GetProperty("escalationOpen").GetBoolean(), deficit.Out);
        var board = await irctl.OkAsync("discharge", "board");
        Assert.Contains(id, board.Out, StringComparison.Ordinal);
        Assert.Contains("OPEN", board.Out, StringComparison.Ordinal);
        // The department board shows the patient in observation with the escalation (projected from discharge's events).
        await irctl.EventuallyAsync(
            r => r.Json.GetProperty("entries").EnumerateArray().Any(e => e.GetProperty("referralId").GetString() == id && e.TryGetProperty("escalation", out var flag) && flag.GetProperty("open").GetBoolean()),
            "board", "--once", "--stage", "in-observation", "-o", "json");
        var departmentBoard = await irctl.OkAsync("board", "--once", "--stage", "in-observation");
        Assert.Contains(id, departmentBoard.Out, StringComparison.Ordinal);
        Assert.Contains("NEW_NEUROLOGICAL_DEFICIT", departmentBoard.Out, StringComparison.Ordinal);
        var reviewed = await irctl.OkAsync("discharge", "resolve-escalation", id, "--outcome", "no-deficit", "-o", "json");
        Assert.False(reviewed.Json.GetProperty("escalationOpen").GetBoolean(), reviewed.Out);

        await irctl.OkAsync(
            "discharge", "observe", id, "--hr", "72", "--sbp", "128", "--dbp", "76", "--spo2", "97", "--rr", "14", "--temp", "36.8", "--pain", "2",
            "--legs-normal", "--puncture-site-ok", "--aldrete", "2,2,2,2,2", "--padss", "2,2,2,2,2");

        // Before the 2 h minimum: refused by the clinical gate (exit 4) with its rule code.
        fixture.Clock.Advance(TimeSpan.FromMinutes(119));
        var early = await irctl.RunAsync("discharge", "patient", id, "--destination", "home", "--escort-present");
        Assert.Equal(4, early.ExitCode);
        Assert.Contains("OBSERVATION_MINIMUM_NOT_ELAPSED", early.Error, StringComparison.Ordinal);

        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await irctl.EventuallyAsync(r => r.Json.TryGetProperty("minimumElapsed", out var elapsed) && elapsed.GetBoolean(), "discharge", "status", id, "-o", "json");
        var discharged = await irctl.OkAsync("discharge", "patient", id, "--destination", "home", "--escort-present", "-o", "json");
        Assert.Equal("DESTINATION_HOME", discharged.Json.GetProperty("destination").GetString());

        var html = Path.Combine(irctl.Home, "discharge.html");
        await irctl.OkAsync("discharge", "summary", id, "--html", html);
        Assert.Contains("<html", await File.ReadAllTextAsync(html), StringComparison.OrdinalIgnoreCase);
        var summary = await irctl.OkAsync("discharge", "summary", id, "-o", "json");
        Assert.Equal("L1", summary.Json.GetProperty("procedure").GetProperty("levels")[0].GetString());

        var report = await irctl.OkAsync("procedure", "report", id);
        Assert.Contains("CARM-2", report.Out, StringComparison.Ordinal);
        var recall = await irctl.OkAsync("procedure", "recall", lot, "-o", "json");
        var recipient = Assert.Single(recall.Json.GetProperty("recipients").EnumerateArray());
        Assert.Equal(id, recipient.GetProperty("referralId").GetString());

        // Scheduling records the discharge and books the follow-up from PatientDischarged.
        var pathway = await irctl.EventuallyAsync(
            r => r.Json.GetProperty("referral").GetProperty("status").GetString() == "REFERRAL_STATUS_DISCHARGED" && r.Json.TryGetProperty("followUp", out _),
            "pathway", "timeline", id, "-o", "json");
        var events = pathway.Json.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Contains("ProcedureCompleted", events);
        Assert.Contains("PatientDischarged", events);
        var timeline = await irctl.OkAsync("pathway", "timeline", id);
        Assert.Contains("PatientDischarged", timeline.Out, StringComparison.Ordinal);
        Assert.Contains("follow-up", timeline.Out, StringComparison.Ordinal);

        // Hospital IT's copy: the Bundle on stdout, or written to a file with a summary.
        var fhir = await irctl.OkAsync("fhir", "export", id);
        Assert.Equal("Bundle", fhir.Json.GetProperty("resourceType").GetString());
        var resources = fhir.Json.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource")).ToList();
        Assert.Contains(resources, r => r.GetProperty("resourceType").GetString() == "Device" && r.GetProperty("lotNumber").GetString() == lot);
        var bundleFile = Path.Combine(irctl.Home, "case.fhir.json");
        var written = await irctl.OkAsync("fhir", "export", id, "--out", bundleFile);
        Assert.Contains("Procedure=", written.Out, StringComparison.Ordinal);
        Assert.Equal("Bundle", JsonDocument.Parse(await File.ReadAllTextAsync(bundleFile)).RootElement.GetProperty("resourceType").GetString());
    }

    [Fact]
    public async Task Irctl_JsonOutput_ParsesBackAsTheResponseMessage()
    {
        using var irctl = fixture.Runner();
        var submitted = await irctl.OkAsync(
            "referral", "submit", "--family-name", "Json", "--given-name", "Back", "--birth-date", "1950-01-01", "--mrn", "MRN-J" + Guid.NewGuid().ToString("N")[..6],
            "--referrer", "Dr R", "--level", "L2", "--pregnancy", "not-applicable", "-o", "json");
        var id = submitted.Json.GetProperty("referralId").GetString()!;

        var read = await irctl.OkAsync("referral", "get", id, "-o", "json");

        Assert.Empty(read.Error);
        var referral = Google.Protobuf.JsonParser.Default.Parse<IrSuite.Scheduling.V1.Referral>(read.Out);
        Assert.Equal(id, referral.ReferralId);
        Assert.Equal(["L2"], referral.Levels);
        Assert.Equal(IrSuite.Scheduling.V1.ReferralStatus.Submitted, referral.Status);
        Assert.False(read.Json.GetProperty("osteoporosisSuspected").GetBoolean()); // defaults are written for scripts
        Assert.Equal("SEDATION_MODE_UNSPECIFIED", read.Json.GetProperty("expectedSedation").GetString());
    }
}
