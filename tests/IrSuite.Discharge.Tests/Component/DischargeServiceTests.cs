using Dapper;
using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.Data;
using IrSuite.Discharge.Domain;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Discharge.Tests.Component;

public sealed class DischargeServiceTests : DischargeComponentTest
{
    [Fact]
    public async Task Pathway_CompletedObservedDischarged_SummaryAndEventsRecorded()
    {
        var (referralId, patientId) = await OpenObservationAsync();

        var opened = await Host.GetStatusAsync(referralId);
        Assert.Equal(patientId.ToString(), opened.PatientId);
        Assert.Equal(Start, opened.StartedAt.ToDateTimeOffset());
        Assert.Equal(Start.AddHours(2), opened.MinimumUntil.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(2), opened.TimeLeft.ToTimeSpan());
        Assert.False(opened.MinimumElapsed);
        Assert.False(opened.CriteriaMet);
        Assert.Equal([DischargeCriteria.NoObservation], opened.UnmetCriteria);
        Assert.Equal(0, opened.ObservationCount);
        Assert.False(opened.Discharged);
        var started = await Host.Events.WaitForAsync<ObservationStarted>(e => e.ReferralId == referralId);
        Assert.Equal(patientId, started.PatientId);
        Assert.Equal(Start.AddHours(2), started.MinimumUntil);

        Clock.Advance(TimeSpan.FromMinutes(30));
        var observed = await Host.RecordObservationAsync(GoodObservation(referralId));
        Assert.True(observed.CriteriaMet);
        Assert.Empty(observed.UnmetCriteria);
        Assert.Equal(1, observed.ObservationCount);
        Assert.Equal(TimeSpan.FromMinutes(90), observed.TimeLeft.ToTimeSpan());

        Clock.Advance(TimeSpan.FromMinutes(95));
        var summary = await Host.DischargeAsync(HomeDischarge(referralId), TestIdentity.As("dr-42", Roles.Anesthesiologist));

        Assert.Equal(referralId.ToString(), summary.ReferralId);
        Assert.Equal(patientId.ToString(), summary.PatientId);
        Assert.Equal(Start.AddMinutes(125), summary.DischargedAt.ToDateTimeOffset());
        Assert.Equal(Destination.Home, summary.Destination);
        Assert.Equal(TimeSpan.FromMinutes(125), summary.Observation.ToTimeSpan());
        Assert.Equal(1, summary.ObservationCount);
        Assert.Equal("dr-42", summary.ClinicianId); // the signing token's subject
        Assert.Equal(["L1", "L2"], summary.Procedure.Levels);
        Assert.Equal(7.5, summary.Procedure.TotalCementMl);
        Assert.Equal(["HAEMATOMA"], summary.Procedure.Complications);
        Assert.Equal(Start, summary.Procedure.EndedAt.ToDateTimeOffset());
        Assert.Equal(DefaultInstructionTexts, summary.Instructions);
        Assert.Equal(1, Host.ProcedureRecord.Calls);

        Assert.Equal(summary, await Host.GetSummaryAsync(referralId));
        Assert.True((await Host.GetStatusAsync(referralId)).Discharged);
        var discharged = await Host.Events.WaitForAsync<PatientDischarged>(e => e.ReferralId == referralId);
        Assert.Equal("HOME", discharged.Destination);
        Assert.Equal(patientId, discharged.PatientId);
        Assert.Equal(Start.AddMinutes(125), discharged.OccurredAt);
        Assert.Equal(1, await Host.OutboxCountAsync(nameof(ObservationStarted)));
        Assert.Equal(1, await Host.OutboxCountAsync(nameof(PatientDischarged)));
    }

    [Fact]
    public async Task DischargePatient_AtOneHour59_RefusedMinimumNotElapsed_AtTwoHours_Allowed()
    {
        var (referralId, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(referralId));

        Clock.Advance(TimeSpan.FromMinutes(119));
        var refused = await AssertGateAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.ObservationMinimumNotElapsed);
        Assert.Contains("1 minute left", refused.Status.Detail, StringComparison.Ordinal);
        var early = await Host.GetStatusAsync(referralId);
        Assert.False(early.MinimumElapsed);
        Assert.Equal(TimeSpan.FromMinutes(1), early.TimeLeft.ToTimeSpan());
        Assert.Equal(0, Host.ProcedureRecord.Calls);

