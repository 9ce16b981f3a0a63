using Google.Protobuf.WellKnownTypes;
using IrSuite.Contracts;
using IrSuite.Contracts.Scheduling;
using IrSuite.Scheduling.V1;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Scheduling.Tests.Component;

/// <summary>Recovery-bed capacity (REC-1..REC-n held from the slot end for the minimum observation), rooms, admission, protocol version.</summary>
public sealed class BookingTests : SchedulingComponentTest
{
    [Fact]
    public async Task BookProcedure_NoBedGiven_AssignsFirstFreeBed()
    {
        var first = await ReadyReferralAsync();
        var second = await ReadyReferralAsync();

        var a = await Host.BookAsync(Procedure(first.ReferralId, room: "IR-1"));
        var b = await Host.BookAsync(Procedure(second.ReferralId, room: "IR-2"));

        Assert.Equal("REC-1", a.RecoveryBed);
        Assert.Equal("REC-2", b.RecoveryBed);
    }

    [Fact]
    public async Task BookProcedure_NamedBedTakenDuringObservation_RefusedBedUnavailable()
    {
        var first = await ReadyReferralAsync();
        var second = await ReadyReferralAsync();
        await Host.BookAsync(Procedure(first.ReferralId, room: "IR-1", bed: "REC-3"));

        // The first bed is held 10:00-12:00 (slot end + 2 h); this slot ends at 11:30.
        await AssertGateAsync(Host.BookAsync(Procedure(second.ReferralId, start: Slot.AddMinutes(90), room: "IR-2", bed: "rec-3")), "RECOVERY_BED_UNAVAILABLE");
        await AssertNothingBookedAsync(second.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_NamedBedFreeAfterMinimumObservation_Books()
    {
        var first = await ReadyReferralAsync();
        var second = await ReadyReferralAsync();
        await Host.BookAsync(Procedure(first.ReferralId, room: "IR-1", bed: "REC-3"));

        var appointment = await Host.BookAsync(Procedure(second.ReferralId, start: Slot.AddHours(2), room: "IR-1", bed: "REC-3"));

        Assert.Equal("REC-3", appointment.RecoveryBed);
    }

    [Fact]
    public async Task BookProcedure_BedOutsideSiteRange_InvalidArgument()
    {
        var referral = await ReadyReferralAsync();

        var fields = await AssertInvalidAsync(Host.BookAsync(Procedure(referral.ReferralId, bed: "REC-5")));

        Assert.Equal(["recovery_bed"], fields);
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_RoomTaken_RefusedRoomUnavailable()
    {
        var first = await ReadyReferralAsync();
        var second = await ReadyReferralAsync();
        await Host.BookAsync(Procedure(first.ReferralId, room: "IR-1"));

        await AssertGateAsync(Host.BookAsync(Procedure(second.ReferralId, start: Slot.AddMinutes(30), room: "IR-1")), "ROOM_UNAVAILABLE");
        await AssertNothingBookedAsync(second.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_HospitalisedAdmission_StoredShownAndPublished()
    {
        var referral = await ReadyReferralAsync();
        var request = Procedure(referral.ReferralId);
        request.Admission = CommonV1.AdmissionType.Hospitalised;

        var appointment = await Host.BookAsync(request);

        Assert.Equal(CommonV1.AdmissionType.Hospitalised, appointment.Admission);
        Assert.Equal(CommonV1.AdmissionType.Hospitalised, (await Host.GetPathwayAsync(referral.ReferralId)).Appointments.Single().Admission);
        var scheduled = await Host.Events.WaitForAsync<ProcedureScheduled>(e => e.ReferralId.ToString() == referral.ReferralId);
        Assert.Equal(AdmissionCodes.Hospitalised, scheduled.Admission);
    }

    [Fact]
    public async Task BookConsult_WithAdmission_InvalidArgument()
    {
        var referral = await AcceptedReferralAsync();

        var fields = await AssertInvalidAsync(Host.BookAsync(new BookAppointmentRequest
        {
            ReferralId = referral.ReferralId, Kind = AppointmentKind.AnesthesiaConsult, Start = Timestamp.FromDateTimeOffset(Slot), DurationMinutes = 30,
            Admission = CommonV1.AdmissionType.Hospitalised,
        }));

        Assert.Equal(["admission"], fields);
    }

    [Fact]
    public async Task SubmitReferral_StoresAndReturnsProtocolVersion()
    {
        var referral = await Host.SubmitReferralAsync(NewReferral());

        Assert.Equal(Protocol.AppliedVersion, referral.ProtocolVersion);
        Assert.Equal(Protocol.AppliedVersion, (await Host.GetReferralAsync(referral.ReferralId)).ProtocolVersion);
    }

    [Fact]
    public async Task CancelProcedure_FreesTheBed()
    {
        var first = await ReadyReferralAsync();
        var second = await ReadyReferralAsync();
        var booked = await Host.BookAsync(Procedure(first.ReferralId, room: "IR-1", bed: "REC-1"));
        await Host.CancelAsync(new CancelAppointmentRequest { AppointmentId = booked.AppointmentId, Reason = "patient request" });

        var appointment = await Host.BookAsync(Procedure(second.ReferralId, room: "IR-1", bed: "REC-1"));

        Assert.Equal("REC-1", appointment.RecoveryBed);
    }
}

/// <summary>Site with one recovery bed, a 30-minute minimum observation and hospitalised by default.</summary>
public sealed class SmallSiteBookingTests : SchedulingComponentTest
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["SiteProtocol:Scheduling:RecoveryBeds"] = "1",
        ["SiteProtocol:Observation:Minimum:Value"] = "00:30:00",
        ["SiteProtocol:Scheduling:DefaultAdmission"] = "Hospitalised",
    };

    [Fact]
    public async Task BookProcedure_AllBedsTaken_RefusedBedUnavailable()
    {
        var first = await ReadyReferralAsync();
        var second = await ReadyReferralAsync();
        await Host.BookAsync(Procedure(first.ReferralId, room: "IR-1"));

        await AssertGateAsync(Host.BookAsync(Procedure(second.ReferralId, start: Slot.AddMinutes(15), room: "IR-2")), "RECOVERY_BED_UNAVAILABLE");
        await AssertNothingBookedAsync(second.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_AfterSiteMinimumObservation_BedFreeAgain()
    {
        var first = await ReadyReferralAsync();
        var second = await ReadyReferralAsync();
        await Host.BookAsync(Procedure(first.ReferralId, room: "IR-1"));

        // First bed held 10:00-10:30; this slot (IR-2, 09:30-10:30) takes it from 10:30.
        var appointment = await Host.BookAsync(Procedure(second.ReferralId, start: Slot.AddMinutes(30), room: "IR-2"));

        Assert.Equal("REC-1", appointment.RecoveryBed);
    }

    [Fact]
    public async Task BookProcedure_NoAdmissionGiven_TakesSiteDefault()
    {
        var referral = await ReadyReferralAsync();

        var appointment = await Host.BookAsync(Procedure(referral.ReferralId));

        Assert.Equal(CommonV1.AdmissionType.Hospitalised, appointment.Admission);
    }

    [Fact]
    public async Task BookProcedure_BedTwoWithOneBedSite_InvalidArgument()
    {
        var referral = await ReadyReferralAsync();

        Assert.Equal(["recovery_bed"], await AssertInvalidAsync(Host.BookAsync(Procedure(referral.ReferralId, bed: "REC-2"))));
    }
}
