using Dapper;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Contracts;
using IrSuite.Contracts.Scheduling;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.ProcedureRecord.Tests.Component;

/// <summary>
/// The OR / modality side over real gRPC (decision 0016): the room's modality worklist and the performed procedure step
/// stream with duplicates, reordering, bad reports and the role matrix.
/// </summary>
public sealed class ModalityTests : IAsyncLifetime
{
    private const string Day = "2026-11-23";
    private static readonly Metadata OrRoom = TestIdentity.As("or-room-1", Roles.OrSystem);

    private ProcedureRecordApp _app = null!;

    private ProcedureClient Client => _app.Client;

    public async Task InitializeAsync() =>
        _app = await ProcedureRecordApp.StartAsync(new Dictionary<string, string?> { ["ModalityWorklist:StationAeTitles:IR-1"] = "CARM_IR1" });

    public async Task DisposeAsync()
    {
        var errors = _app.Errors.Entries;
        await _app.DisposeAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task GetModalityWorklist_RoomAndDay_OneItemPerBookingWithWhatTheCArmNeeds()
    {
        var second = Guid.NewGuid();
        var first = Guid.NewGuid();
        var patient = Guid.NewGuid();
        await _app.ScheduleAsync(second, ["L2"], start: ProcedureRecordApp.Start.AddHours(3));
        await _app.ScheduleAsync(first, ["T12", "L1"], patientId: patient, start: ProcedureRecordApp.Start.AddHours(1), allergyClasses: [AllergyCodes.IodinatedContrast]);
        await _app.ScheduleAsync(Guid.NewGuid(), ["L3"], room: "IR-2");
        await _app.ScheduleAsync(Guid.NewGuid(), ["L4"], start: ProcedureRecordApp.Start.AddDays(1));

        var worklist = await Client.GetModalityWorklistAsync("IR-1", Day, OrRoom);

        Assert.Equal([first.ToString(), second.ToString()], worklist.Items.Select(i => i.ReferralId));
        var item = worklist.Items[0];
        Assert.Matches("^IR[0-9]{10}$", item.AccessionNumber);
        Assert.Equal("RP" + item.AccessionNumber[2..], item.RequestedProcedureId);
        Assert.NotEqual(item.AccessionNumber, worklist.Items[1].AccessionNumber);
        Assert.Equal("VERTEBROPLASTY", item.RequestedProcedureCode);
        Assert.Equal("99IRSUITE", item.RequestedProcedureCodingScheme);
        Assert.Equal("Percutaneous vertebroplasty T12 L1", item.RequestedProcedureDescription);
        Assert.Equal(["T12", "L1"], item.Levels);
        Assert.Equal(patient.ToString(), item.PatientId);
        Assert.Equal([AllergyCodes.IodinatedContrast], item.AllergyClasses);
        Assert.Equal("NOT_APPLICABLE", item.Pregnancy);
        Assert.Equal(1, item.DicomPregnancyStatus);
        Assert.Equal("IR-1", item.Room);
        Assert.Equal("CARM_IR1", item.ScheduledStationAeTitle);
        Assert.Equal("XA", item.Modality);
        Assert.Equal(ProcedureRecordApp.Start.AddHours(1), item.ScheduledStart.ToDateTimeOffset());
        Assert.Equal(60, item.DurationMinutes);
        Assert.StartsWith("2.25.", item.StudyInstanceUid, StringComparison.Ordinal);
        Assert.True(item.StudyInstanceUid.Length <= 64);
        Assert.Equal(SedationCodes.Local, item.SedationMode);
        Assert.Equal(CaseStatus.Scheduled, item.CaseStatus);
        Assert.Equal(ProcedureStepStatus.Unspecified, item.StepStatus);
        Assert.Equal(item.AccessionNumber, (await Client.GetProcedureSummaryAsync(first.ToString())).AccessionNumber);
        Assert.Equal("IR-2", Assert.Single((await Client.GetModalityWorklistAsync("IR-2", Day, OrRoom)).Items).ScheduledStationAeTitle);
    }

    [Fact]
    public async Task Accession_RedeliveredAndRescheduled_Unchanged()
    {
        var referral = Guid.NewGuid();
        var patient = Guid.NewGuid();
        var booking = new ProcedureScheduled(referral, patient, ["L1"], "IR-1", "REC-1", ProcedureRecordApp.Start.AddHours(1), _app.Clock.GetUtcNow())
        {
            ConsentedLevels = ["L1"],
            SedationMode = SedationCodes.Local,
            Pregnancy = "POSSIBLE",
        };
        var messageId = Guid.NewGuid();
        await _app.DeliverAsync(booking, messageId);
        var before = (await Client.GetProcedureSummaryAsync(referral.ToString())).AccessionNumber;
        await _app.DeliverAsync(booking, messageId);
        await _app.DeliverAsync(booking); // the same booking again under another message id
        _app.Clock.Advance(TimeSpan.FromMinutes(5));
        await _app.DeliverAsync(booking with { Room = "IR-2", Start = ProcedureRecordApp.Start.AddHours(4), OccurredAt = _app.Clock.GetUtcNow() });
        await _app.ScheduleAsync(Guid.NewGuid());

        var moved = Assert.Single((await Client.GetModalityWorklistAsync("IR-2", Day, OrRoom)).Items);
        Assert.Equal(before, moved.AccessionNumber);
        Assert.Equal(2, moved.DicomPregnancyStatus);
        Assert.DoesNotContain((await Client.GetModalityWorklistAsync("IR-1", Day, OrRoom)).Items, i => i.ReferralId == referral.ToString());
        await using var connection = await _app.Database.OpenAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(DISTINCT accession_seq) FROM procedure_case"));
    }

    [Fact]
    public async Task ReportProcedureSteps_DuplicatesAndOutOfOrder_EachAckedOnceAppliedAndFinalStateRight()
    {
        var referral = Guid.NewGuid();
        await _app.ScheduleAsync(referral, ["L1"]);
        var accession = (await Client.GetModalityWorklistAsync("IR-1", Day, OrRoom)).Items.Single().AccessionNumber;
        var start = ProcedureRecordApp.Start.AddHours(1).AddMinutes(5);
        var inProgress = Report("m-1", accession, "step-1", ProcedureStepStatus.InProgress, start);
        var completed = Report("m-2", accession, "step-1", ProcedureStepStatus.Completed, start.AddMinutes(35), started: start, fluoroscopy: 312, dap: 32.4, kar: 210);
        var sameContentNewId = completed.Clone();
        sameContentNewId.MessageId = "m-3";
        var discontinuedAfter = Report("m-4", accession, "step-1", ProcedureStepStatus.Discontinued, start.AddMinutes(40), reason: "EQUIPMENT_FAILURE");
        var reusedId = completed.Clone();
        reusedId.DoseAreaProductGyCm2 = 99;

        var (acks, status) = await Client.ReportStepsAsync([completed, completed, inProgress, inProgress, sameContentNewId, discontinuedAfter, reusedId], OrRoom);

        Assert.Equal(StatusCode.OK, status.StatusCode);
        Assert.Equal(
            [
                (StepReportOutcome.Applied, ""),
                (StepReportOutcome.Duplicate, "SAME_MESSAGE_ID"),
                (StepReportOutcome.Stale, "STEP_ALREADY_FINAL"),
                (StepReportOutcome.Duplicate, "SAME_MESSAGE_ID"),
                (StepReportOutcome.Duplicate, "SAME_CONTENT"),
                (StepReportOutcome.Rejected, "STEP_ALREADY_COMPLETED"),
                (StepReportOutcome.Rejected, "MESSAGE_ID_REUSED"),
            ],
            acks.Select(a => (a.Outcome, a.Reason)));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], acks.Select(a => a.Sequence));
        Assert.All(acks, a => Assert.Equal(ProcedureStepStatus.Completed, a.StepStatus));
        Assert.Equal(["m-2", "m-2", "m-1", "m-1", "m-3", "m-4", "m-2"], acks.Select(a => a.MessageId));
        Assert.All(acks, a => Assert.Equal(referral.ToString(), a.ReferralId));

