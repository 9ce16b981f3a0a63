using IrSuite.Grpc;

namespace IrSuite.Irctl.Cli;

/// <summary>irctl's exit codes, stable for scripts.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Other = 1;
    public const int Usage = 2;
    public const int InvalidArgument = 3;
    public const int FailedPrecondition = 4;
    public const int NotFound = 5;
    public const int Auth = 6;
    public const int Unavailable = 7;

    /// <summary>ALREADY_EXISTS: it was created before (look it up rather than create it again).</summary>
    public const int AlreadyExists = 8;

    /// <summary>RESOURCE_EXHAUSTED or ABORTED, still so after irctl's own resends: the same command may succeed later.</summary>
    public const int TryLater = 9;

    public static int For(StatusCode code) => code switch
    {
        StatusCode.OK => Ok,
        StatusCode.InvalidArgument or StatusCode.OutOfRange => InvalidArgument,
        StatusCode.FailedPrecondition => FailedPrecondition,
        StatusCode.NotFound => NotFound,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => Auth,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => Unavailable,
        StatusCode.AlreadyExists => AlreadyExists,
        StatusCode.ResourceExhausted or StatusCode.Aborted => TryLater,
        _ => Other,
    };

    /// <summary>The canonical upper-case name, e.g. FAILED_PRECONDITION.</summary>
    public static string Name(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        _ => string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant(),
    };
}
