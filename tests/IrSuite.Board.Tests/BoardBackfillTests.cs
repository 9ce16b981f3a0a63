using Dapper;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Anesthesia.V1;
using IrSuite.Board.V1;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;
using IrSuite.Scheduling;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Data;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Board.Tests;

/// <summary>
/// The board's backfill on data from before the board, on SQLite and on real PostgreSQL: scheduling's data is produced
/// through the services' gRPC APIs on the embedded suite (manual clock, scheduling's database on the provider under
/// test), the board is taken back to before migration 003, and the migrator re-run on that data. 003 alone is what a
/// site running the released board has; 004 corrects it to what the service itself had projected (decision 0015).
/// </summary>
public sealed class BoardBackfillTests : IAsyncLifetime
{
    private const string Board003 = SchedulingModule.ServiceName + "/003_department_board.sql";
    private const string Board004 = SchedulingModule.ServiceName + "/004_department_board_backfill_fix.sql";

    private static readonly Google.Protobuf.Reflection.ServiceDescriptor SchedulingApi = SchedulingReflection.Descriptor.Services[0];
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor AnesthesiaApi = AnesthesiaReflection.Descriptor.Services[0];
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor ProcedureApi = ProcedureReflection.Descriptor.Services[0];
    private static readonly Method<SubmitReferralRequest, Referral> Submit = Method<SubmitReferralRequest, Referral>.Create(SchedulingApi, "SubmitReferral");
    private static readonly Method<RecordIrConsultRequest, Referral> Consult = Method<RecordIrConsultRequest, Referral>.Create(SchedulingApi, "RecordIrConsult");
    private static readonly Method<GetReferralRequest, Referral> GetReferral = Method<GetReferralRequest, Referral>.Create(SchedulingApi, "GetReferral");
    private static readonly Method<GetPathwayRequest, Pathway> GetPathway = Method<GetPathwayRequest, Pathway>.Create(SchedulingApi, "GetPathway");
    private static readonly Method<BookAppointmentRequest, Appointment> Book = Method<BookAppointmentRequest, Appointment>.Create(SchedulingApi, "BookAppointment");
    private static readonly Method<CancelAppointmentRequest, Appointment> Cancel = Method<CancelAppointmentRequest, Appointment>.Create(SchedulingApi, "CancelAppointment");
    private static readonly Method<GetPlanRequest, AnesthesiaPlan> GetPlan = Method<GetPlanRequest, AnesthesiaPlan>.Create(AnesthesiaApi, "GetPlan");
    private static readonly Method<RecordAssessmentRequest, AnesthesiaPlan> Assess = Method<RecordAssessmentRequest, AnesthesiaPlan>.Create(AnesthesiaApi, "RecordAssessment");
    private static readonly Method<PlanSedationRequest, AnesthesiaPlan> PlanSedation = Method<PlanSedationRequest, AnesthesiaPlan>.Create(AnesthesiaApi, "PlanSedation");
    private static readonly Method<SignClearanceRequest, AnesthesiaPlan> SignClearance = Method<SignClearanceRequest, AnesthesiaPlan>.Create(AnesthesiaApi, "SignClearance");
    private static readonly Method<RecordPreAnestheticVisitRequest, AnesthesiaPlan> RecordVisit = Method<RecordPreAnestheticVisitRequest, AnesthesiaPlan>.Create(AnesthesiaApi, "RecordPreAnestheticVisit");
    private static readonly Method<DiscontinueCaseRequest, ProcedureCase> Discontinue = Method<DiscontinueCaseRequest, ProcedureCase>.Create(ProcedureApi, "DiscontinueCase");

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly string _directory = Directory.CreateTempSubdirectory("irsuite-backfill-").FullName;
    private readonly List<string> _postgresDatabases = [];
    private InProcessSuite? _suite;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_suite is not null)
        {
            await _suite.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        if (_postgresDatabases.Count > 0)
        {
            await TestPostgres.DropDatabasesAsync(_postgresDatabases);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Backfill_OnRealData_ReferralsBeforeTheirProcedureOnTheBoardAsTheServiceShowsThem(string provider)
    {
        var options = await SchedulingDatabaseAsync(provider);
        _suite = await StartSuiteAsync(options);
        var channel = _suite.Channel;
        var walker = ManualClockWalker.Create(channel, _time);
        var day = new DateTimeOffset(_time.GetUtcNow().UtcDateTime.Date.AddDays(3), TimeSpan.Zero);

        // One change at a time per referral on the board: every event is awaited before the next change to the same
        // referral, so the expected rows do not depend on the order concurrent events commit in (concurrent changes of
        // one referral are serialised by a row lock on PostgreSQL: BoardRepositoryPostgresTests).

        // Before the IR consult; declined; accepted under local anaesthesia, and under sedation not yet cleared, cleared
        // FIT, or cleared NOT_FIT on another sedation than the one expected at the consult.
        var referred = await channel.UnaryAsync(Submit, NewReferral("MRN-BACKFILL-1", "L4"));
        var declined = await channel.UnaryAsync(Submit, NewReferral("MRN-BACKFILL-2", "L4"));
        await channel.UnaryAsync(Consult, new RecordIrConsultRequest { ReferralId = declined.ReferralId, Accepted = false, DeclineReason = "Not indicated" });
        var acceptedLocal = await AcceptAsync("MRN-BACKFILL-3", "L3", CommonV1.SedationMode.Local);
        var awaitingClearance = await AcceptAsync("MRN-BACKFILL-4", "T12", CommonV1.SedationMode.ConsciousSedation);
        var notFit = await AcceptAsync("MRN-BACKFILL-5", "L1", CommonV1.SedationMode.General);
        await ClearAsync(notFit.ReferralId, CommonV1.SedationMode.ConsciousSedation, ClearanceDecision.NotFit);
        await BoardApi.EntryAsync(channel, notFit.ReferralId, e => e.Clearance == "NOT_FIT");
        var cleared = (await walker.PrepareAsync(6, new PatientProfile { Levels = ["T11"] })).Referral;
        await BoardApi.EntryAsync(channel, cleared.ReferralId, e => e.Clearance == "FIT");

        // Booked on the procedure day: under sedation, hospitalised; a booking cancelled (the later slot) and booked again
        // in another room; two under local anaesthesia to be started, and one of them discontinued; two to be performed.
        var scheduledCase = await walker.PrepareAsync(7, new PatientProfile { Levels = ["L1", "L2"], Admission = CommonV1.AdmissionType.Hospitalised });
        var scheduled = scheduledCase.Referral;
        await BoardApi.EntryAsync(channel, scheduled.ReferralId, e => e.Clearance == "FIT");
        var scheduledSlot = await walker.BookProcedureAsync(scheduledCase, day.AddHours(14));
        var rebookedCase = await walker.PrepareAsync(8, Local("L3"));
        var rebooked = rebookedCase.Referral;
        var cancelledSlot = await BookAsync(rebooked.ReferralId, "IR-2", day.AddHours(16));
        await channel.UnaryAsync(Cancel, new CancelAppointmentRequest { AppointmentId = cancelledSlot.AppointmentId, Reason = "Patient unavailable" });
        var rebookedSlot = await BookAsync(rebooked.ReferralId, "IR-3", day.AddHours(15));
        var inRoomCase = await walker.PrepareAsync(9, Local("L4"));
        var inRoom = inRoomCase.Referral;
        var inRoomSlot = await walker.BookProcedureAsync(inRoomCase, day.AddHours(9));
        var discontinuedCase = await walker.PrepareAsync(10, Local("L5"));
        var discontinued = discontinuedCase.Referral;
        var discontinuedSlot = await walker.BookProcedureAsync(discontinuedCase, day.AddHours(10));
        var performedCase = await walker.PrepareAsync(11, new PatientProfile { Levels = ["T10"] });
        var performed = performedCase.Referral;
        await walker.BookProcedureAsync(performedCase, day.AddHours(8));

        // The procedure day (the walker moves the clock): one patient walked to discharge (slot 06:00), one performed and
        // in observation, one in the room, one discontinued after the time-out, the pre-anaesthetic visit of the booked one.
        var discharged = (await walker.WalkAsync(0, new PatientProfile { Levels = ["L2"] })).Referral;
        await walker.PerformProcedureAsync(performedCase, day.AddHours(8));
        await walker.StartProcedureAsync(inRoomCase);
        await BoardApi.EntryAsync(channel, inRoom.ReferralId, e => e.Stage == BoardStage.InRoom);
        await walker.StartProcedureAsync(discontinuedCase);
        await BoardApi.EntryAsync(channel, discontinued.ReferralId, e => e.Stage == BoardStage.InRoom);
        await channel.UnaryAsync(Discontinue, new DiscontinueCaseRequest { ReferralId = discontinued.ReferralId, Reason = "EQUIPMENT_FAILURE" });
        await BoardApi.EntryAsync(channel, discontinued.ReferralId, e => e.Procedure?.Outcome == "DISCONTINUED");
        await EventuallyAsync(() => channel.UnaryAsync(GetPlan, new GetPlanRequest { ReferralId = scheduled.ReferralId }), p => p.SlotStart is not null);
        await channel.UnaryAsync(RecordVisit, new RecordPreAnestheticVisitRequest { ReferralId = scheduled.ReferralId, VisitedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow()) });
        await BoardApi.EntryAsync(channel, scheduled.ReferralId, e => e.PreAnestheticVisitDone);

        // Scheduling's data once every event has reached it: the performed referral's observation is open (the walk to
        // discharge waited for its own end); the two in the room are still "scheduled" for scheduling.
        await EventuallyAsync(
            () => channel.UnaryAsync(GetPathway, new GetPathwayRequest { ReferralId = performed.ReferralId }),
            p => p.Referral.Status == ReferralStatus.ProcedureDone && p.Timeline.Any(e => e.Event == "ObservationStarted"));
        Assert.Equal(ReferralStatus.Discharged, discharged.Status);
        Assert.Equal(ReferralStatus.Scheduled, (await channel.UnaryAsync(GetReferral, new GetReferralRequest { ReferralId = inRoom.ReferralId })).Status);
        Assert.Equal(ReferralStatus.Scheduled, (await channel.UnaryAsync(GetReferral, new GetReferralRequest { ReferralId = discontinued.ReferralId })).Status);

        // What the service shows: the declined referral is off the board, the performed and discharged ones are on it.
        var live = (await BoardApi.ReadAsync(channel)).Entries.ToDictionary(e => e.ReferralId, StringComparer.Ordinal);
        Assert.DoesNotContain(declined.ReferralId, live.Keys);
        Assert.Contains(performed.ReferralId, live.Keys);
        Assert.Contains(discharged.ReferralId, live.Keys);
        await _suite.DisposeAsync();
        _suite = null;

        // Back to before the board, then 003 alone (004 stays recorded): the board a site running the released 003 has.
        string[] backfilled =
        [
            referred.ReferralId, acceptedLocal.ReferralId, awaitingClearance.ReferralId, notFit.ReferralId, cleared.ReferralId,
            scheduled.ReferralId, rebooked.ReferralId, inRoom.ReferralId, discontinued.ReferralId,
        ];
        var migrator = new Migrator(NullLogger<Migrator>.Instance);
        await using (var database = new SchedulingDatabase(options))
        {
            await ForgetBoardAsync(database, Board003);
            Assert.Equal(1, await migrator.MigrateAsync(database));
            var released = await ReadBoardAsync(database);

            // Exactly the referrals before their procedure (submitted, accepted, scheduled): not the declined one, not
            // the one performed nor the one discharged (later events fill those in). Scheduled: the live booking.
            Assert.Equal(backfilled.Order(StringComparer.Ordinal), released.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(Backfilled(referred, BoardStage.Referred, CommonV1.SedationMode.Unspecified), released[referred.ReferralId]);
            Assert.Equal(Backfilled(acceptedLocal, BoardStage.ReadyToSchedule, CommonV1.SedationMode.Local), released[acceptedLocal.ReferralId]);
            Assert.Equal(Backfilled(cleared, BoardStage.ReadyToSchedule, CommonV1.SedationMode.LocalWithSedation), released[cleared.ReferralId]);
            Assert.Equal(Backfilled(scheduled, BoardStage.Scheduled, CommonV1.SedationMode.LocalWithSedation, scheduledSlot), released[scheduled.ReferralId]);
            Assert.Equal(Backfilled(rebooked, BoardStage.Scheduled, CommonV1.SedationMode.Local, rebookedSlot), released[rebooked.ReferralId]);
            Assert.Equal(Backfilled(inRoom, BoardStage.Scheduled, CommonV1.SedationMode.Local, inRoomSlot), released[inRoom.ReferralId]);
            Assert.Equal(Backfilled(discontinued, BoardStage.Scheduled, CommonV1.SedationMode.Local, discontinuedSlot), released[discontinued.ReferralId]);

            // 003's own mistakes: every accepted referral ready to schedule (BoardRules.AfterAccepted says awaiting the
            // clearance under sedation); the expected sedation, not the one the clearance planned.
            Assert.Equal(Backfilled(awaitingClearance, BoardStage.ReadyToSchedule, CommonV1.SedationMode.ConsciousSedation), released[awaitingClearance.ReferralId]);
            Assert.Equal(Backfilled(notFit, BoardStage.ReadyToSchedule, CommonV1.SedationMode.General), released[notFit.ReferralId]);

            // 004 on the released board: the stage, clearance, sedation, admission, visit and procedure the service shows.
            await ForgetMigrationAsync(database, Board004);
            Assert.Equal(1, await migrator.MigrateAsync(database));
            var corrected = await ReadBoardAsync(database);
            Assert.Equal(released.Keys.Order(StringComparer.Ordinal), corrected.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(released[referred.ReferralId], corrected[referred.ReferralId]);
            Assert.Equal(released[acceptedLocal.ReferralId], corrected[acceptedLocal.ReferralId]);
            Assert.Equal(
                released[awaitingClearance.ReferralId] with { Stage = (long)BoardStage.AwaitingClearance, Version = 2 },
                corrected[awaitingClearance.ReferralId]);
            Assert.Equal(
                released[notFit.ReferralId] with
                {
                    Stage = (long)BoardStage.AwaitingClearance, Clearance = "NOT_FIT", Sedation = (long)CommonV1.SedationMode.ConsciousSedation, Version = 3,
                },
                corrected[notFit.ReferralId]);
            Assert.Equal(released[cleared.ReferralId] with { Clearance = "FIT", Version = 2 }, corrected[cleared.ReferralId]);
            Assert.Equal(
                released[scheduled.ReferralId] with
                {
                    Clearance = "FIT", Admission = (long)CommonV1.AdmissionType.Hospitalised, PreAnestheticVisit = 1, Version = 4,
                },
                corrected[scheduled.ReferralId]);
            Assert.Equal(released[rebooked.ReferralId] with { Admission = (long)CommonV1.AdmissionType.Ambulatory, Version = 2 }, corrected[rebooked.ReferralId]);
            Assert.Equal(
                released[inRoom.ReferralId] with
                {
                    Stage = (long)BoardStage.InRoom, Admission = (long)CommonV1.AdmissionType.Ambulatory,
                    ProcedureStartedMs = Ms(live[inRoom.ReferralId].Procedure.StartedAt), Version = 3,
                },
                corrected[inRoom.ReferralId]);
            Assert.Equal(
                released[discontinued.ReferralId] with
                {
                    Stage = (long)BoardStage.InRoom, Admission = (long)CommonV1.AdmissionType.Ambulatory,
                    ProcedureStartedMs = Ms(live[discontinued.ReferralId].Procedure.StartedAt),
                    ProcedureEndedMs = Ms(live[discontinued.ReferralId].Procedure.EndedAt), ProcedureOutcome = "DISCONTINUED", Version = 4,
                },
                corrected[discontinued.ReferralId]);

            // A site upgrading from before the board runs 003 and 004 together: the same board.
            await ForgetBoardAsync(database, Board003, Board004);
            Assert.Equal(2, await migrator.MigrateAsync(database));
            Assert.Equal(corrected.OrderBy(r => r.Key, StringComparer.Ordinal), (await ReadBoardAsync(database)).OrderBy(r => r.Key, StringComparer.Ordinal));
        }

        // The service started on the backfilled data shows each entry as it had projected it (only updated_at differs:
        // 0, no change by the service since the backfill).
        _suite = await StartSuiteAsync(options);
        var board = (await BoardApi.ReadAsync(_suite.Channel)).Entries.ToDictionary(e => e.ReferralId, StringComparer.Ordinal);
        Assert.Equal(backfilled.Order(StringComparer.Ordinal), board.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, entry) in board)
        {
            Assert.Equal(Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch), entry.UpdatedAt);
            Assert.Equal(WithoutUpdatedAt(live[id]), WithoutUpdatedAt(entry));
        }
    }

    private static BoardEntryState Backfilled(Referral referral, BoardStage stage, CommonV1.SedationMode sedation, Appointment? slot = null) => new()
    {
        ReferralId = referral.ReferralId,
        PatientId = referral.PatientId,
        Stage = (long)stage,
        Levels = SchedulingRepository.ToJson(referral.Levels),
        Sedation = (long)sedation,
        Room = slot?.Room ?? "",
        RecoveryBed = slot?.RecoveryBed ?? "",
        ScheduledStartMs = slot is null ? null : Ms(slot.Start),
        UpdatedMs = 0,
        Version = 1,
    };

    private static long Ms(Timestamp at) => at.ToDateTimeOffset().ToUnixTimeMilliseconds();

    private static BoardEntry WithoutUpdatedAt(BoardEntry entry)
    {
        var copy = entry.Clone();
        copy.UpdatedAt = null;
        return copy;
    }

    /// <summary>Takes the board back to before <paramref name="migrations"/>: table and index dropped, their records deleted.</summary>
    private static Task ForgetBoardAsync(SchedulingDatabase database, params string[] migrations) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("DROP INDEX board_entry_by_stage", transaction: transaction);
            await connection.ExecuteAsync("DROP TABLE board_entry", transaction: transaction);
            foreach (var id in migrations)
            {
                Assert.Equal(1, await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE id = @id", new { id }, transaction));
            }

            return migrations.Length;
        });

    /// <summary>Forgets that a migration was applied (its effect stays), so the migrator applies it again.</summary>
    private static Task ForgetMigrationAsync(SchedulingDatabase database, string migration) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            Assert.Equal(1, await connection.ExecuteAsync("DELETE FROM schema_migrations WHERE id = @migration", new { migration }, transaction));
            return 1;
        });

    /// <summary>Every row of the board, by referral (the repository's listing from the epoch on: discharged ones included).</summary>
    private static async Task<IReadOnlyDictionary<string, BoardEntryState>> ReadBoardAsync(SchedulingDatabase database)
    {
        await using var connection = await database.OpenAsync();
        var rows = await BoardRepository.ListAsync(connection, DateTimeOffset.UnixEpoch, CancellationToken.None);
        return rows.ToDictionary(r => r.ReferralId, StringComparer.Ordinal);
    }

    /// <summary>Scheduling's database for the provider under test: a SQLite file of the test, or a PostgreSQL database of its own.</summary>
    private async Task<DatabaseOptions> SchedulingDatabaseAsync(string provider)
    {
        if (provider == "postgres")
        {
            var name = await TestPostgres.CreateDatabaseAsync("irsuite_backfill");
            _postgresDatabases.Add(name);
            return new DatabaseOptions { Provider = "postgres", ConnectionString = TestPostgres.ConnectionString(name), Schema = SchedulingModule.ServiceName };
        }

        return new DatabaseOptions { ConnectionString = Path.Combine(_directory, "scheduling.db") };
    }

    /// <summary>The embedded suite on the manual clock, scheduling on <paramref name="database"/> (the other services in the suite's own directory).</summary>
    private Task<InProcessSuite> StartSuiteAsync(DatabaseOptions database) => InProcessSuite.StartAsync(_time, builder =>
    {
        var section = $"Databases:{SchedulingModule.ServiceName}";
        builder.Configuration[$"{section}:Provider"] = database.Provider;
        builder.Configuration[$"{section}:ConnectionString"] = database.ConnectionString;
        builder.Configuration[$"{section}:Schema"] = database.Schema;
    });

    private async Task<Referral> AcceptAsync(string mrn, string level, CommonV1.SedationMode sedation)
    {
        var referral = await _suite!.Channel.UnaryAsync(Submit, NewReferral(mrn, level));
        return await _suite.Channel.UnaryAsync(Consult, new RecordIrConsultRequest { ReferralId = referral.ReferralId, Accepted = true, ExpectedSedation = sedation });
    }

    /// <summary>The anaesthesia consultation: assessment, a sedation plan (deviating from the suggestion if need be), the clearance.</summary>
    private async Task ClearAsync(string referralId, CommonV1.SedationMode sedation, ClearanceDecision decision)
    {
        var channel = _suite!.Channel;
        await EventuallyAsync(() => channel.UnaryAsync(GetPlan, new GetPlanRequest { ReferralId = referralId }), _ => true);
        var assessed = await channel.UnaryAsync(Assess, new RecordAssessmentRequest
        {
            ReferralId = referralId,
            AsaClass = AsaClass.Iii,
            Comorbidities = { "heart failure" },
            Labs = new Labs { Inr = 1.1, PlateletsGPerL = 210, TakenAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddHours(-2)) },
            Anxiety = AnxietyLevel.Moderate,
            ProneTolerance = ProneTolerance.Tolerates,
        });
        var plan = new PlanSedationRequest { ReferralId = referralId, Mode = sedation };
        if (assessed.SuggestedSedation?.Mode != sedation)
        {
            plan.DeviationReason = "Patient preference after discussion";
        }

        await channel.UnaryAsync(PlanSedation, plan);
        await channel.UnaryAsync(SignClearance, new SignClearanceRequest { ReferralId = referralId, Decision = decision });
    }

    private Task<Appointment> BookAsync(string referralId, string room, DateTimeOffset start) =>
        _suite!.Channel.UnaryAsync(Book, new BookAppointmentRequest
        {
            ReferralId = referralId,
            Kind = AppointmentKind.Procedure,
            Start = Timestamp.FromDateTimeOffset(start),
            DurationMinutes = 60,
            Room = room,
            Admission = CommonV1.AdmissionType.Ambulatory,
        });

    /// <summary>Polls a read until the state another service's event brings is there (NOT_FOUND: not yet), within a bound.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + BoardApi.Timeout;
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value))
                {
                    return value;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // Not there yet: the event is still on its way.
            }

            Assert.True(DateTime.UtcNow < deadline, "The state an event brings did not arrive in time.");
            await Task.Delay(20);
        }
    }

    private static PatientProfile Local(string level) => new() { Levels = [level], Sedation = CommonV1.SedationMode.Local };

    private SubmitReferralRequest NewReferral(string mrn, string level) => new()
    {
        Patient = new PatientIdentity { FamilyName = "Backfill", GivenName = "Test", BirthDate = "1950-01-02", MedicalRecordNumber = mrn },
        Referrer = new Referrer { Name = "Dr Referrer" },
        Indication = Indication.OsteoporoticFracture,
        Levels = { level },
        Pregnancy = CommonV1.PregnancyStatus.NotApplicable,
        Imaging = { new ImagingStudy { Modality = ImagingModality.Mri, PerformedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(-2)) } },
    };
}
