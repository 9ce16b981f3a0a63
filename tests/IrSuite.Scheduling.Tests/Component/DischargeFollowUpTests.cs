using Google.Protobuf.WellKnownTypes;
using IrSuite.Contracts;
using IrSuite.Contracts.Anesthesia;
using IrSuite.Contracts.Clinical;
using IrSuite.Contracts.Discharge;
using IrSuite.Contracts.Procedure;
using IrSuite.Contracts.Scheduling;
using IrSuite.Scheduling.V1;

namespace IrSuite.Scheduling.Tests.Component;

/// <summary>What PatientDischarged sets off (1-month follow-up with X-ray, fracture-liaison referral), and the new timeline consumers.</summary>
public sealed class DischargeFollowUpTests : SchedulingComponentTest
{
    private static readonly DateTimeOffset DischargedAt = Slot.AddHours(6);

    private async Task<Referral> DischargedAsync(bool osteoporosisSuspected, SubmitReferralRequest? request = null, Guid? messageId = null)
    {
        var referral = await ReadyReferralAsync(request, osteoporosisSuspected);
        await Host.BookAsync(Procedure(referral.ReferralId));
        await Host.PublishAndWaitAsync(Discharged(referral), messageId);
        return referral;
    }

    private static PatientDischarged Discharged(Referral referral) =>
        new(Guid.Parse(referral.ReferralId), Guid.Parse(referral.PatientId), "HOME", DischargedAt);

    [Fact]
    public async Task PatientDischarged_BooksFollowUpWithXRayAfterSiteDays()
    {
        var referral = await DischargedAsync(osteoporosisSuspected: false);

        var pathway = await Host.GetPathwayAsync(referral.ReferralId);
        Assert.NotNull(pathway.FollowUp);
        Assert.Equal(DischargedAt.AddDays(30), pathway.FollowUp.Start.ToDateTimeOffset());
        Assert.True(pathway.FollowUp.WithXray);
        Assert.Equal(Protocol.AppliedVersion, pathway.FollowUp.ProtocolVersion);
        Assert.Equal(ReferralStatus.Discharged, pathway.Referral.Status);
        Assert.Null(pathway.FractureLiaison);
        var booked = await Host.Events.WaitForAsync<FollowUpBooked>(e => e.ReferralId.ToString() == referral.ReferralId);
        Assert.True(booked.WithXRay);
        Assert.Equal(0, await Host.OutboxCountAsync(nameof(FractureLiaisonReferralRequested)));
    }

    [Fact]
    public async Task PatientDischarged_OsteoporosisSuspected_CreatesFractureLiaisonDueTwelveWeeksAfterImaging()
    {
        var referral = await DischargedAsync(osteoporosisSuspected: true);

        var pathway = await Host.GetPathwayAsync(referral.ReferralId);
        Assert.True(pathway.Referral.OsteoporosisSuspected);
        Assert.NotNull(pathway.FractureLiaison);
        Assert.Equal(ImagingAt, pathway.FractureLiaison.FractureAt.ToDateTimeOffset());
        Assert.Equal(ImagingAt.AddDays(84), pathway.FractureLiaison.DueBy.ToDateTimeOffset());
        var requested = await Host.Events.WaitForAsync<FractureLiaisonReferralRequested>(e => e.ReferralId.ToString() == referral.ReferralId);
        Assert.Equal(ImagingAt.AddDays(84), requested.DueBy);
        Assert.Equal(Protocol.AppliedVersion, requested.ProtocolVersion);
    }

    [Fact]
    public async Task PatientDischarged_OsteoporosisSuspectedWithoutImaging_UsesReferralDate()
    {
        var request = NewReferral();
        request.Imaging.Clear();
        var referral = await DischargedAsync(osteoporosisSuspected: true, request);

        var pathway = await Host.GetPathwayAsync(referral.ReferralId);
        Assert.Equal(Now, pathway.FractureLiaison.FractureAt.ToDateTimeOffset());
        Assert.Equal(Now.AddDays(84), pathway.FractureLiaison.DueBy.ToDateTimeOffset());
    }

    [Fact]
    public async Task PatientDischarged_TumourIndication_NoFractureLiaison()
    {
        var request = NewReferral();
        request.Indication = Indication.Tumour;
        var referral = await DischargedAsync(osteoporosisSuspected: true, request);

        Assert.Null((await Host.GetPathwayAsync(referral.ReferralId)).FractureLiaison);
        Assert.Equal(0, await Host.CountAsync("fracture_liaison"));
    }

