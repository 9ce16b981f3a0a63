using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace IrSuite.ProcedureRecord.Domain;

/// <summary>Performed procedure step status (DICOM MPPS); numbers equal the proto enum's.</summary>
public enum StepStatus
{
    InProgress = 1,
    Completed = 2,
    Discontinued = 3,
}

/// <summary>What became of one step report; numbers equal the proto enum's.</summary>
public enum StepOutcome
{
    Applied = 1,
    Duplicate = 2,
    Stale = 3,
    Rejected = 4,
}

/// <summary>Reason codes of step acknowledgements (decision 0016).</summary>
public static class StepReasons
{
    public const string InvalidArgument = "INVALID_ARGUMENT";
    public const string UnknownAccession = "UNKNOWN_ACCESSION";
    public const string MessageIdReused = "MESSAGE_ID_REUSED";
    public const string SameMessageId = "SAME_MESSAGE_ID";
    public const string SameContent = "SAME_CONTENT";
    public const string StepAlreadyFinal = "STEP_ALREADY_FINAL";
    public const string OlderThanStored = "OLDER_THAN_STORED";
    public const string StepAlreadyCompleted = "STEP_ALREADY_COMPLETED";
    public const string StepAlreadyDiscontinued = "STEP_ALREADY_DISCONTINUED";
    public const string StepOfAnotherAccession = "STEP_OF_ANOTHER_ACCESSION";
    public const string ConcurrentUpdate = "CONCURRENT_UPDATE";
}

/// <summary>Discontinuation reason codes an OR system may send (a closed list: never free text).</summary>
public static class DiscontinuationCodes
{
    public static readonly IReadOnlyList<string> All = ["EQUIPMENT_FAILURE", "PATIENT_CONDITION", "PROCEDURE_ABANDONED", "OTHER"];

    public static bool IsKnown(string code) => All.Contains(code, StringComparer.Ordinal);
}

