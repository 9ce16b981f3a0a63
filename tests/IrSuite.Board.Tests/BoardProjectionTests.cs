using Google.Protobuf.WellKnownTypes;
using IrSuite.Board.V1;
using IrSuite.Contracts.Procedure;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Board.Tests;

/// <summary>
/// The board projection for each stage, as the pathway is driven through the services' gRPC APIs (and their events)
/// on the embedded suite with a manual clock: what the board shows at every step, read with GetBoard.
/// </summary>
public sealed class BoardProjectionTests : IAsyncLifetime
{
    private static readonly Method<SubmitReferralRequest, Referral> Submit = Method<SubmitReferralRequest, Referral>.Create(SchedulingReflection.Descriptor.Services[0], "SubmitReferral");
    private static readonly Method<RecordIrConsultRequest, Referral> Consult = Method<RecordIrConsultRequest, Referral>.Create(SchedulingReflection.Descriptor.Services[0], "RecordIrConsult");
    private static readonly Method<ResolveEscalationRequest, ObservationStatus> Resolve = Method<ResolveEscalationRequest, ObservationStatus>.Create(DischargeReflection.Descriptor.Services[0], "ResolveEscalation");

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync() => _suite = await InProcessSuite.StartAsync(_time);

    public async Task DisposeAsync() => await _suite.DisposeAsync();

    [Fact]
    public async Task Projection_ReferralAndIrConsult_ReferredThenAwaitingClearanceOrOffTheBoard()
    {
        var channel = _suite.Channel;
        var accepted = await channel.UnaryAsync(Submit, NewReferral("MRN-BOARD-1"));
        var declined = await channel.UnaryAsync(Submit, NewReferral("MRN-BOARD-2"));

        var referred = await BoardApi.EntryAsync(channel, accepted.ReferralId, _ => true);
        Assert.Equal(BoardStage.Referred, referred.Stage);
        Assert.Equal(accepted.PatientId, referred.PatientId);
        Assert.Equal(["L4"], referred.Levels);

        await channel.UnaryAsync(Consult, new RecordIrConsultRequest { ReferralId = accepted.ReferralId, Accepted = true, ExpectedSedation = CommonV1.SedationMode.ConsciousSedation });
        await channel.UnaryAsync(Consult, new RecordIrConsultRequest { ReferralId = declined.ReferralId, Accepted = false, DeclineReason = "Not indicated" });

        var board = await BoardApi.ReadAsync(channel);
        var awaiting = Assert.Single(board.Entries);
        Assert.Equal(accepted.ReferralId, awaiting.ReferralId);
        Assert.Equal(BoardStage.AwaitingClearance, awaiting.Stage);
        Assert.Equal(CommonV1.SedationMode.ConsciousSedation, awaiting.Sedation);
    }

    [Fact]
    public async Task Projection_PathwayFromClearanceToDischarge_EachStageWithWhatTheRecoveryNurseNeeds()
    {
        var channel = _suite.Channel;
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(channel), _time)
        {
            AdvanceClock = by =>
            {
                _time.Advance(by);
                return Task.CompletedTask;
            },
        };
        var prepared = await walker.PrepareAsync(1, new PatientProfile { Levels = ["T12", "L1"], Sedation = CommonV1.SedationMode.LocalWithSedation });
        var id = prepared.Referral.ReferralId;

        // Cleared (ClearanceSigned consumed): ready to schedule.
        var ready = await BoardApi.EntryAsync(channel, id, e => e.Stage == BoardStage.ReadyToSchedule);
        Assert.Equal("FIT", ready.Clearance);
        Assert.Equal(CommonV1.SedationMode.LocalWithSedation, ready.Sedation);

        // Booked: room, recovery bed and start.
        var start = walker.DefaultSlot(1);
        var appointment = await walker.BookProcedureAsync(prepared, start);
        var scheduled = await BoardApi.EntryAsync(channel, id, _ => true);
        Assert.Equal(BoardStage.Scheduled, scheduled.Stage);
        Assert.Equal("IR-1", scheduled.Slot.Room);
        Assert.Equal(appointment.RecoveryBed, scheduled.Slot.RecoveryBed);
        Assert.Equal(start, scheduled.Slot.Start.ToDateTimeOffset());
        Assert.Equal(CommonV1.AdmissionType.Ambulatory, scheduled.Admission);

        // The time-out (ProcedureStarted from procedure-record): in the room.
        _time.Advance(start - _time.GetUtcNow());
        await _suite.Services.GetRequiredService<IBus>().Publish(
            new ProcedureStarted(Guid.Parse(id), Guid.Parse(prepared.Referral.PatientId), ["T12", "L1"], _time.GetUtcNow()));
        var inRoom = await BoardApi.EntryAsync(channel, id, e => e.Stage == BoardStage.InRoom);
        Assert.Equal(start, inRoom.Procedure.StartedAt.ToDateTimeOffset());

