using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Data;
using Microsoft.Extensions.Logging.Abstractions;

namespace IrSuite.AnesthesiaConsultation.Tests.Data;

public sealed class AnesthesiaCaseRepositoryTests : IAsyncLifetime
{
    private static readonly SiteProtocol Protocol = new();
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("irsuite-anesthesia-data-").FullName;
    private AnesthesiaConsultationDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = new AnesthesiaConsultationDatabase(new DatabaseOptions { ConnectionString = Path.Combine(_directory, "anesthesia.db") });
        await new Migrator(NullLogger<Migrator>.Instance).MigrateAsync(_database);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task InsertIfAbsent_SameReferralTwice_KeepsTheFirstCase()
    {
        var first = AnesthesiaCase.Open(Guid.NewGuid(), Guid.NewGuid(), SedationMode.General, Now);
        var second = first with { PatientId = Guid.NewGuid(), ExpectedSedation = SedationMode.Local };

        var inserted = await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, first));
        var insertedAgain = await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, second));

        Assert.True(inserted);
        Assert.False(insertedAgain);
        var stored = await FindAsync(first.ReferralId);
        Assert.Equal(first.PatientId, stored!.PatientId);
        Assert.Equal(SedationMode.General, stored.ExpectedSedation);
        Assert.Equal(1, stored.Version);
    }

    [Fact]
    public async Task Update_SignedCase_RoundTripsEveryField()
    {
        var opened = AnesthesiaCase.Open(Guid.NewGuid(), Guid.NewGuid(), SedationMode.ConsciousSedation, Now);
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, opened));
        var assessment = new Assessment(
            AsaClass.IV,
            true,
            ["I10", "N18.4"],
            ["chlorhexidine"],
            [
                new MedicationInstruction("apixaban", MedicationKind.Anticoagulant, "5 mg bid", MedicationAction.Stop, Now.AddDays(3)),
                new MedicationInstruction("paracetamol", MedicationKind.Other, "", MedicationAction.Continue, null),
            ],
            new Labs(1.35, 48.5, Now.AddHours(-3)),
            Now.AddMinutes(5));
        var signed = opened.RecordAssessment(assessment, Protocol)
            .PlanSedation(new SedationPlan(SedationMode.General, "anaesthesiologist choice", [], null), Protocol)
            .SignClearance(new Clearance(ClearanceDecision.FitWithConditions, ["platelets >= 50 on the day"], "anesthesiologist-7", Now.AddMinutes(30)), Protocol);

        var saved = await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.UpdateAsync(c, t, signed));

        Assert.Equal(2, saved!.Version);
        var stored = await FindAsync(opened.ReferralId);
        Assert.NotNull(stored);
        Assert.Equal(CaseStatus.Cleared, stored.Status);
        Assert.Equal(opened.PatientId, stored.PatientId);
        Assert.Equal(SedationMode.ConsciousSedation, stored.ExpectedSedation);
        Assert.Equal(SedationMode.General, stored.Sedation);
        Assert.Equal(Now, stored.OpenedAt);
        Assert.Equal(2, stored.Version);
        var storedAssessment = stored.Assessment!;
        Assert.Equal(AsaClass.IV, storedAssessment.AsaClass);
        Assert.True(storedAssessment.Emergency);
        Assert.Equal(["I10", "N18.4"], storedAssessment.Comorbidities);
        Assert.Equal(["chlorhexidine"], storedAssessment.Allergies);
        Assert.Equal(assessment.MedicationPlan, storedAssessment.MedicationPlan);
        Assert.Equal(assessment.Labs, storedAssessment.Labs);
        Assert.Equal(Now.AddMinutes(5), storedAssessment.AssessedAt);
        var clearance = stored.Clearance!;
        Assert.Equal(ClearanceDecision.FitWithConditions, clearance.Decision);
        Assert.Equal(["platelets >= 50 on the day"], clearance.Conditions);
        Assert.Equal("anesthesiologist-7", clearance.AnesthesiologistId);
        Assert.Equal(Now.AddMinutes(30), clearance.SignedAt);
    }

    [Fact]
    public async Task Update_StaleVersion_ChangesNothing()
    {
        var opened = AnesthesiaCase.Open(Guid.NewGuid(), Guid.NewGuid(), SedationMode.Local, Now);
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, opened));
        var first = opened.RecordAssessment(new Assessment(AsaClass.I, false, [], [], [], null, Now), Protocol);
        var concurrent = opened.RecordAssessment(new Assessment(AsaClass.III, false, [], [], [], null, Now), Protocol);
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.UpdateAsync(c, t, first));

        var lost = await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.UpdateAsync(c, t, concurrent));

        Assert.Null(lost);
        var stored = await FindAsync(opened.ReferralId);
        Assert.Equal(AsaClass.I, stored!.Assessment!.AsaClass);
        Assert.Null(stored.Assessment.Labs);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task Update_ClinicalRuleFields_RoundTrip()
    {
        var opened = AnesthesiaCase.Open(Guid.NewGuid(), Guid.NewGuid(), ["T12", "L1"], SedationMode.General, "v-test#abc", Now);
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, opened));
        var assessment = new Assessment(AsaClass.II, false, [], ["penicillin"], [], null, Now, AnxietyLevel.Severe, ProneTolerance.Limited);
        var premedication = new Premedication("hydroxyzine", "25 mg", PremedicationTiming.BeforeProcedure, "60 min before");
        var changed = opened.RecordAssessment(assessment, Protocol)
            .PlanSedation(new SedationPlan(SedationMode.General, "patient request", [premedication], "clindamycin 600 mg IV"), Protocol)
            .SignClearance(new Clearance(ClearanceDecision.Fit, [], "anesthesiologist-7", Now.AddMinutes(30)), Protocol)
            .RecordPreAnestheticVisit(new PreAnestheticVisit(Now.AddHours(1), "anesthesiologist-8"), Protocol);

        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.UpdateAsync(c, t, changed));

        var stored = (await FindAsync(opened.ReferralId))!;
        Assert.Equal(["T12", "L1"], stored.Levels);
        Assert.Equal("v-test#abc", stored.ProtocolVersion);
        Assert.Equal(AnxietyLevel.Severe, stored.Assessment!.Anxiety);
        Assert.Equal(ProneTolerance.Limited, stored.Assessment.ProneTolerance);
        Assert.Equal("patient request", stored.DeviationReason);
        Assert.Equal([premedication], stored.Premedication);
        Assert.Equal("clindamycin 600 mg IV", stored.AntibioticProphylaxis);
        Assert.Equal(new PreAnestheticVisit(Now.AddHours(1), "anesthesiologist-8"), stored.Visit);
        Assert.Null(stored.SlotStart);
    }

    [Fact]
    public async Task SetSlot_BookedThenCancelled_StoresThenClearsTheSlotAndBumpsTheVersion()
    {
        var opened = AnesthesiaCase.Open(Guid.NewGuid(), Guid.NewGuid(), SedationMode.General, Now);
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, opened));

        var booked = await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.SetSlotAsync(c, t, opened.ReferralId, Now.AddDays(3), SedationMode.General, Now));
        var afterBooking = (await FindAsync(opened.ReferralId))!;
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.SetSlotAsync(c, t, opened.ReferralId, null, SedationMode.None, Now.AddMinutes(1)));
        var afterCancel = (await FindAsync(opened.ReferralId))!;
        var unknown = await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.SetSlotAsync(c, t, Guid.NewGuid(), Now, SedationMode.Local, Now));

        Assert.Equal(SlotChange.Applied, booked);
        Assert.Equal(Now.AddDays(3), afterBooking.SlotStart);
        Assert.Equal(SedationMode.General, afterBooking.SlotSedation);
        Assert.Equal(2, afterBooking.Version);
        Assert.Null(afterCancel.SlotStart);
        Assert.Equal(SedationMode.None, afterCancel.SlotSedation);
        Assert.Equal(3, afterCancel.Version);
        Assert.Equal(SlotChange.NoCase, unknown);
    }

    [Fact]
    public async Task SetSlot_EventOlderThanTheSlot_ChangesNothing()
    {
        var opened = AnesthesiaCase.Open(Guid.NewGuid(), Guid.NewGuid(), SedationMode.General, Now);
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, opened));
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.SetSlotAsync(c, t, opened.ReferralId, Now.AddDays(3), SedationMode.General, Now.AddMinutes(10)));

        var lateCancel = await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.SetSlotAsync(c, t, opened.ReferralId, null, SedationMode.None, Now.AddMinutes(5)));

        Assert.Equal(SlotChange.Stale, lateCancel);
        var stored = (await FindAsync(opened.ReferralId))!;
        Assert.Equal(Now.AddDays(3), stored.SlotStart);
        Assert.Equal(2, stored.Version);
    }

    [Fact]
    public async Task Update_ChangedCase_LeavesTheSlotAlone()
    {
        var opened = AnesthesiaCase.Open(Guid.NewGuid(), Guid.NewGuid(), SedationMode.General, Now);
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.InsertIfAbsentAsync(c, t, opened));
        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.SetSlotAsync(c, t, opened.ReferralId, Now.AddDays(3), SedationMode.General, Now));
        var read = (await FindAsync(opened.ReferralId))!;

        await _database.InTransactionAsync((c, t) => AnesthesiaCaseRepository.UpdateAsync(c, t, read.RecordAssessment(new Assessment(AsaClass.I, false, [], [], [], null, Now), Protocol) with { SlotStart = null }));

        Assert.Equal(Now.AddDays(3), (await FindAsync(opened.ReferralId))!.SlotStart);
    }

    [Fact]
    public async Task Find_UnknownReferral_ReturnsNull()
    {
        Assert.Null(await FindAsync(Guid.NewGuid()));
    }

    private async Task<AnesthesiaCase?> FindAsync(Guid referralId)
    {
        await using var connection = await _database.OpenAsync();
        return await AnesthesiaCaseRepository.FindAsync(connection, null, referralId);
    }
}
