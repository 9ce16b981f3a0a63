using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Grpc;
using SedationMode = IrSuite.Common.V1.SedationMode;

namespace IrSuite.Scheduling.Domain;

/// <summary>
/// The referral's life cycle and the booking gates of the scheduling service. Pure: every method decides
/// from the state it is given and throws FAILED_PRECONDITION (with a stable rule code) when a gate refuses.
/// </summary>
public static class ReferralWorkflow
{
    /// <summary>The IR consult can only decide a referral that is waiting for it.</summary>
    public static ReferralStatus DecideConsult(ReferralStatus current, bool accepted) =>
        current == ReferralStatus.Submitted
            ? accepted ? ReferralStatus.Accepted : ReferralStatus.Declined
            : throw Rpc.Gate("REFERRAL_NOT_PENDING", $"The IR consult was already recorded (referral is {current}).");

    /// <summary>Which appointments a referral in a given status may get.</summary>
    public static void CheckCanBook(ReferralStatus status, AppointmentKind kind)
    {
        switch (kind)
        {
            case AppointmentKind.IrConsult when status is ReferralStatus.Submitted or ReferralStatus.Accepted:
            case AppointmentKind.AnesthesiaConsult when status is ReferralStatus.Accepted or ReferralStatus.Scheduled:
                return;
            case AppointmentKind.AnesthesiaConsult:
                throw Rpc.Gate("REFERRAL_NOT_ACCEPTED", "An anaesthesia consult is booked once the IR consult accepted the referral.");
            case AppointmentKind.Procedure when status == ReferralStatus.Accepted:
                return;
            case AppointmentKind.Procedure when status == ReferralStatus.Scheduled:
                throw Rpc.Gate("PROCEDURE_ALREADY_BOOKED", "A procedure is already booked for this referral; cancel it first.");
            case AppointmentKind.Procedure when status is ReferralStatus.Submitted or ReferralStatus.Declined:
                throw Rpc.Gate("IR_CONSULT_REQUIRED", $"A procedure needs a referral accepted at the IR consult (referral is {status}).");
            case AppointmentKind.Procedure:
                throw Rpc.Gate("REFERRAL_NOT_ACCEPTED", $"A procedure needs a referral accepted at the IR consult (referral is {status}).");
            case AppointmentKind.FollowUp when status is ReferralStatus.ProcedureDone or ReferralStatus.Discharged:
                return;
            case AppointmentKind.FollowUp:
                throw Rpc.Gate("PROCEDURE_NOT_DONE", "The follow-up is booked once the procedure has been performed.");
            default:
                throw Rpc.Gate("REFERRAL_CLOSED", $"No {kind} appointment for a referral that is {status}.");
        }
    }

    /// <summary>Status after a pathway event reported by another service (events may arrive late: never go backwards).</summary>
    public static ReferralStatus AfterEvent(ReferralStatus current, ReferralStatus reported) =>
        Rank(reported) > Rank(current) ? reported : current;

    private static int Rank(ReferralStatus status) => status switch
    {
        ReferralStatus.Submitted => 1,
        ReferralStatus.Accepted => 2,
        ReferralStatus.Scheduled => 3,
        ReferralStatus.ProcedureDone => 4,
        ReferralStatus.Discharged => 5,
        _ => 0,
    };
}

/// <summary>What scheduling needs to know of the anaesthesia plan (signed FIT / FIT_WITH_CONDITIONS, NOT_FIT, sedation, assessment date).</summary>
public sealed record ClearanceView(bool IsSigned, bool IsNotFit, SedationMode Sedation)
{
    /// <summary>When the anaesthesia consultation took place (AnesthesiaPlan.assessed_at), when known.</summary>
    public DateTimeOffset? AssessedAt { get; init; }
}
