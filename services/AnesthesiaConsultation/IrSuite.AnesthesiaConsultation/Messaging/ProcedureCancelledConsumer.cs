using System.Data.Common;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.Contracts.Scheduling;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IrSuite.AnesthesiaConsultation.Messaging;

/// <summary>
/// A booked procedure was cancelled: forget the slot (no fasting cut-offs, no visit window until the next booking).
/// A cancellation older than the recorded booking (late delivery) is ignored.
/// </summary>
public sealed partial class ProcedureCancelledConsumer(
    AnesthesiaConsultationDatabase database, TimeProvider time, ILogger<ProcedureCancelledConsumer> logger)
    : IdempotentConsumer<ProcedureCancelled, AnesthesiaConsultationDatabase>(database, time)
{
    protected override async Task HandleAsync(ProcedureCancelled message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        if (await AnesthesiaCaseRepository.SetSlotAsync(connection, transaction, message.ReferralId, null, SedationMode.None, message.OccurredAt) == SlotChange.Applied)
        {
            LogSlotCleared(message.ReferralId);
        }
    }

    [LoggerMessage(EventId = 1220, Level = LogLevel.Information, Message = "Procedure slot cleared for referral {ReferralId}")]
    private partial void LogSlotCleared(Guid referralId);
}

/// <summary>The endpoint of <see cref="ProcedureCancelledConsumer"/>, named after this service.</summary>
public sealed class ProcedureCancelledConsumerDefinition : IrSuiteConsumerDefinition<ProcedureCancelledConsumer>
{
    public ProcedureCancelledConsumerDefinition()
    {
        EndpointName = $"{AnesthesiaConsultationModule.ServiceName}-procedure-cancelled";
    }
}
