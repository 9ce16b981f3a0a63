namespace IrSuite.ProcedureRecord.Grpc;

/// <summary>Configuration section <c>ModalityWorklist</c>: the scheduled station AE title of each room's C-arm.</summary>
public sealed class ModalityWorklistOptions
{
    public const string Section = "ModalityWorklist";

    /// <summary>Room to AE title, e.g. <c>ModalityWorklist:StationAeTitles:IR-1=CARM_IR1</c>; unlisted rooms use the room name.</summary>
    public Dictionary<string, string> StationAeTitles { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long the message ids of procedure-step reports are kept to recognise a report sent again (decision 0016,
    /// 0020). A report resent after this is judged on the step's state alone.
    /// </summary>
    public TimeSpan StepMessageRetention { get; set; } = TimeSpan.FromDays(90);
}
