using System.Data.Common;
using IrSuite.Contracts.Discharge;
using IrSuite.Contracts.Scheduling;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Observability;

namespace IrSuite.Scheduling.Messaging;

/// <summary>
/// Discharge: timeline entry and status, then what discharge sets off (DOMAIN.md, seeds): the 1-month follow-up with a
/// control X-ray, and, when osteoporosis is suspected for an osteoporotic fracture, the fracture-liaison / rheumatology
/// referral (IOF Capture the Fracture). The inbox runs this once per message; the follow-up and the task are also
/// created only when absent, so a second discharge event for the same referral never double-books.
/// </summary>
public sealed class PatientDischargedConsumer(SchedulingDatabase database, TimeProvider time, OutboxWriter outbox, SiteProtocol protocol)
    : PathwayEventConsumer<PatientDischarged>(database, time)
{
    protected override string Source => "discharge";

    protected override ReferralStatus? ImpliedStatus => ReferralStatus.Discharged;

    protected override (Guid, DateTimeOffset, string) Describe(PatientDischarged m) => (m.ReferralId, m.OccurredAt, $"to {m.Destination}");

    protected override BoardEntryState Project(PatientDischarged message, BoardEntryState entry) => entry with
    {
        Stage = (long)IrSuite.Board.V1.BoardStage.Discharged,
        DischargedMs = message.OccurredAt.ToUnixTimeMilliseconds(),
        Destination = message.Destination,
        NextCheckDueMs = null,
    };

    private double? _hoursSinceReferral;

    protected override void OnApplied(PatientDischarged message)
    {
        if (_hoursSinceReferral is { } hours)
        {
            ClinicalMetrics.TimeToDischarge.Record(hours, ClinicalMetrics.Tag("admission", message.Admission));
        }
    }

    protected override async Task HandleAsync(PatientDischarged message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await base.HandleAsync(message, connection, transaction, cancellationToken);
        var referral = await SchedulingRepository.FindReferralAsync(connection, transaction, message.ReferralId);
        if (referral is null)
        {
            return;
        }

        _hoursSinceReferral = Math.Max(0, (message.OccurredAt - referral.SubmittedAt).TotalHours);

        var now = Time.GetUtcNow();
        var version = protocol.AppliedVersion;
        if (await SchedulingRepository.FindActiveAppointmentAsync(connection, transaction, message.ReferralId, AppointmentKind.FollowUp) is null)
        {
            var start = FollowUpPlanner.FollowUpStart(message.OccurredAt, protocol.Scheduling);
            var appointmentId = Guid.NewGuid();
            var startMs = start.ToUnixTimeMilliseconds();
            var endMs = startMs + (protocol.Scheduling.FollowUpDurationMinutes * 60_000L);
            await SchedulingRepository.InsertAppointmentAsync(connection, transaction, new AppointmentRow
            {
                AppointmentId = appointmentId.ToString(),
                ReferralId = referral.ReferralId,
                Kind = (int)AppointmentKind.FollowUp,
                StartAt = start,
                StartMs = startMs,
                EndMs = endMs,
                BedUntilMs = endMs,
                DurationMinutes = protocol.Scheduling.FollowUpDurationMinutes,
                ProtocolVersion = version,
                WithXray = 1,
            });
            await outbox.AddAsync(connection, transaction, new FollowUpBooked(message.ReferralId, message.PatientId, start, now) { WithXRay = true }, message.ReferralId);
            await SchedulingRepository.AddTimelineAsync(connection, transaction, appointmentId.ToString(), message.ReferralId, now, "FollowUpBooked", SchedulingModule.ServiceName,
                $"follow-up with X-ray {start.UtcDateTime:yyyy-MM-dd}");
        }

        var submitted = Google.Protobuf.JsonParser.Default.Parse<SubmitReferralRequest>(referral.Details);
        if (FollowUpPlanner.NeedsFractureLiaison((Indication)referral.Indication, referral.OsteoporosisSuspected != 0))
        {
            var fractureAt = FollowUpPlanner.FractureDate(
                submitted.Imaging.Where(i => i.PerformedAt is not null).Select(i => i.PerformedAt.ToDateTimeOffset()), referral.SubmittedAt);
            var due = FollowUpPlanner.FractureLiaisonDue(fractureAt, protocol.Scheduling);
            var created = await SchedulingRepository.InsertFractureLiaisonAsync(connection, transaction, new FractureLiaisonRow
            {
                ReferralId = referral.ReferralId,
                FractureAt = fractureAt,
                DueBy = due,
                CreatedAt = now,
                ProtocolVersion = version,
            });
            if (created)
            {
                await outbox.AddAsync(connection, transaction, new FractureLiaisonReferralRequested(message.ReferralId, message.PatientId, fractureAt, due, now) { ProtocolVersion = version }, message.ReferralId);
                await SchedulingRepository.AddTimelineAsync(connection, transaction, "FractureLiaisonReferralRequested:" + referral.ReferralId, message.ReferralId, now,
                    nameof(FractureLiaisonReferralRequested), SchedulingModule.ServiceName, $"assessment due by {due.UtcDateTime:yyyy-MM-dd}");
            }
        }
    }
}
