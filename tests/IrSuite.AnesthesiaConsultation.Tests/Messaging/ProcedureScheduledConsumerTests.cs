using Google.Protobuf.WellKnownTypes;
using IrSuite.AnesthesiaConsultation.Tests.Infrastructure;
using IrSuite.Contracts.Scheduling;

namespace IrSuite.AnesthesiaConsultation.Tests.Messaging;

/// <summary>ProcedureScheduled and ProcedureCancelled through the in-memory bus into a real service host.</summary>
public sealed class ProcedureScheduledConsumerTests : AnesthesiaHostTest
{
    [Fact]
    public async Task Consume_SameMessageRedelivered_IsAppliedOnce()
    {
        var accepted = await Host.AcceptReferralAsync();
        var scheduled = new ProcedureScheduled(accepted.ReferralId, accepted.PatientId, accepted.Levels, "IR-1", "REC-1", AnesthesiaServiceHost.Start.AddDays(3), AnesthesiaServiceHost.Start)
        {
            SedationMode = "GENERAL",
        };
        var messageId = Guid.NewGuid();

        await Host.PublishAndWaitAsync(scheduled, messageId);
        await Host.PublishAndWaitAsync(scheduled, messageId);

        var plan = await Host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.Equal(2, plan.Version);
        Assert.Equal(Timestamp.FromDateTimeOffset(scheduled.Start), plan.SlotStart);
    }

    [Fact]
    public async Task Consume_Rebooked_ReplacesTheSlot()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(3));

        await Host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(5));

        Assert.Equal(Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddDays(5)), (await Host.GetPlanAsync(accepted.ReferralId.ToString())).SlotStart);
    }

    [Fact]
    public async Task Consume_CancellationOlderThanTheBooking_IsIgnored()
    {
        var accepted = await Host.AcceptReferralAsync();
        Host.Clock.Advance(TimeSpan.FromMinutes(10));
        await Host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(3));

        await Host.PublishAndWaitAsync(new ProcedureCancelled(accepted.ReferralId, accepted.PatientId, AnesthesiaServiceHost.Start), Guid.NewGuid());

        Assert.Equal(Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddDays(3)), (await Host.GetPlanAsync(accepted.ReferralId.ToString())).SlotStart);
    }

    [Fact]
    public async Task Consume_CancelledThenRebooked_KeepsTheNewSlot()
    {
        var accepted = await Host.AcceptReferralAsync();
        await Host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(3));
        await Host.CancelProcedureAsync(accepted);

        await Host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(4));

        Assert.Equal(Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddDays(4)), (await Host.GetPlanAsync(accepted.ReferralId.ToString())).SlotStart);
    }
}
