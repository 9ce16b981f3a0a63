using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Grpc;
using IrSuite.Grpc.Server;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Grpc;
using IrSuite.ServiceDefaults.Security;
using Microsoft.Extensions.Logging;

namespace IrSuite.ProcedureRecord.Grpc;

/// <summary>The OR / modality side (decision 0016): the room's worklist and the performed procedure step feed.</summary>
public sealed partial class ProcedureRecordGrpcService
{
    private const int MaxMessageIdLength = 100;
    private const int MaxAccessionLength = 16; // DICOM SH
    private const int MaxStepIdLength = 64; // DICOM UI
    private const int MaxAeTitleLength = 16; // DICOM AE

    public async Task<GetModalityWorklistResponse> GetModalityWorklist(GetModalityWorklistRequest request, ServerCallContext context)
    {
        var validator = new RequestValidator();
        validator.Required("room", request.Room, ProcedureLimits.MaxCodeLength);
        DateOnly day = default;
        if (string.IsNullOrWhiteSpace(request.Date))
        {
            validator.Fail("date", "Required.");
        }
        else if (!DateOnly.TryParseExact(request.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            validator.Fail("date", "Must be a date YYYY-MM-DD.");
        }

        validator.ThrowIfInvalid();
        var room = request.Room.Trim();
        await using var connection = await database.OpenAsync(context.CancellationToken);
        var cases = await repository.WorklistAsync(connection, day, room, context.CancellationToken);
        var station = ModalityWorklist.StationAeTitle(room, modality?.Value.StationAeTitles ?? []);
        var response = new GetModalityWorklistResponse();
        response.Items.AddRange(cases.Select(c => CaseMapper.ToWorklistItem(c, station)));
        return response;
    }

    /// <summary>
    /// One acknowledgement per report, in order. A report that is malformed or names an unknown accession is REJECTED and
    /// the stream carries on; the stream itself ends only on a transport problem (an unreadable message, the deadline,
    /// the client's cancel) or when the database cannot take a report (UNAVAILABLE: the unacknowledged report is resent
    /// on a new stream and deduplicated). Each report is applied in one transaction with its message id and audit record.
    /// </summary>
    public async Task ReportProcedureSteps(
        IAsyncStreamReader<ReportProcedureStepsRequest> requests, IServerStreamWriter<ReportProcedureStepsResponse> responses, ServerCallContext context)
    {
        var caller = context.Caller();
        var reporter = caller.Subject;
        AuditScope.Current?.RecordEachTransaction();
        var cancellationToken = context.CancellationToken;
        long sequence = 0;
        var counts = new int[5];
        while (await requests.MoveNext(cancellationToken))
        {
            sequence++;
            // A token is not re-presented on a stream: once the one it was opened with expires, no further report is taken.
            if (caller.AcceptedUntil is { } until && time.GetUtcNow() >= until)
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated,
                    $"The bearer token has expired; report {sequence} and any after it were not taken: send them again on a new stream with a new token."));
            }

            var request = requests.Current;
            var ack = await ApplyStepReportAsync(request, reporter, cancellationToken);
            ack.Sequence = sequence;
            counts[(int)ack.Outcome]++;
            if (ack.Outcome == StepReportOutcome.Rejected)
            {
                LogStepRejected(ack.StepId.Length > MaxStepIdLength ? "" : ack.StepId, ack.Reason);
            }

