using Google.Protobuf.WellKnownTypes;
using IrSuite.AnesthesiaConsultation.Tests.Infrastructure;
using IrSuite.Contracts.Scheduling;

namespace IrSuite.AnesthesiaConsultation.Tests.Messaging;

/// <summary>ProcedureScheduled and ProcedureCancelled through the in-memory bus into a real service host.</summary>
public sealed class ProcedureScheduledConsumerTests : IAsyncLifetime
{
    private AnesthesiaServiceHost _host = null!;

    public async Task InitializeAsync() => _host = await AnesthesiaServiceHost.StartAsync();

    public async Task DisposeAsync()
    {
        var errors = _host.Errors.Entries.ToList();
        await _host.DisposeAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Consume_SameMessageRedelivered_IsAppliedOnce()
    {
        var accepted = await _host.AcceptReferralAsync();
        var scheduled = new ProcedureScheduled(accepted.ReferralId, accepted.PatientId, accepted.Levels, "IR-1", "REC-1", AnesthesiaServiceHost.Start.AddDays(3), AnesthesiaServiceHost.Start)
        {
            SedationMode = "GENERAL",
        };
        var messageId = Guid.NewGuid();

        await _host.PublishAndWaitAsync(scheduled, messageId);
        await _host.PublishAndWaitAsync(scheduled, messageId);

        var plan = await _host.GetPlanAsync(accepted.ReferralId.ToString());
        Assert.Equal(2, plan.Version);
        Assert.Equal(Timestamp.FromDateTimeOffset(scheduled.Start), plan.SlotStart);
    }

    [Fact]
    public async Task Consume_Rebooked_ReplacesTheSlot()
    {
        var accepted = await _host.AcceptReferralAsync();
        await _host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(3));

        await _host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(5));

        Assert.Equal(Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddDays(5)), (await _host.GetPlanAsync(accepted.ReferralId.ToString())).SlotStart);
    }

    [Fact]
    public async Task Consume_CancellationOlderThanTheBooking_IsIgnored()
    {
        var accepted = await _host.AcceptReferralAsync();
        _host.Clock.Advance(TimeSpan.FromMinutes(10));
        await _host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(3));

        await _host.PublishAndWaitAsync(new ProcedureCancelled(accepted.ReferralId, accepted.PatientId, AnesthesiaServiceHost.Start), Guid.NewGuid());

        Assert.Equal(Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddDays(3)), (await _host.GetPlanAsync(accepted.ReferralId.ToString())).SlotStart);
    }

    [Fact]
    public async Task Consume_CancelledThenRebooked_KeepsTheNewSlot()
    {
        var accepted = await _host.AcceptReferralAsync();
        await _host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(3));
        await _host.CancelProcedureAsync(accepted);

        await _host.ScheduleProcedureAsync(accepted, AnesthesiaServiceHost.Start.AddDays(4));

        Assert.Equal(Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddDays(4)), (await _host.GetPlanAsync(accepted.ReferralId.ToString())).SlotStart);
    }
}
