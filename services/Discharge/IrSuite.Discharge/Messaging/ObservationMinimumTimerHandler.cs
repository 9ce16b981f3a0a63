using System.Data.Common;
using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.Data;
using IrSuite.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging;

namespace IrSuite.Discharge.Messaging;

/// <summary>
/// The minimum observation has elapsed: marks it and writes <see cref="ObservationMinimumElapsed"/> to the outbox, inside
/// the sweeper's transaction that marks the timer fired (so it fires once, across restarts and replicas).
/// </summary>
public sealed partial class ObservationMinimumTimerHandler(
    DischargeRepository repository, OutboxWriter outbox, ILogger<ObservationMinimumTimerHandler> logger) : IDueTimerHandler<DischargeDatabase>
{
    public const string TimerKind = "observation-minimum";

    public string Kind => TimerKind;

    public static string TimerId(Guid referralId) => $"{TimerKind}:{referralId}";

    public async Task FireAsync(DueTimer timer, DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var referralId = Guid.Parse(timer.AggregateId);
        var observation = await repository.FindAsync(connection, transaction, referralId);
        if (observation is null)
        {
            LogMissing(referralId);
            return;
        }

        // The minimum elapsed at the due time, whenever the sweep ran (e.g. after a restart).
        await repository.MarkMinimumElapsedAsync(connection, transaction, referralId, timer.DueAt);
        await outbox.AddAsync(connection, transaction, new ObservationMinimumElapsed(referralId, observation.PatientId, timer.DueAt), referralId);
        LogElapsed(referralId);
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Minimum observation of referral {ReferralId} elapsed")]
    private partial void LogElapsed(Guid referralId);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Minimum-observation timer for unknown referral {ReferralId}; ignored")]
    private partial void LogMissing(Guid referralId);
}
