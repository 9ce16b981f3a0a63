namespace IrSuite.ProcedureRecord.Grpc;

/// <summary>Configuration section <c>ModalityWorklist</c>: the scheduled station AE title of each room's C-arm.</summary>
public sealed class ModalityWorklistOptions
{
    public const string Section = "ModalityWorklist";

    /// <summary>Room to AE title, e.g. <c>ModalityWorklist:StationAeTitles:IR-1=CARM_IR1</c>; unlisted rooms use the room name.</summary>
    public Dictionary<string, string> StationAeTitles { get; init; } = new(StringComparer.Ordinal);
}
