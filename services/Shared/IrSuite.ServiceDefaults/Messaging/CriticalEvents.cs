using IrSuite.Contracts.Scheduling;

namespace IrSuite.ServiceDefaults.Messaging;

/// <summary>
/// Which events the relay publishes with RabbitMQ's <c>Mandatory</c> flag (decision 0008). Every pathway event is
/// critical: another service's state depends on it, so if no queue is bound yet (the consumer's service has never
/// started) it must come back and stay in the outbox rather than be dropped by the exchange. The exceptions are
/// notification-only events nobody in the suite consumes: Mandatory would keep them pending forever.
/// </summary>
public static class CriticalEvents
{
    private static readonly HashSet<Type> NotificationOnly =
    [
        typeof(ReferralSubmitted),
        typeof(FollowUpBooked),
        typeof(FractureLiaisonReferralRequested),
    ];

    public static bool IsCritical(Type messageType) => !NotificationOnly.Contains(messageType);
}