            await responses.WriteAsync(ack, cancellationToken);
        }

        LogStepStreamEnded(sequence, counts[(int)StepReportOutcome.Applied], counts[(int)StepReportOutcome.Duplicate],
            counts[(int)StepReportOutcome.Stale], counts[(int)StepReportOutcome.Rejected]);
    }

    private async Task<ReportProcedureStepsResponse> ApplyStepReportAsync(ReportProcedureStepsRequest request, string reporter, CancellationToken cancellationToken)
    {
        var ack = new ReportProcedureStepsResponse
        {
            MessageId = Bounded(request.MessageId, MaxMessageIdLength),
            AccessionNumber = Bounded(request.AccessionNumber, MaxAccessionLength),
            StepId = Bounded(request.StepId, MaxStepIdLength),
        };
        var invalid = ValidateStepReport(request);
        if (invalid.Count > 0)
        {
            ack.Outcome = StepReportOutcome.Rejected;
            ack.Reason = StepReasons.InvalidArgument;
            ack.InvalidFields.AddRange(invalid);
            return ack;
        }

        if (Accession.Parse(request.AccessionNumber.Trim()) is not { } seq)
        {
            return Reject(ack, StepReasons.UnknownAccession);
        }

        var report = new StepReport(
            request.AccessionNumber.Trim(),
            request.StepId.Trim(),
            (StepStatus)(int)request.Status,
            request.OccurredAt.ToDateTimeOffset(),
            request.StartedAt?.ToDateTimeOffset(),
            request.FluoroscopySeconds,
            request.DoseAreaProductGyCm2,
            request.ReferenceAirKermaMgy,
            request.StationAeTitle.Trim(),
            request.DiscontinuationReason.Trim());
        var messageId = request.MessageId.Trim();
        var fingerprint = report.Fingerprint();
        try
        {
            return await database.InTransactionAsync(async (connection, transaction) =>
            {
                var now = time.GetUtcNow();
                var result = ack.Clone();
                if (!await repository.ClaimStepMessageAsync(connection, transaction, reporter, messageId, report.StepId, fingerprint, now, cancellationToken))
                {
                    // Taken before: the same report again is a duplicate; another report under the same id is refused.
                    var seen = await repository.FindStepMessageAsync(connection, transaction, reporter, messageId, cancellationToken);
                    var known = await repository.FindStepAsync(connection, transaction, report.StepId, cancellationToken);
                    result.StepStatus = ToProto(known?.Status);
                    if (await repository.FindByAccessionAsync(connection, transaction, seq, cancellationToken) is { } caseKey)
                    {
                        result.ReferralId = caseKey.ReferralId.ToString();
                        result.PatientId = caseKey.PatientId.ToString();
                    }

                    return seen == fingerprint ? Outcome(result, StepOutcome.Duplicate, StepReasons.SameMessageId) : Reject(result, StepReasons.MessageIdReused);
                }

                if (await repository.FindByAccessionAsync(connection, transaction, seq, cancellationToken) is not { } owner)
                {
                    await repository.SettleStepMessageAsync(connection, transaction, reporter, messageId, null, cancellationToken);
                    return Reject(result, StepReasons.UnknownAccession);
                }

                result.ReferralId = owner.ReferralId.ToString();
                result.PatientId = owner.PatientId.ToString();
                var current = await repository.FindStepAsync(connection, transaction, report.StepId, cancellationToken);
                result.StepStatus = ToProto(current?.Status);
                if (current is not null && current.ReferralId == owner.ReferralId
                    && await repository.StepContentSeenAsync(connection, transaction, report.StepId, fingerprint, messageId, cancellationToken))
                {
                    await repository.SettleStepMessageAsync(connection, transaction, reporter, messageId, StepOutcome.Duplicate, cancellationToken);
                    return Outcome(result, StepOutcome.Duplicate, StepReasons.SameContent);
                }

                var decision = StepRules.Decide(current, owner.ReferralId, report, reporter, now);
                if (decision.Outcome == StepOutcome.Applied)
                {
                    if (!await repository.SaveStepAsync(connection, transaction, decision.NewState!, current, cancellationToken))
                    {
                        throw new StepConflictException();
                    }

                    result.StepStatus = ToProto(decision.NewState!.Status);
                }

                // A refused report leaves no message row, so the OR system may correct and resend it under the same id.
                await repository.SettleStepMessageAsync(
                    connection, transaction, reporter, messageId, decision.Outcome == StepOutcome.Rejected ? null : decision.Outcome, cancellationToken);
                return Outcome(result, decision.Outcome, decision.Reason);
            }, cancellationToken);
        }
        catch (StepConflictException)
        {
            // Another stream changed the step between our read and write; nothing of this report was kept: resend it.
            return Reject(ack, StepReasons.ConcurrentUpdate);
        }
    }

    /// <summary>The fields of a report at fault (snake_case names), empty when it is well formed.</summary>
    private static List<string> ValidateStepReport(ReportProcedureStepsRequest request)
    {
        var invalid = new List<string>();
        void Text(string field, string value, int max, bool required)
        {
            var trimmed = value.Trim();
            if ((required && trimmed.Length == 0) || trimmed.Length > max || trimmed.Any(char.IsControl))
            {
                invalid.Add(field);
            }
        }

        static bool Amount(double value, double max) => double.IsFinite(value) && value >= 0 && value <= max;

        Text("message_id", request.MessageId, MaxMessageIdLength, required: true);
        Text("accession_number", request.AccessionNumber, MaxAccessionLength, required: true);
        Text("step_id", request.StepId, MaxStepIdLength, required: true);
        Text("station_ae_title", request.StationAeTitle, MaxAeTitleLength, required: false);
        var status = request.Status;
        if (status is not (ProcedureStepStatus.InProgress or ProcedureStepStatus.Completed or ProcedureStepStatus.Discontinued))
        {
            invalid.Add("status");
        }

        DateTimeOffset? occurred = ValidTimestamp(request.OccurredAt);
        if (occurred is null)
        {
            invalid.Add("occurred_at");
        }

        if (request.StartedAt is not null && (ValidTimestamp(request.StartedAt) is not { } started || (occurred is { } end && started > end)))
        {
            invalid.Add("started_at");
        }

        if (!Amount(request.FluoroscopySeconds, ProcedureLimits.MaxFluoroscopySeconds)
            || (status == ProcedureStepStatus.Completed && request.FluoroscopySeconds <= 0))
        {
            invalid.Add("fluoroscopy_seconds");
        }

        if (!Amount(request.DoseAreaProductGyCm2, ProcedureLimits.MaxDoseAreaProductGyCm2)
            || (status == ProcedureStepStatus.Completed && request.DoseAreaProductGyCm2 <= 0))
        {
            invalid.Add("dose_area_product_gy_cm2");
        }

        if (!Amount(request.ReferenceAirKermaMgy, ProcedureLimits.MaxReferenceAirKermaMgy))
        {
            invalid.Add("reference_air_kerma_mgy");
        }

        // A closed list on DISCONTINUED, nothing otherwise: never free text (decision 0014).
        var reason = request.DiscontinuationReason.Trim();
        if (status == ProcedureStepStatus.Discontinued ? !DiscontinuationCodes.IsKnown(reason) : reason.Length > 0)
        {
            invalid.Add("discontinuation_reason");
        }

        return invalid;
    }

    private static DateTimeOffset? ValidTimestamp(Timestamp? value)
    {
        if (value is null || value.Nanos is < 0 or > 999_999_999)
        {
            return null;
        }

        // 0001-01-01 to 9999-12-31 (the proto range); anything before 2000 is not a plausible procedure time.
        return value.Seconds is >= 946_684_800 and <= 253_402_300_799 ? value.ToDateTimeOffset() : null;
    }

    private static ReportProcedureStepsResponse Reject(ReportProcedureStepsResponse ack, string reason) => Outcome(ack, StepOutcome.Rejected, reason);

    private static ReportProcedureStepsResponse Outcome(ReportProcedureStepsResponse ack, StepOutcome outcome, string reason)
    {
        ack.Outcome = (StepReportOutcome)(int)outcome;
        ack.Reason = reason;
        return ack;
    }

    private static ProcedureStepStatus ToProto(StepStatus? status) => status is { } s ? (ProcedureStepStatus)(int)s : ProcedureStepStatus.Unspecified;

    // An ack echoes the ids it was given, cut to their limits (an over-long id is itself the reason for the rejection).
    private static string Bounded(string value, int max) => value.Length <= max ? value : value[..max];

    /// <summary>Another writer changed the step between this report's read and write.</summary>
    private sealed class StepConflictException : Exception;

    [LoggerMessage(EventId = 3120, Level = LogLevel.Information, Message = "Procedure step report {StepId} rejected: {Reason}")]
    private partial void LogStepRejected(string stepId, string reason);

    [LoggerMessage(EventId = 3121, Level = LogLevel.Information,
        Message = "Procedure step stream ended: {Reports} reports, {Applied} applied, {Duplicates} duplicates, {Stale} stale, {Rejected} rejected")]
    private partial void LogStepStreamEnded(long reports, int applied, int duplicates, int stale, int rejected);
}