        var summary = await Client.GetProcedureSummaryAsync(referral.ToString());
        var step = Assert.Single(summary.ModalitySteps);
        Assert.Equal(ProcedureStepStatus.Completed, step.Status);
        Assert.Equal(start, step.StartedAt.ToDateTimeOffset());
        Assert.Equal(start.AddMinutes(35), step.EndedAt.ToDateTimeOffset());
        Assert.Equal(312, step.FluoroscopySeconds);
        Assert.Equal(32.4, step.DoseAreaProductGyCm2);
        Assert.Equal(210, step.ReferenceAirKermaMgy);
        Assert.Equal("or-room-1", step.ReportedBy);
        Assert.Equal("NO_RECORDED_DOSE", summary.ModalityDoseCheck.Result);
        Assert.True(summary.ModalityDoseCheck.Final);
        Assert.Equal(ProcedureStepStatus.Completed, (await Client.GetModalityWorklistAsync("IR-1", Day, OrRoom)).Items.Single().StepStatus);
        await using var connection = await _app.Database.OpenAsync();
        Assert.Equal(
            ["m-1:Stale", "m-2:Applied", "m-3:Duplicate"],
            await connection.QueryAsync<string>("SELECT message_id || ':' || outcome FROM procedure_step_message ORDER BY message_id"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM procedure_step"));
    }

    [Fact]
    public async Task StepMessages_PastTheirRetention_SweptWhileTheStepStays()
    {
        var referral = Guid.NewGuid();
        await _app.ScheduleAsync(referral, ["L1"]);
        var accession = (await Client.GetModalityWorklistAsync("IR-1", Day, OrRoom)).Items.Single().AccessionNumber;
        var start = ProcedureRecordApp.Start.AddHours(1);
        var (acks, _) = await Client.ReportStepsAsync([Report("r-1", accession, "step-r", ProcedureStepStatus.Completed, start.AddMinutes(30), started: start, fluoroscopy: 100, dap: 10, kar: 50)], OrRoom);
        Assert.Equal(StepReportOutcome.Applied, Assert.Single(acks).Outcome);
        var sweeper = _app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<RetentionSweeper<ProcedureRecordDatabase>>().Single();

        _app.Clock.Advance(TimeSpan.FromDays(89));
        Assert.Equal(0, (await sweeper.SweepOnceAsync(CancellationToken.None))["procedure_step_message"]);
        _app.Clock.Advance(TimeSpan.FromDays(2)); // 91 days: past ModalityWorklist:StepMessageRetention (90 days)
        Assert.Equal(1, (await sweeper.SweepOnceAsync(CancellationToken.None))["procedure_step_message"]);

        await using var connection = await _app.Database.OpenAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM procedure_step_message"));
        Assert.Equal(ProcedureStepStatus.Completed, Assert.Single((await Client.GetProcedureSummaryAsync(referral.ToString())).ModalitySteps).Status);
    }

    [Fact]
    public async Task ReportProcedureSteps_InProgressUpdatesThenCompleted_DoseCrossCheckedWithTheRecordedDose()
    {
        var referral = Guid.NewGuid();
        await _app.ScheduleAsync(referral, ["L1"]);
        var accession = (await Client.GetProcedureSummaryAsync(referral.ToString())).AccessionNumber;
        var start = ProcedureRecordApp.Start.AddHours(1);
        var (acks, status) = await Client.ReportStepsAsync(
            [
                Report("a-1", accession, "step-a", ProcedureStepStatus.InProgress, start),
                Report("a-2", accession, "step-a", ProcedureStepStatus.InProgress, start.AddMinutes(10), fluoroscopy: 100, dap: 10),
                Report("a-3", accession, "step-a", ProcedureStepStatus.InProgress, start.AddMinutes(5), fluoroscopy: 50, dap: 5),
                Report("a-4", accession, "step-a", ProcedureStepStatus.Completed, start.AddMinutes(30), fluoroscopy: 310, dap: 32.0),
            ],
            OrRoom);

        Assert.Equal(StatusCode.OK, status.StatusCode);
        Assert.Equal(
            [StepReportOutcome.Applied, StepReportOutcome.Applied, StepReportOutcome.Stale, StepReportOutcome.Applied],
            acks.Select(a => a.Outcome));
        Assert.Equal("OLDER_THAN_STORED", acks[2].Reason);
        var summary = await Client.GetProcedureSummaryAsync(referral.ToString());
        Assert.Equal(start, summary.ModalitySteps.Single().StartedAt.ToDateTimeOffset());
        Assert.Equal("NO_RECORDED_DOSE", summary.ModalityDoseCheck.Result);

        // The radiologist's RecordDose stays the record (and the gate to close); the modality's report cross-checks it.
        await Client.SignInAsync(new SignInRequest
        {
            ReferralId = referral.ToString(), IdentityAndConsentConfirmed = true, AllergiesReviewed = true, AnesthesiaCheckDone = true,
            SiteMarkedOrNotApplicable = true, PulseOximeterOn = true, AirwayRiskAssessed = true, BloodLossRiskAssessed = true,
        });
        await Client.TimeOutAsync(new TimeOutRequest
        {
            ReferralId = referral.ToString(), ConfirmedLevels = { "L1" }, TeamIntroduced = true, PatientSiteProcedureConfirmed = true,
            CriticalEventsReviewed = true, ImagingDisplayed = true, AntibioticDrug = "cefazolin 1 g IV",
            AntibioticGivenAt = Timestamp.FromDateTimeOffset(_app.Clock.GetUtcNow().AddMinutes(-30)), EquipmentId = "CARM-2",
        });
        var recorded = await Client.RecordDoseAsync(new RecordDoseRequest
        {
            ReferralId = referral.ToString(), DoseAreaProductGyCm2 = 32.4, ReferenceAirKermaMgy = 210, FluoroscopySeconds = 312,
        });
        Assert.Equal("MATCHES", recorded.ModalityDoseCheck.Result);
        recorded = await Client.RecordDoseAsync(new RecordDoseRequest
        {
            ReferralId = referral.ToString(), DoseAreaProductGyCm2 = 3.24, ReferenceAirKermaMgy = 210, FluoroscopySeconds = 312,
        });
        Assert.Equal("DIFFERS", recorded.ModalityDoseCheck.Result);
        Assert.Equal(32.0, recorded.ModalityDoseCheck.DoseAreaProductGyCm2);
    }

    [Fact]
    public async Task ReportProcedureSteps_InvalidReports_RejectedWhileTheStreamCarriesOn()
    {
        var referral = Guid.NewGuid();
        await _app.ScheduleAsync(referral, ["L1"]);
        var accession = (await Client.GetProcedureSummaryAsync(referral.ToString())).AccessionNumber;
        var at = ProcedureRecordApp.Start.AddHours(1);
        var noStatus = Report("b-1", accession, "step-b", ProcedureStepStatus.Unspecified, at);
        var noIds = Report("", "", "", ProcedureStepStatus.InProgress, at);
        noIds.OccurredAt = null;
        var completedWithoutDose = Report("b-2", accession, "step-b", ProcedureStepStatus.Completed, at);
        var freeTextReason = Report("b-3", accession, "step-b", ProcedureStepStatus.Discontinued, at, reason: "patient Jane Doe moved");
        var negativeDose = Report("b-4", accession, "step-b", ProcedureStepStatus.InProgress, at, dap: -1);
        negativeDose.FluoroscopySeconds = double.NaN;
        var unknownAccession = Report("b-5", "IR9999999999", "step-b", ProcedureStepStatus.InProgress, at);
        var foreignAccession = Report("b-6", "ACC-OTHER-RIS", "step-b", ProcedureStepStatus.InProgress, at);
        var valid = Report("b-7", accession, "step-b", ProcedureStepStatus.InProgress, at);

        var (acks, status) = await Client.ReportStepsAsync([noStatus, noIds, completedWithoutDose, freeTextReason, negativeDose, unknownAccession, foreignAccession, valid], OrRoom);

        Assert.Equal(StatusCode.OK, status.StatusCode);
        Assert.Equal(8, acks.Count);
        Assert.All(acks.Take(7), a => Assert.Equal(StepReportOutcome.Rejected, a.Outcome));
        Assert.Equal(["status"], acks[0].InvalidFields);
        Assert.Equal(["message_id", "accession_number", "step_id", "occurred_at"], acks[1].InvalidFields);
        Assert.Equal(["fluoroscopy_seconds", "dose_area_product_gy_cm2"], acks[2].InvalidFields);
        Assert.Equal(["discontinuation_reason"], acks[3].InvalidFields);
        Assert.Equal(["fluoroscopy_seconds", "dose_area_product_gy_cm2"], acks[4].InvalidFields);
        Assert.All(acks.Take(5), a => Assert.Equal("INVALID_ARGUMENT", a.Reason));
        Assert.Equal("UNKNOWN_ACCESSION", acks[5].Reason);
        Assert.Equal("UNKNOWN_ACCESSION", acks[6].Reason);
        Assert.DoesNotContain(acks, a => a.ToString().Contains("Jane", StringComparison.Ordinal));
        Assert.Equal(StepReportOutcome.Applied, acks[7].Outcome);
        Assert.Equal(ProcedureStepStatus.InProgress, (await Client.GetProcedureSummaryAsync(referral.ToString())).ModalitySteps.Single().Status);
        await using var connection = await _app.Database.OpenAsync();
        Assert.Equal(["b-7"], await connection.QueryAsync<string>("SELECT message_id FROM procedure_step_message"));
    }

    [Fact]
    public async Task ReportProcedureSteps_StepIdOfAnotherAccession_Rejected()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await _app.ScheduleAsync(first, ["L1"]);
        await _app.ScheduleAsync(second, ["L2"], start: ProcedureRecordApp.Start.AddHours(2));
        var items = (await Client.GetModalityWorklistAsync("IR-1", Day, OrRoom)).Items;
        var at = ProcedureRecordApp.Start.AddHours(1);

        var (acks, _) = await Client.ReportStepsAsync(
            [
                Report("c-1", items[0].AccessionNumber, "shared-step", ProcedureStepStatus.InProgress, at),
                Report("c-2", items[1].AccessionNumber, "shared-step", ProcedureStepStatus.InProgress, at.AddMinutes(1)),
            ],
            OrRoom);

        Assert.Equal((StepReportOutcome.Rejected, "STEP_OF_ANOTHER_ACCESSION"), (acks[1].Outcome, acks[1].Reason));
        Assert.Empty((await Client.GetProcedureSummaryAsync(second.ToString())).ModalitySteps);
    }