/// <summary>One report of the OR system about a performed procedure step, validated.</summary>
public sealed record StepReport(
    string AccessionNumber,
    string StepId,
    StepStatus Status,
    DateTimeOffset OccurredAt,
    DateTimeOffset? StartedAt,
    double FluoroscopySeconds,
    double DoseAreaProductGyCm2,
    double ReferenceAirKermaMgy,
    string StationAeTitle,
    string DiscontinuationReason)
{
    public bool IsFinal => Status is not StepStatus.InProgress;

    /// <summary>SHA-256 over the content (everything but the message id): "the same report sent again".</summary>
    public string Fingerprint()
    {
        var text = string.Join(
            '\n',
            AccessionNumber,
            StepId,
            ((int)Status).ToString(CultureInfo.InvariantCulture),
            OccurredAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            StartedAt?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? "~",
            FluoroscopySeconds.ToString("R", CultureInfo.InvariantCulture),
            DoseAreaProductGyCm2.ToString("R", CultureInfo.InvariantCulture),
            ReferenceAirKermaMgy.ToString("R", CultureInfo.InvariantCulture),
            StationAeTitle,
            DiscontinuationReason);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// <summary>A performed procedure step as stored: the last report applied to it.</summary>
public sealed record PerformedStep(
    string StepId,
    Guid ReferralId,
    StepStatus Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset LastReportAt,
    double FluoroscopySeconds,
    double DoseAreaProductGyCm2,
    double ReferenceAirKermaMgy,
    string StationAeTitle,
    string DiscontinuationReason,
    string ReportedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public bool IsFinal => Status is not StepStatus.InProgress;
}

/// <summary>The decision on one report: its outcome, reason code and, when applied, the step's new state.</summary>
public sealed record StepDecision(StepOutcome Outcome, string Reason, PerformedStep? NewState);

/// <summary>
/// The MPPS state machine (DICOM: IN PROGRESS, then one final N-SET). Delivery may repeat and reorder messages, so:
/// a final step is never reopened (a late IN_PROGRESS is STALE); a final step is never changed (another final report is
/// REJECTED with the stored final status as reason: the OR system must know its correction was not taken); an
/// IN_PROGRESS update older than the stored one is STALE. Pure: no I/O, time passed in.
/// </summary>
public static class StepRules
{
    public static StepDecision Decide(PerformedStep? current, Guid referralId, StepReport report, string reporter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (current is null)
        {
            var started = report.Status == StepStatus.InProgress ? report.OccurredAt : report.StartedAt;
            return Applied(new PerformedStep(
                report.StepId, referralId, report.Status, started, report.IsFinal ? report.OccurredAt : null, report.OccurredAt,
                report.FluoroscopySeconds, report.DoseAreaProductGyCm2, report.ReferenceAirKermaMgy, report.StationAeTitle,
                report.DiscontinuationReason, reporter, now, now));
        }

        if (current.ReferralId != referralId)
        {
            return new StepDecision(StepOutcome.Rejected, StepReasons.StepOfAnotherAccession, null);
        }

        if (current.IsFinal)
        {
            if (report.Status == StepStatus.InProgress)
            {
                return new StepDecision(StepOutcome.Stale, StepReasons.StepAlreadyFinal, null);
            }

            return new StepDecision(
                StepOutcome.Rejected,
                current.Status == StepStatus.Completed ? StepReasons.StepAlreadyCompleted : StepReasons.StepAlreadyDiscontinued,
                null);
        }

        if (!report.IsFinal && report.OccurredAt < current.LastReportAt)
        {
            // An in-progress update older than the one stored (reordered delivery). A final report always ends an open step.
            return new StepDecision(StepOutcome.Stale, StepReasons.OlderThanStored, null);
        }

        return Applied(current with
        {
            Status = report.Status,
            StartedAt = current.StartedAt ?? report.StartedAt,
            EndedAt = report.IsFinal ? report.OccurredAt : null,
            LastReportAt = report.OccurredAt,
            FluoroscopySeconds = report.FluoroscopySeconds,
            DoseAreaProductGyCm2 = report.DoseAreaProductGyCm2,
            ReferenceAirKermaMgy = report.ReferenceAirKermaMgy,
            StationAeTitle = report.StationAeTitle.Length > 0 ? report.StationAeTitle : current.StationAeTitle,
            DiscontinuationReason = report.DiscontinuationReason,
            ReportedBy = reporter,
            UpdatedAt = now,
        });
    }

    private static StepDecision Applied(PerformedStep state) => new(StepOutcome.Applied, "", state);
}

/// <summary>What the modality integration adds to a case: its accession number and the reported steps.</summary>
public sealed record ModalityRecord(long? AccessionSeq, IReadOnlyList<PerformedStep> Steps)
{
    public static ModalityRecord None { get; } = new(null, []);

    public string AccessionNumber => AccessionSeq is { } seq ? Accession.Format(seq) : "";

    /// <summary>Latest status among the steps (null when none was reported).</summary>
    public StepStatus? LatestStatus => Steps.Count == 0 ? null : Steps.MaxBy(s => s.UpdatedAt)!.Status;
}

/// <summary>
/// Accession numbers (DICOM (0008,0050), VR SH: at most 16 characters): "IR" and the case's counter value on 10 digits.
/// The requested procedure id (0040,1001) uses the same number with "RP".
/// </summary>
public static class Accession
{
    public const string Prefix = "IR";

    public const string RequestedProcedurePrefix = "RP";

    public static string Format(long seq) => Prefix + seq.ToString("D10", CultureInfo.InvariantCulture);

    public static string RequestedProcedureId(long seq) => RequestedProcedurePrefix + seq.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>The counter value of an accession number this service issued, or null.</summary>
    public static long? Parse(string accession)
    {
        if (accession.Length != Prefix.Length + 10 || !accession.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        return long.TryParse(accession.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var seq) && seq > 0 ? seq : null;
    }

    /// <summary>The study instance UID pre-assigned to a referral: the UUID as a 2.25 UID (DICOM PS3.5 B.2).</summary>
    public static string StudyInstanceUid(Guid referralId)
    {
        var bytes = referralId.ToByteArray(bigEndian: true);
        return "2.25." + new BigInteger(bytes, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>DICOM Pregnancy Status (0010,21C0) of a booking's pregnancy code: 1 not pregnant, 2 possibly, 3 definitely, 4 unknown.</summary>
    public static int DicomPregnancyStatus(string pregnancy) => pregnancy switch
    {
        "NOT_APPLICABLE" or "EXCLUDED" => 1,
        "POSSIBLE" => 2,
        "PREGNANT" => 3,
        _ => 4,
    };
}

/// <summary>
/// The modality's dose beside the radiologist's: the modality report is a cross-check, never the record (the recorded
/// dose stays required to close the case). DIFFERS when the recorded DAP or fluoroscopy time is more than
/// <see cref="Tolerance"/> away from the modality's sum (local policy, not a published threshold).
/// </summary>
public static class ModalityDose
{
    public const double Tolerance = 0.10;

    public const string NoRecordedDose = "NO_RECORDED_DOSE";
    public const string Matches = "MATCHES";
    public const string Differs = "DIFFERS";

    public static (double Fluoroscopy, double Dap, double Kar, bool Final, string Result)? Check(IReadOnlyList<PerformedStep> steps, RadiationDose? recorded)
    {
        if (steps.Count == 0)
        {
            return null;
        }

        var fluoroscopy = steps.Sum(s => s.FluoroscopySeconds);
        var dap = steps.Sum(s => s.DoseAreaProductGyCm2);
        var kar = steps.Sum(s => s.ReferenceAirKermaMgy);
        var result = recorded is null ? NoRecordedDose
            : Near(recorded.DoseAreaProductGyCm2, dap) && Near(recorded.FluoroscopySeconds, fluoroscopy) ? Matches
            : Differs;
        return (fluoroscopy, dap, kar, steps.All(s => s.IsFinal), result);
    }

    private static bool Near(double recorded, double reported) =>
        Math.Abs(recorded - reported) <= Tolerance * Math.Max(Math.Abs(reported), 1e-9);
}

/// <summary>Fixed worklist values of the one procedure this suite books, and the room's station AE title.</summary>
public static class ModalityWorklist
{
    /// <summary>Local code (scheme 99IRSUITE: "99" marks a private coding scheme in DICOM).</summary>
    public const string ProcedureCode = "VERTEBROPLASTY";

    public const string CodingScheme = "99IRSUITE";

    /// <summary>Fluoroscopy / angiography (C-arm).</summary>
    public const string Modality = "XA";

    /// <summary>The requested procedure description: the procedure and its levels (codes only, no patient data).</summary>
    public static string Description(IReadOnlyList<string> levels) =>
        levels.Count == 0 ? "Percutaneous vertebroplasty" : "Percutaneous vertebroplasty " + string.Join(' ', levels);

    /// <summary>
    /// The station AE title of a room: the configured one, else the room name in upper case with characters an AE title
    /// cannot hold replaced by '_', at most 16 characters (DICOM AE VR).
    /// </summary>
    public static string StationAeTitle(string room, IReadOnlyDictionary<string, string> configured)
    {
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(configured);
        if (configured.TryGetValue(room, out var title) && title.Length > 0)
        {
            return title;
        }

        var text = new StringBuilder(16);
        foreach (var c in room.ToUpperInvariant())
        {
            if (text.Length == 16)
            {
                break;
            }

            text.Append(c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '-' ? c : '_');
        }

        return text.ToString();
    }
}
