using IrSuite.Contracts.Scheduling;
using IrSuite.TestSupport;
using MassTransit;

namespace IrSuite.Scheduling.Tests.Infrastructure;

/// <summary>Events the outbox relay published on the bus.</summary>
public sealed class PublishedEvents : RecordedEvents;

/// <summary>Records the scheduling service's events as a downstream service would receive them.</summary>
public sealed class RecordingConsumer(PublishedEvents events) :
    IConsumer<ProcedureScheduled>, IConsumer<FollowUpBooked>, IConsumer<FractureLiaisonReferralRequested>
{
    public Task Consume(ConsumeContext<ProcedureScheduled> context) => Record(context.Message);

    public Task Consume(ConsumeContext<FollowUpBooked> context) => Record(context.Message);

    public Task Consume(ConsumeContext<FractureLiaisonReferralRequested> context) => Record(context.Message);

    private Task Record(object message)
    {
        events.Add(message);
        return Task.CompletedTask;
    }
}
