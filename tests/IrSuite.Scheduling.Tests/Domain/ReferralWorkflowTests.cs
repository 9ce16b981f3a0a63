using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Scheduling.Domain;
using IrSuite.Scheduling.V1;

namespace IrSuite.Scheduling.Tests.Domain;

public sealed class ReferralWorkflowTests
{
    [Theory]
    [InlineData(true, ReferralStatus.Accepted)]
    [InlineData(false, ReferralStatus.Declined)]
    public void DecideConsult_SubmittedReferral_IsAcceptedOrDeclined(bool accepted, ReferralStatus expected) =>
        Assert.Equal(expected, ReferralWorkflow.DecideConsult(ReferralStatus.Submitted, accepted));

    [Theory]
    [InlineData(ReferralStatus.Accepted)]
    [InlineData(ReferralStatus.Declined)]
    [InlineData(ReferralStatus.Scheduled)]
    public void DecideConsult_AlreadyDecided_IsRefused(ReferralStatus status) =>
        AssertGate("REFERRAL_NOT_PENDING", () => ReferralWorkflow.DecideConsult(status, true));

    [Theory]
    [InlineData(ReferralStatus.Submitted, AppointmentKind.IrConsult)]
    [InlineData(ReferralStatus.Accepted, AppointmentKind.IrConsult)]
    [InlineData(ReferralStatus.Accepted, AppointmentKind.AnesthesiaConsult)]
    [InlineData(ReferralStatus.Scheduled, AppointmentKind.AnesthesiaConsult)]
    [InlineData(ReferralStatus.Accepted, AppointmentKind.Procedure)]
    [InlineData(ReferralStatus.ProcedureDone, AppointmentKind.FollowUp)]
    [InlineData(ReferralStatus.Discharged, AppointmentKind.FollowUp)]
    public void CheckCanBook_PermittedCombinations(ReferralStatus status, AppointmentKind kind) =>
        ReferralWorkflow.CheckCanBook(status, kind);

    [Theory]
    [InlineData(ReferralStatus.Submitted, AppointmentKind.AnesthesiaConsult, "REFERRAL_NOT_ACCEPTED")]
    [InlineData(ReferralStatus.Submitted, AppointmentKind.Procedure, "IR_CONSULT_REQUIRED")]
    [InlineData(ReferralStatus.Declined, AppointmentKind.Procedure, "IR_CONSULT_REQUIRED")]
    [InlineData(ReferralStatus.ProcedureDone, AppointmentKind.Procedure, "REFERRAL_NOT_ACCEPTED")]
    [InlineData(ReferralStatus.Scheduled, AppointmentKind.Procedure, "PROCEDURE_ALREADY_BOOKED")]
    [InlineData(ReferralStatus.Accepted, AppointmentKind.FollowUp, "PROCEDURE_NOT_DONE")]
    [InlineData(ReferralStatus.Declined, AppointmentKind.IrConsult, "REFERRAL_CLOSED")]
    public void CheckCanBook_RefusedCombinations_NameTheRule(ReferralStatus status, AppointmentKind kind, string rule) =>
        AssertGate(rule, () => ReferralWorkflow.CheckCanBook(status, kind));

    [Theory]
    [InlineData(ReferralStatus.Scheduled, ReferralStatus.ProcedureDone, ReferralStatus.ProcedureDone)]
    [InlineData(ReferralStatus.ProcedureDone, ReferralStatus.Discharged, ReferralStatus.Discharged)]
    [InlineData(ReferralStatus.Discharged, ReferralStatus.ProcedureDone, ReferralStatus.Discharged)]
    [InlineData(ReferralStatus.Accepted, ReferralStatus.Discharged, ReferralStatus.Discharged)]
    public void AfterEvent_StatusOnlyMovesForward(ReferralStatus current, ReferralStatus reported, ReferralStatus expected) =>
        Assert.Equal(expected, ReferralWorkflow.AfterEvent(current, reported));

    private static void AssertGate(string rule, Action action)
    {
        var ex = Assert.Throws<RpcException>(action);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(rule, ex.GetDetail<ErrorInfo>()?.Type);
    }
}
