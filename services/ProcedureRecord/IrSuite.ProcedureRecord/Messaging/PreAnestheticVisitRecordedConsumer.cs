using System.Data.Common;
using IrSuite.Contracts.Anesthesia;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IrSuite.ProcedureRecord.Messaging;

/// <summary>
/// The anaesthesiologist's pre-anaesthetic visit (CSP D6124-92): stored per referral, the latest visit kept, so the
/// sign-in can check it was within the site window. Stored even before the booking arrives (events may cross).
/// Applied once per message (inbox).
/// </summary>
public sealed partial class PreAnestheticVisitRecordedConsumer(
    ProcedureRecordDatabase database, ProcedureRecordRepository repository, TimeProvider time, ILogger<PreAnestheticVisitRecordedConsumer> logger)
    : IdempotentConsumer<PreAnestheticVisitRecorded, ProcedureRecordDatabase>(database, time)
{
    protected override async Task HandleAsync(PreAnestheticVisitRecorded message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var changed = await repository.UpsertPreAnestheticVisitAsync(connection, transaction, message.ReferralId, message.VisitedAt, cancellationToken);
        LogVisitStored(message.ReferralId, changed);
    }

    [LoggerMessage(EventId = 3130, Level = LogLevel.Information, Message = "Procedure case {ReferralId}: pre-anaesthetic visit received (stored: {Changed})")]
    private partial void LogVisitStored(Guid referralId, bool changed);
}

/// <summary>A queue of its own per service: two services consuming the same event on RabbitMQ must not share (and split) one queue.</summary>
public sealed class PreAnestheticVisitRecordedConsumerDefinition : IrSuiteConsumerDefinition<PreAnestheticVisitRecordedConsumer>
{
    public PreAnestheticVisitRecordedConsumerDefinition()
    {
        EndpointName = ProcedureRecordModule.ServiceName + "-pre-anesthetic-visit-recorded";
    }
}