    [Fact]
    public async Task ReportProcedureSteps_EachTakenReportAudited_AndTheStreamOnce()
    {
        var referral = Guid.NewGuid();
        var patient = Guid.NewGuid();
        await _app.ScheduleAsync(referral, ["L1"], patientId: patient);
        var accession = (await Client.GetProcedureSummaryAsync(referral.ToString())).AccessionNumber;
        var at = ProcedureRecordApp.Start.AddHours(1);

        await Client.ReportStepsAsync(
            [
                Report("d-1", accession, "step-d", ProcedureStepStatus.InProgress, at),
                Report("d-1", accession, "step-d", ProcedureStepStatus.InProgress, at),
                Report("d-2", accession, "step-d", ProcedureStepStatus.Completed, at.AddMinutes(20), fluoroscopy: 200, dap: 20),
                Report("", accession, "step-d", ProcedureStepStatus.Completed, at),
            ],
            OrRoom);

        await using var connection = await _app.Database.OpenAsync();
        var records = (await connection.QueryAsync<(string Access, string? PatientId, string? Resource, string Outcome)>(
            "SELECT access, patient_id, resource, outcome FROM audit_record WHERE action = @action AND actor = 'or-room-1' ORDER BY seq",
            new { action = "ir.procedure.v1.ProcedureRecordService/ReportProcedureSteps" })).ToList();
        // Three reports reached the database (the malformed fourth did not): one write record each, then the stream's own.
        Assert.Equal(4, records.Count);
        Assert.All(records.Take(3), r => Assert.Equal(("write", patient.ToString(), referral.ToString(), "OK"), (r.Access, r.PatientId, r.Resource, r.Outcome)));
        Assert.Equal(("write", null, null, "OK"), (records[3].Access, records[3].PatientId, records[3].Resource, records[3].Outcome));
    }

