namespace IrSuite.ServiceDefaults.Security;

/// <summary>
/// The roles a token may carry (claim <c>roles</c>, a string or an array). Staff roles are held by people; or-system by
/// operating-room and modality systems; service by IrSuite services calling each other; auditor reads the audit trail;
/// ops reads what operations need (worklists, boards, site protocol), never a patient's clinical record.
/// </summary>
public static class Roles
{
    public const string Scheduler = "scheduler";
    public const string Radiologist = "radiologist";
    public const string Anesthesiologist = "anesthesiologist";
    public const string Nurse = "nurse";
    public const string OrSystem = "or-system";
    public const string Service = "service";
    public const string Auditor = "auditor";
    public const string Ops = "ops";

    /// <summary>Every role, in the order the role matrix documents them.</summary>
    public static readonly IReadOnlyList<string> All = [Scheduler, Radiologist, Anesthesiologist, Nurse, OrSystem, Service, Auditor, Ops];

    /// <summary>The clinical staff roles (people who sign clinical acts).</summary>
    public static readonly IReadOnlyList<string> Clinicians = [Radiologist, Anesthesiologist, Nurse];
}