    [Fact]
    public async Task PatientDischarged_RedeliveredAndRepublished_NeverDoubleBooks()
    {
        var messageId = Guid.NewGuid();
        var referral = await DischargedAsync(osteoporosisSuspected: true, messageId: messageId);

        await Host.PublishAndWaitAsync(Discharged(referral), messageId);
        await Host.PublishAndWaitAsync(Discharged(referral));

        var pathway = await Host.GetPathwayAsync(referral.ReferralId);
        Assert.Single(pathway.Appointments, a => a.Kind == AppointmentKind.FollowUp);
        Assert.Equal(1, await Host.OutboxCountAsync(nameof(FollowUpBooked)));
        Assert.Equal(1, await Host.OutboxCountAsync(nameof(FractureLiaisonReferralRequested)));
        Assert.Equal(1, await Host.CountAsync("fracture_liaison"));
    }

    [Fact]
    public async Task BookFollowUp_WhenOneExists_AlreadyExistsAndWritesNothing()
    {
        var referral = await DischargedAsync(osteoporosisSuspected: false);
        var before = await Host.CountAsync("appointment");

        var ex = await Assert.ThrowsAsync<IrSuite.Grpc.RpcException>(() => Host.BookAsync(new BookAppointmentRequest
        {
            ReferralId = referral.ReferralId, Kind = AppointmentKind.FollowUp, Start = Timestamp.FromDateTimeOffset(DischargedAt.AddDays(28)), DurationMinutes = 30,
        }));

        Assert.Equal(IrSuite.Grpc.StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Equal(before, await Host.CountAsync("appointment"));
        Assert.Equal(1, await Host.OutboxCountAsync(nameof(FollowUpBooked)));
    }

    [Fact]
    public async Task BookFollowUp_AfterCancellingTheAutomaticOne_BooksWithXRay()
    {
        var referral = await DischargedAsync(osteoporosisSuspected: false);
        var automatic = (await Host.GetPathwayAsync(referral.ReferralId)).FollowUp;
        await Host.CancelAsync(new CancelAppointmentRequest { AppointmentId = automatic.AppointmentId, Reason = "patient request" });

        var manual = await Host.BookAsync(new BookAppointmentRequest
        {
            ReferralId = referral.ReferralId, Kind = AppointmentKind.FollowUp, Start = Timestamp.FromDateTimeOffset(DischargedAt.AddDays(28)), DurationMinutes = 30,
        });

        Assert.True(manual.WithXray);
        Assert.Equal(manual.AppointmentId, (await Host.GetPathwayAsync(referral.ReferralId)).FollowUp.AppointmentId);
    }

    [Fact]
    public async Task TimelineConsumers_NewEvents_RecordedWithCodes()
    {
        var referral = await ReadyReferralAsync();
        var referralId = Guid.Parse(referral.ReferralId);
        var patientId = Guid.Parse(referral.PatientId);

        await Host.PublishAndWaitAsync(new PreAnestheticVisitRecorded(referralId, patientId, Slot.AddHours(-2), "anaes-1", Slot.AddHours(-2)));
        await Host.PublishAndWaitAsync(new EscalationRaised(referralId, patientId, EscalationCodes.SymptomaticCementLeak, "procedure-record", "L1", Slot.AddMinutes(40)));
        await Host.PublishAndWaitAsync(new EscalationRaised(referralId, patientId, EscalationCodes.NewNeurologicalDeficit, "discharge", "", Slot.AddHours(2)));
        await Host.PublishAndWaitAsync(new SkinDoseFollowUpRequired(referralId, patientId, 5400, Slot.AddDays(30), Slot.AddHours(1)));

        var timeline = (await Host.GetPathwayAsync(referral.ReferralId)).Timeline;
        var visit = Assert.Single(timeline, t => t.Event == nameof(PreAnestheticVisitRecorded));
        Assert.Equal("anesthesia-consultation", visit.Source);
        Assert.StartsWith("PRE_ANESTHETIC_VISIT", visit.Summary, StringComparison.Ordinal);
        var escalations = timeline.Where(t => t.Event == nameof(EscalationRaised)).ToList();
        Assert.Equal(2, escalations.Count);
        Assert.Equal("SYMPTOMATIC_CEMENT_LEAK at L1, raised by procedure-record", escalations[0].Summary);
        Assert.Equal("NEW_NEUROLOGICAL_DEFICIT, raised by discharge", escalations[1].Summary);
        var skin = Assert.Single(timeline, t => t.Event == nameof(SkinDoseFollowUpRequired));
        Assert.Equal("SKIN_DOSE_FOLLOW_UP: air kerma 5400 mGy, skin check by 2026-12-26", skin.Summary);
    }

    [Fact]
    public async Task TimelineConsumers_RedeliveredEscalation_RecordedOnce()
    {
        var referral = await ReadyReferralAsync();
        var message = new EscalationRaised(Guid.Parse(referral.ReferralId), Guid.Parse(referral.PatientId), EscalationCodes.SymptomaticCementLeak, "procedure-record", "L2", Slot);
        var messageId = Guid.NewGuid();

        await Host.PublishAndWaitAsync(message, messageId);
        await Host.PublishAndWaitAsync(message, messageId);

        Assert.Single((await Host.GetPathwayAsync(referral.ReferralId)).Timeline, t => t.Event == nameof(EscalationRaised));
    }
}
