using IrSuite.ServiceDefaults.Data;
using MassTransit;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// The endpoint policy every IrSuite consumer shares (decision 0008); each service's consumer has a sealed
/// definition deriving from this one beside it. Transient failures (a lost database connection, a lock conflict, a
/// timeout) get a few jittered exponential retries in the consumer, then the message goes to <c>&lt;queue&gt;_error</c>;
/// anything else (a broken rule, bad data, a bug) fails the same way every time and goes there at once, so a poison
/// message never holds up the healthy ones behind it. No delayed redelivery: without the broker's delayed-exchange
/// plug-in MassTransit can only hold the message in process memory, which a crash loses from the schedule (the quorum
/// queue then redelivers it anyway); the retry budget stays in memory and short instead.
/// </summary>
public abstract class IrSuiteConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    /// <summary>Attempts after the first for a transient failure.</summary>
    public const int RetryLimit = 4;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        ArgumentNullException.ThrowIfNull(endpointConfigurator);
        endpointConfigurator.UseMessageRetry(ConfigureRetry);
    }

    /// <summary>The retry policy (also used by tests that configure an endpoint by hand).</summary>
    public static void ConfigureRetry(IRetryConfigurator retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        retry.Handle<Exception>(TransientFaults.IsTransient);
        retry.Exponential(RetryLimit, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(400));
    }
}
