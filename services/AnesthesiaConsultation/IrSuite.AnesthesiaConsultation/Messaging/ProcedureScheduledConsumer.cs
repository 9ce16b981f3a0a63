using System.Data.Common;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.Contracts.Scheduling;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IrSuite.AnesthesiaConsultation.Messaging;

/// <summary>
/// A procedure slot was booked: remember its start and sedation, from which the plan computes the fasting
/// cut-offs (ASA 2017), the consult lead time (CSP D6124-91) and the pre-anaesthetic visit window (D6124-92).
/// A re-booking replaces the slot; an event older than the slot's (late delivery) and a referral without an
/// anaesthesia case are ignored.
/// </summary>
public sealed partial class ProcedureScheduledConsumer(
    AnesthesiaConsultationDatabase database, TimeProvider time, ILogger<ProcedureScheduledConsumer> logger)
    : IdempotentConsumer<ProcedureScheduled, AnesthesiaConsultationDatabase>(database, time)
{
    protected override async Task HandleAsync(ProcedureScheduled message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var sedation = Codes.ParseSedationMode(message.SedationMode);
        switch (await AnesthesiaCaseRepository.SetSlotAsync(connection, transaction, message.ReferralId, message.Start, sedation, message.OccurredAt))
        {
            case SlotChange.Applied:
                LogSlotRecorded(message.ReferralId, Codes.Of(sedation));
                break;
            case SlotChange.Stale:
                LogStale(message.ReferralId);
                break;
            default:
                LogNoCase(message.ReferralId);
                break;
        }
    }

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Procedure slot recorded for referral {ReferralId} (sedation {SedationMode})")]
    private partial void LogSlotRecorded(Guid referralId, string sedationMode);

    [LoggerMessage(EventId = 1212, Level = LogLevel.Information, Message = "Procedure scheduled for referral {ReferralId} is older than the recorded slot; ignored")]
    private partial void LogStale(Guid referralId);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Procedure scheduled for referral {ReferralId} without an anesthesia case; ignored")]
    private partial void LogNoCase(Guid referralId);
}

/// <summary>The endpoint of <see cref="ProcedureScheduledConsumer"/>, named after this service (other services consume the event too).</summary>
public sealed class ProcedureScheduledConsumerDefinition : IrSuiteConsumerDefinition<ProcedureScheduledConsumer>
{
    public ProcedureScheduledConsumerDefinition()
    {
        EndpointName = $"{AnesthesiaConsultationModule.ServiceName}-procedure-scheduled";
    }
}