        // Completed: the observation opens, with the 2 h mark and the first check due.
        await walker.PerformProcedureAsync(prepared, start);
        var observed = await BoardApi.EntryAsync(channel, id, e => e.Stage == BoardStage.InObservation && e.Observation?.MinimumUntil is not null);
        var observationStart = observed.Observation.StartedAt.ToDateTimeOffset();
        Assert.Equal(observationStart.AddHours(2), observed.Observation.MinimumUntil.ToDateTimeOffset());
        Assert.Equal(observationStart.AddMinutes(15), observed.Observation.NextCheckDue.ToDateTimeOffset());
        Assert.False(observed.Observation.CheckOverdue);
        Assert.Equal("COMPLETED", observed.Procedure.Outcome);
        Assert.Equal(start, observed.Procedure.StartedAt.ToDateTimeOffset());

        // The first check missed past its grace (5 min): overdue, computed against the server's clock.
        _time.Advance(observationStart.AddMinutes(21) - _time.GetUtcNow());
        var overdue = await BoardApi.EntryAsync(channel, id, _ => true);
        Assert.True(overdue.Observation.CheckOverdue);

        // A round (ObservationRoundRecorded): scores, count, the next check; no longer overdue.
        await walker.RecordGoodObservationAsync(id);
        var checkedOnce = await BoardApi.EntryAsync(channel, id, e => e.Observation.CheckCount == 1);
        Assert.False(checkedOnce.Observation.CheckOverdue);
        Assert.Equal(10, checkedOnce.Observation.Aldrete);
        Assert.Equal(10, checkedOnce.Observation.Padss);
        Assert.Equal(_time.GetUtcNow(), checkedOnce.Observation.LastCheckAt.ToDateTimeOffset());
        Assert.True(checkedOnce.Observation.NextCheckDue.ToDateTimeOffset() > _time.GetUtcNow());

        // A new neurological deficit (EscalationRaised) opens the escalation; the physician's review (EscalationResolved) closes it.
        await walker.RecordGoodObservationAsync(id, legsNeuroNormal: false);
        var escalated = await BoardApi.EntryAsync(channel, id, e => e.Escalation?.Open == true);
        Assert.Equal("NEW_NEUROLOGICAL_DEFICIT", escalated.Escalation.Reason);
        using var radiologist = _suite.ChannelAs("radiologist-1", Roles.Radiologist);
        await radiologist.UnaryAsync(Resolve, new ResolveEscalationRequest { ReferralId = id, Outcome = EscalationOutcome.NoDeficit, RequestId = Guid.NewGuid().ToString() });
        var resolved = await BoardApi.EntryAsync(channel, id, e => e.Escalation?.Open == false);
        Assert.Equal("NEW_NEUROLOGICAL_DEFICIT", resolved.Escalation.Reason);
        await walker.RecordGoodObservationAsync(id);

        // The 2 h mark (the durable timer, ObservationMinimumElapsed): ready for discharge.
        _time.Advance(observationStart.AddHours(2) - _time.GetUtcNow());
        var readyToLeave = await BoardApi.EntryAsync(channel, id, e => e.Stage == BoardStage.ReadyForDischarge);
        Assert.True(readyToLeave.Observation.MinimumElapsed);

        // Discharged (PatientDischarged): kept on the board for the rest of the day, gone the next.
        await walker.DischargeAsync(id, Destination.Home);
        var discharged = await BoardApi.EntryAsync(channel, id, e => e.Stage == BoardStage.Discharged);
        Assert.Equal("HOME", discharged.DischargeDestination);
        Assert.Equal(_time.GetUtcNow(), discharged.DischargedAt.ToDateTimeOffset());
        Assert.False(discharged.Observation.CheckOverdue);

        _time.Advance(TimeSpan.FromDays(1));
        Assert.DoesNotContain((await BoardApi.ReadAsync(channel)).Entries, e => e.ReferralId == id);
    }

    private SubmitReferralRequest NewReferral(string mrn) => new()
    {
        Patient = new PatientIdentity { FamilyName = "Board", GivenName = "Test", BirthDate = "1950-01-02", MedicalRecordNumber = mrn },
        Referrer = new Referrer { Name = "Dr Referrer" },
        Indication = Indication.OsteoporoticFracture,
        Levels = { "L4" },
        Pregnancy = CommonV1.PregnancyStatus.NotApplicable,
        Imaging = { new ImagingStudy { Modality = ImagingModality.Mri, PerformedAt = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(-2)) } },
    };
}