        Clock.Advance(TimeSpan.FromMinutes(1));
        var summary = await Host.DischargeAsync(HomeDischarge(referralId));

        Assert.Equal(TimeSpan.FromHours(2), summary.Observation.ToTimeSpan());
    }

    [Fact]
    public async Task GetObservationStatus_MinimumPassedBeforeTheTimerFired_ElapsedFromTheClock()
    {
        var (referralId, _) = await OpenObservationAsync();

        Clock.Advance(TimeSpan.FromHours(2));
        var status = await Host.GetStatusAsync(referralId);

        Assert.True(status.MinimumElapsed);
        Assert.Equal(TimeSpan.Zero, status.TimeLeft.ToTimeSpan());
        Assert.Equal(0, await Host.OutboxCountAsync(nameof(ObservationMinimumElapsed)));
    }

    [Fact]
    public async Task DischargePatient_Twice_SecondRefusedAlreadyDischarged_AndNoMoreRounds()
    {
        var (referralId, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromHours(2));
        await Host.DischargeAsync(HomeDischarge(referralId));

        await AssertGateAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.AlreadyDischarged);
        await AssertGateAsync(Host.RecordObservationAsync(GoodObservation(referralId)), DischargeRules.AlreadyDischarged);

        Assert.Equal(1, (await Host.GetStatusAsync(referralId)).ObservationCount);
        Assert.Equal(1, await Host.OutboxCountAsync(nameof(PatientDischarged)));
    }

    [Fact]
    public async Task DischargePatient_NoObservationRound_RefusedCriteriaNotMet()
    {
        var (referralId, _) = await OpenObservationAsync();
        Clock.Advance(TimeSpan.FromHours(2));

        var refused = await AssertGateAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.DischargeCriteriaNotMet);

        Assert.Contains(DischargeCriteria.NoObservation, refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DischargePatient_LastRoundInPainWithLegDeficit_RefusedNamingTheCriteria()
    {
        var (referralId, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(referralId));
        var worse = GoodObservation(referralId);
        worse.PainScore = 7;
        worse.LegsNeuroNormal = false;
        var status = await Host.RecordObservationAsync(worse);
        Assert.False(status.CriteriaMet);
        Assert.Equal([DischargeCriteria.PainControlled, DischargeCriteria.LegsNeuroNormal], status.UnmetCriteria);
        Clock.Advance(TimeSpan.FromHours(3));

        var refused = await AssertGateAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.DischargeCriteriaNotMet);

        Assert.Contains(DischargeCriteria.PainControlled, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(DischargeCriteria.LegsNeuroNormal, refused.Status.Detail, StringComparison.Ordinal);
        // The leg deficit also opened an escalation: going home is refused for both reasons at once.
        Assert.Equal(
            [DischargeRules.DischargeCriteriaNotMet, DischargeRules.EscalationOpen],
            refused.GetDetail<Google.Rpc.PreconditionFailure>()!.Violations.Select(v => v.Subject));
    }

    [Fact]
    public async Task DischargePatient_HomeWithoutEscort_RefusedEscortRequired_WardAllowed()
    {
        var (referralId, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromHours(2));
        var request = HomeDischarge(referralId);
        request.EscortPresent = false;

        await AssertGateAsync(Host.DischargeAsync(request), DischargeRules.EscortRequired);

        request.Destination = Destination.Ward;
        var summary = await Host.DischargeAsync(request);
        Assert.Equal(Destination.Ward, summary.Destination);
        var discharged = await Host.Events.WaitForAsync<PatientDischarged>(e => e.ReferralId == referralId);
        Assert.Equal("WARD", discharged.Destination);
    }

    [Fact]
    public async Task DischargePatient_NoDestinationOrClinician_InvalidArgumentNamingTheField()
    {
        var (referralId, _) = await OpenObservationAsync();
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromHours(2));

        var noDestination = HomeDischarge(referralId);
        noDestination.Destination = Destination.Unspecified;
        Assert.Equal(["destination"], await AssertInvalidAsync(Host.DischargeAsync(noDestination)));

        var unknownDestination = HomeDischarge(referralId);
        unknownDestination.Destination = (Destination)42;
        Assert.Equal(["destination"], await AssertInvalidAsync(Host.DischargeAsync(unknownDestination)));

        // The discharging clinician is the caller: a nurse's token may not sign the discharge.
        var byNurse = await Assert.ThrowsAsync<RpcException>(() => Host.DischargeAsync(HomeDischarge(referralId), TestIdentity.As("nurse-3", Roles.Nurse)));
        Assert.Equal(StatusCode.PermissionDenied, byNurse.StatusCode);

        Assert.False((await Host.GetStatusAsync(referralId)).Discharged);
    }

    [Fact]
    public async Task DischargePatient_ProcedureRecordUnreachable_UnavailableAndNothingWritten()
    {
        var host = await StartHostAsync(procedureRecordReachable: false, database: "unreachable");
        var (referralId, _) = await OpenObservationAsync(host);
        await host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromHours(2));

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.DischargeAsync(HomeDischarge(referralId)));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.False((await host.GetStatusAsync(referralId)).Discharged);
        await AssertNotFoundAsync(host.GetSummaryAsync(referralId));
        Assert.Equal(0, await host.OutboxCountAsync(nameof(PatientDischarged)));
        await using var connection = await host.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT version FROM observation WHERE referral_id = @id", new { id = referralId.ToString() }));
    }

    [Fact]
    public async Task DischargePatient_ProcedureRecordHasNoCase_RefusedProcedureRecordMissing()
    {
        var (referralId, _) = await OpenObservationAsync();
        Host.ProcedureRecord.Cases.Clear();
        await Host.RecordObservationAsync(GoodObservation(referralId));
        Clock.Advance(TimeSpan.FromHours(2));

        await AssertGateAsync(Host.DischargeAsync(HomeDischarge(referralId)), Grpc.ProcedureRecordClient.ProcedureRecordMissing);

        Assert.False((await Host.GetStatusAsync(referralId)).Discharged);
    }

    [Fact]
    public async Task RecordObservation_MissingVitals_InvalidArgument()
    {
        var (referralId, _) = await OpenObservationAsync();
        var request = GoodObservation(referralId);
        request.Vitals = null;

        Assert.Equal(["vitals"], await AssertInvalidAsync(Host.RecordObservationAsync(request)));
    }

    [Fact]
    public async Task RecordObservation_EveryMeasurementOutOfRange_InvalidArgumentNamingEachField()
    {
        var (referralId, _) = await OpenObservationAsync();
        var request = new RecordObservationRequest
        {
            ReferralId = referralId.ToString(),
            Vitals = new Vitals { HeartRate = 19, SystolicBp = 301, DiastolicBp = 19, Spo2 = 101, RespiratoryRate = 3, TemperatureC = 45.1 },
            PainScore = 11,
        };

        var fields = await AssertInvalidAsync(Host.RecordObservationAsync(request));

        Assert.Equal(
            ["vitals.heart_rate", "vitals.systolic_bp", "vitals.diastolic_bp", "vitals.spo2", "vitals.respiratory_rate", "vitals.temperature_c", "pain_score"],
            fields);
        Assert.Equal(0, (await Host.GetStatusAsync(referralId)).ObservationCount);
    }

    [Fact]
    public async Task RecordObservation_MeasurementsAtTheirLimits_Accepted()
    {
        var (referralId, _) = await OpenObservationAsync();
        var low = new RecordObservationRequest
        {
            ReferralId = referralId.ToString(),
            Vitals = new Vitals { HeartRate = 20, SystolicBp = 50, DiastolicBp = 20, Spo2 = 50, RespiratoryRate = 4, TemperatureC = 30 },
            PainScore = 0,
        };
        var high = new RecordObservationRequest
        {
            ReferralId = referralId.ToString(),
            Vitals = new Vitals { HeartRate = 250, SystolicBp = 300, DiastolicBp = 200, Spo2 = 100, RespiratoryRate = 60, TemperatureC = 45 },
            PainScore = 10,
        };

        await Host.RecordObservationAsync(low);
        var status = await Host.RecordObservationAsync(high);

        Assert.Equal(2, status.ObservationCount);
        Assert.Contains(DischargeCriteria.VitalsStable, status.UnmetCriteria);
    }

    [Fact]
    public async Task Requests_BadReferralId_InvalidArgumentNamingReferralId()
    {
        var record = GoodObservation(Guid.NewGuid());
        record.ReferralId = "not-a-uuid";

        Assert.Equal(["referral_id"], await AssertInvalidAsync(Host.RecordObservationAsync(record)));
        Assert.Equal(["referral_id"], await AssertInvalidAsync(
            Host.CallAsync<GetObservationStatusRequest, ObservationStatus>("GetObservationStatus", new GetObservationStatusRequest())));
        Assert.Equal(["referral_id"], await AssertInvalidAsync(Host.DischargeAsync(new DischargePatientRequest { ReferralId = "x" })));
        Assert.Equal(["referral_id"], await AssertInvalidAsync(
            Host.CallAsync<GetDischargeSummaryRequest, DischargeSummary>("GetDischargeSummary", new GetDischargeSummaryRequest { ReferralId = Guid.Empty.ToString() })));
    }

    [Fact]
    public async Task Requests_UnknownReferral_NotFound()
    {
        var unknown = Guid.NewGuid();

        await AssertNotFoundAsync(Host.GetStatusAsync(unknown));
        await AssertNotFoundAsync(Host.RecordObservationAsync(GoodObservation(unknown)));
        await AssertNotFoundAsync(Host.DischargeAsync(HomeDischarge(unknown)));
        await AssertNotFoundAsync(Host.GetSummaryAsync(unknown));
    }

    [Fact]
    public async Task GetDischargeSummary_ObservationNotDischargedYet_NotFound()
    {
        var (referralId, _) = await OpenObservationAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.GetSummaryAsync(referralId));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal("DischargeSummary", ex.GetDetail<Google.Rpc.ResourceInfo>()?.ResourceType);
    }

    [Fact]
    public async Task ProcedureCompleted_RedeliveredAndCompletedAgain_OneObservationOneEventOneTimer()
    {
        var referralId = Guid.NewGuid();
        var patientId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        await Host.CompleteProcedureAsync(Completed(referralId, patientId, Start), messageId);

        // The same message redelivered, then a duplicate status message (new id) with another end time.
        await Host.CompleteProcedureAsync(Completed(referralId, patientId, Start), messageId);
        await Host.CompleteProcedureAsync(Completed(referralId, patientId, Start.AddMinutes(20)));

        var status = await Host.GetStatusAsync(referralId);
        Assert.Equal(Start, status.StartedAt.ToDateTimeOffset());
        Assert.Equal(1, await Host.OutboxCountAsync(nameof(ObservationStarted)));
        await using var connection = await Host.Database.OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM observation"));
        Assert.Equal(
            $"observation-minimum:{referralId}",
            await connection.ExecuteScalarAsync<string>("SELECT timer_id FROM due_timer WHERE kind = 'observation-minimum'"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM inbox_message"));
    }

    [Fact]
    public async Task SaveRound_StaleVersion_AbortedAndNothingWritten()
    {
        var (referralId, _) = await OpenObservationAsync();
        var repository = Host.Services.GetRequiredService<DischargeRepository>();
        var loaded = (await repository.FindAsync(referralId, CancellationToken.None))!;
        var round = new ObservationRound(new VitalSigns(70, 120, 80, 98, 14, 36.7), 1, true, true, Clock.GetUtcNow());
        await repository.SaveRoundAsync(loaded.Record(round), CancellationToken.None);

        // A second writer that loaded the same version loses.
        var ex = await Assert.ThrowsAsync<RpcException>(() => repository.SaveRoundAsync(loaded.Record(round), CancellationToken.None));

        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal(1, (await Host.GetStatusAsync(referralId)).ObservationCount);
    }
}
