using System.Globalization;
using IrSuite.Contracts.Procedure;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Domain;

namespace IrSuite.Scheduling.Messaging;

/// <summary>Timeline: a skin follow-up is due after a substantial dose (NCRP 168: reference air kerma above 5 Gy).</summary>
public sealed class SkinDoseFollowUpRequiredConsumer(SchedulingDatabase database, TimeProvider time) : PathwayEventConsumer<SkinDoseFollowUpRequired>(database, time)
{
    protected override string Source => "procedure-record";

    protected override (Guid, DateTimeOffset, string) Describe(SkinDoseFollowUpRequired m) =>
        (m.ReferralId, m.OccurredAt, string.Create(CultureInfo.InvariantCulture, $"SKIN_DOSE_FOLLOW_UP: air kerma {m.ReferenceAirKermaMgy:0} mGy, skin check by {m.DueBy.UtcDateTime:yyyy-MM-dd}"));

    protected override BoardEntryState Project(SkinDoseFollowUpRequired message, BoardEntryState entry) => entry with { SkinDoseFollowUp = 1 };
}
