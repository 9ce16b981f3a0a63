using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Discharge;
using IrSuite.TestSupport;
using MassTransit;

namespace IrSuite.Discharge.Tests.Infrastructure;

/// <summary>Events the outbox relay published on the bus.</summary>
public sealed class PublishedEvents : RecordedEvents;

/// <summary>Records the discharge service's events as a downstream service would receive them.</summary>
public sealed class RecordingConsumer(PublishedEvents events) :
    IConsumer<ObservationStarted>, IConsumer<ObservationMinimumElapsed>, IConsumer<PatientDischarged>, IConsumer<EscalationRaised>,
    IConsumer<ObservationRoundRecorded>, IConsumer<EscalationResolved>
{
    public Task Consume(ConsumeContext<ObservationRoundRecorded> context) => Record(context.Message);

    public Task Consume(ConsumeContext<EscalationResolved> context) => Record(context.Message);

    public Task Consume(ConsumeContext<EscalationRaised> context) => Record(context.Message);

    public Task Consume(ConsumeContext<ObservationStarted> context) => Record(context.Message);

    public Task Consume(ConsumeContext<ObservationMinimumElapsed> context) => Record(context.Message);

    public Task Consume(ConsumeContext<PatientDischarged> context) => Record(context.Message);

    private Task Record(object message)
    {
        events.Add(message);
        return Task.CompletedTask;
    }
}
