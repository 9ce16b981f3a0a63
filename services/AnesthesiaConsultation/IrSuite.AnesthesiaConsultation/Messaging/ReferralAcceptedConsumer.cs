using System.Data.Common;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.Contracts.Scheduling;
using IrSuite.ServiceDefaults.Clinical;
using IrSuite.ServiceDefaults.Messaging;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace IrSuite.AnesthesiaConsultation.Messaging;

/// <summary>
/// The IR consult accepted a referral: open its anaesthesia case (awaiting assessment) and remember the
/// sedation the consult expects, the levels (they feed the sedation suggestion) and the site protocol version. A redelivery is a no-op twice over: the inbox, and the insert that leaves
/// an existing case alone.
/// </summary>
public sealed partial class ReferralAcceptedConsumer(
    AnesthesiaConsultationDatabase database, TimeProvider time, SiteProtocol protocol, ILogger<ReferralAcceptedConsumer> logger)
    : IdempotentConsumer<ReferralAccepted, AnesthesiaConsultationDatabase>(database, time)
{
    protected override async Task HandleAsync(ReferralAccepted message, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var levels = (message.Levels ?? []).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.Trim().ToUpperInvariant()).Distinct().ToList();
        var opened = AnesthesiaCase.Open(
            message.ReferralId, message.PatientId, levels, Codes.ParseSedationMode(message.ExpectedSedation), protocol.AppliedVersion, Time.GetUtcNow());
        if (await AnesthesiaCaseRepository.InsertIfAbsentAsync(connection, transaction, opened))
        {
            LogCaseOpened(message.ReferralId, Codes.Of(opened.ExpectedSedation));
        }
        else
        {
            LogCaseAlreadyOpen(message.ReferralId);
        }
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Anesthesia case opened for referral {ReferralId} (expected sedation {ExpectedSedation})")]
    private partial void LogCaseOpened(Guid referralId, string expectedSedation);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "Anesthesia case of referral {ReferralId} already open; acceptance ignored")]
    private partial void LogCaseAlreadyOpen(Guid referralId);
}

/// <summary>
/// The endpoint of <see cref="ReferralAcceptedConsumer"/>: named after this service, because other services
/// consume ReferralAccepted too and, on RabbitMQ, a shared queue name would make them compete for each message.
/// </summary>
public sealed class ReferralAcceptedConsumerDefinition : IrSuiteConsumerDefinition<ReferralAcceptedConsumer>
{
    public ReferralAcceptedConsumerDefinition()
    {
        EndpointName = $"{AnesthesiaConsultationModule.ServiceName}-referral-accepted";
    }
}