    [Fact]
    public async Task ReportProcedureSteps_UnreadableFrameMidStream_ReportsBeforeItAckedAndStreamEndsInternal()
    {
        var referral = Guid.NewGuid();
        await _app.ScheduleAsync(referral, ["L1"]);
        var accession = (await Client.GetProcedureSummaryAsync(referral.ToString())).AccessionNumber;
        var valid = Report("f-1", accession, "step-f", ProcedureStepStatus.InProgress, ProcedureRecordApp.Start.AddHours(1)).ToByteArray();
        // A second frame whose payload is not a protobuf message (a field tag with wire type 7 does not exist).
        byte[] garbage = [0x0F, 0xFF, 0xFF, 0xFF];
        using var body = new MemoryStream();
        foreach (var payload in new[] { valid, garbage })
        {
            body.WriteByte(0);
            body.Write([(byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length]);
            body.Write(payload);
        }

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _app.Address + "/ir.procedure.v1.ProcedureRecordService/ReportProcedureSteps")
        {
            Content = new ByteArrayContent(body.ToArray()),
            Version = System.Net.HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("authorization", "Bearer " + TestIdentity.Token("or-room-1", Roles.OrSystem));
        using var response = await http.SendAsync(request);
        var answer = await response.Content.ReadAsByteArrayAsync();

        var length = (answer[1] << 24) | (answer[2] << 16) | (answer[3] << 8) | answer[4];
        Assert.Equal(5 + length, answer.Length);
        var ack = ReportProcedureStepsResponse.Parser.ParseFrom(answer, 5, length);
        Assert.Equal((StepReportOutcome.Applied, "f-1"), (ack.Outcome, ack.MessageId));
        Assert.Equal("13", Assert.Single(response.TrailingHeaders.GetValues("grpc-status")));
        Assert.Equal(ProcedureStepStatus.InProgress, (await Client.GetProcedureSummaryAsync(referral.ToString())).ModalitySteps.Single().Status);
    }

    [Theory]
    [InlineData(Roles.Radiologist)]
    [InlineData(Roles.Nurse)]
    [InlineData(Roles.Scheduler)]
    [InlineData(Roles.Ops)]
    public async Task ReportProcedureSteps_NotAnOrSystem_PermissionDenied(string role)
    {
        var (acks, status) = await Client.ReportStepsAsync(
            [Report("e-1", "IR0000000001", "step-e", ProcedureStepStatus.InProgress, ProcedureRecordApp.Start)], TestIdentity.As("someone", role));

        Assert.Empty(acks);
        Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
    }

    [Theory]
    [InlineData(Roles.Scheduler)]
    [InlineData(Roles.Service)]
    [InlineData(Roles.Auditor)]
    public async Task GetModalityWorklist_RoleNotAllowed_PermissionDenied(string role)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.GetModalityWorklistAsync("IR-1", Day, TestIdentity.As("someone", role)));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task GetModalityWorklist_NoRoomOrBadDate_InvalidArgumentNamingBoth()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Client.GetModalityWorklistAsync("", "23/11/2026", OrRoom));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(["room", "date"], ex.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task OrSimulator_DuplicatesAndShuffle_EveryReportAckedNothingRefusedStepsCompleted()
    {
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        await _app.ScheduleAsync(first, ["L1"]);
        await _app.ScheduleAsync(second, ["T12", "L1"], start: ProcedureRecordApp.Start.AddHours(3));
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await OrSimulator.OrSimulator.RunAsync(
            ["--address", _app.Address, "--token", TestIdentity.Token("or-room-1", Roles.OrSystem), "--room", "IR-1", "--date", Day, "--duplicates", "--shuffle", "--seed", "7"],
            output,
            error,
            CancellationToken.None);

        Assert.True(exit == 0, output + "\n" + error);
        // Per accession: 2 reports, 2 resent under their ids, the completion once more under a new id; COMPLETED arrives first,
        // so its IN_PROGRESS is stale and only the completion applies.
        Assert.True(output.ToString().Contains("summary: sent 10, acked 10, applied 2, duplicate 6, stale 2, rejected 0, stream OK", StringComparison.Ordinal), output.ToString());
        foreach (var referral in new[] { first, second })
        {
            var summary = await Client.GetProcedureSummaryAsync(referral.ToString());
            var step = Assert.Single(summary.ModalitySteps);
            Assert.Equal(ProcedureStepStatus.Completed, step.Status);
            Assert.InRange(step.DoseAreaProductGyCm2, 5, 50);
            Assert.InRange(step.FluoroscopySeconds, 120, 600);
        }
    }

    [Fact]
    public async Task OrSimulator_NoToken_UsageErrorExitCode2()
    {
        var error = new StringWriter();

        var exit = await OrSimulator.OrSimulator.RunAsync(["--address", _app.Address, "--room", "IR-1", "--date", Day], TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Contains("IRSUITE_TOKEN", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportProcedureSteps_TokenExpiresMidStream_LaterReportRefusedUnauthenticatedAndNotApplied()
    {
        var referral = Guid.NewGuid();
        await _app.ScheduleAsync(referral, ["L1"]);
        var accession = (await Client.GetModalityWorklistAsync("IR-1", Day, OrRoom)).Items.Single().AccessionNumber;
        var start = ProcedureRecordApp.Start.AddHours(1);
        var token = TestIdentity.TokenAt(_app.Clock.GetUtcNow(), TimeSpan.FromMinutes(10), "or-room-1", Roles.OrSystem);

        // The reports are sent one at a time, each after the previous ack: the clock passes the expiry in between.
        IEnumerable<ReportProcedureStepsRequest> Reports()
        {
            yield return Report("x-1", accession, "step-x", ProcedureStepStatus.InProgress, start);
            _app.Clock.Advance(TimeSpan.FromMinutes(11));
            yield return Report("x-2", accession, "step-x", ProcedureStepStatus.Completed, start.AddMinutes(30), started: start, fluoroscopy: 200, dap: 20);
        }

        var (acks, status) = await Client.ReportStepsAsync(Reports(), new Metadata().Add("authorization", "Bearer " + token));

        Assert.Equal(StepReportOutcome.Applied, Assert.Single(acks).Outcome);
        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("report 2", status.Detail, StringComparison.Ordinal);
        Assert.Equal(ProcedureStepStatus.InProgress, Assert.Single((await Client.GetProcedureSummaryAsync(referral.ToString())).ModalitySteps).Status);
    }

    private static ReportProcedureStepsRequest Report(
        string messageId, string accession, string stepId, ProcedureStepStatus status, DateTimeOffset at,
        DateTimeOffset? started = null, double fluoroscopy = 0, double dap = 0, double kar = 0, string reason = "") => new()
    {
        MessageId = messageId,
        AccessionNumber = accession,
        StepId = stepId,
        Status = status,
        OccurredAt = Timestamp.FromDateTimeOffset(at),
        StartedAt = started is { } s ? Timestamp.FromDateTimeOffset(s) : null,
        FluoroscopySeconds = fluoroscopy,
        DoseAreaProductGyCm2 = dap,
        ReferenceAirKermaMgy = kar,
        StationAeTitle = "CARM_IR1",
        DiscontinuationReason = reason,
    };
}
