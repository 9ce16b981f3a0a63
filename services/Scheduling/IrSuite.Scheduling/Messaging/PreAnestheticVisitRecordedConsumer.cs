using IrSuite.Contracts.Anesthesia;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;

namespace IrSuite.Scheduling.Messaging;

/// <summary>Timeline: the pre-anaesthetic visit within 24 h before the procedure (CSP D6124-92).</summary>
public sealed class PreAnestheticVisitRecordedConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<PreAnestheticVisitRecorded>(database, time)
{
    protected override string Source => "anesthesia-consultation";

    protected override (Guid, DateTimeOffset, string) Describe(PreAnestheticVisitRecorded m) =>
        (m.ReferralId, m.VisitedAt, $"PRE_ANESTHETIC_VISIT at {m.VisitedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

    protected override BoardEntryState Project(PreAnestheticVisitRecorded message, BoardEntryState entry) => entry with { PreAnestheticVisit = 1 };
}
