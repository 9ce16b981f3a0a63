using Google.Protobuf.WellKnownTypes;
using IrSuite.Scheduling.V1;
using IrSuite.TestSupport;

namespace IrSuite.Scheduling.Tests.Component;

/// <summary>RecordConsent and RecordLabs, and the lab items of the readiness gate (SIR 2019, clinical-anchors R7/R8).</summary>
public sealed class LabsAndConsentTests : SchedulingComponentTest
{
    [Fact]
    public async Task RecordConsent_LevelsEqualRequested_StoredWithProtocolVersion()
    {
        var referral = await AcceptedReferralAsync();

        var consent = await ConsentAsync(referral.ReferralId, "l2", "L1");

        Assert.Equal(["L1", "L2"], consent.ConsentedLevels);
        Assert.Equal(TestIdentity.DefaultSubject, consent.PractitionerId); // the caller's token subject
        Assert.Equal(Protocol.AppliedVersion, consent.ProtocolVersion);
    }

    [Fact]
    public async Task RecordConsent_LevelsDifferFromRequested_RefusedAndNothingStored()
    {
        var referral = await AcceptedReferralAsync();

        await AssertGateAsync(ConsentAsync(referral.ReferralId, "L1", "L3"), "CONSENT_LEVELS_MISMATCH");

        Assert.Equal(0, await Host.CountAsync("consent"));
        SetPlan(referral.ReferralId);
        await LabsAsync(referral.ReferralId);
        await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "CONSENT_REQUIRED");
    }

    [Fact]
    public async Task RecordConsent_InformationNotAcknowledgedOrBadFields_InvalidArgumentNamingEachField()
    {
        var referral = await AcceptedReferralAsync();
        var request = ConsentRequest(referral.ReferralId, ["L1", "X9"]);
        request.ProcedureInformationGiven = false;
        request.AnesthesiaInformationGiven = false;
        request.RadiationInformationGiven = false;
        request.SignedAt = Timestamp.FromDateTimeOffset(Now.AddDays(1));

        var fields = await AssertInvalidAsync(Host.RecordConsentAsync(request));

        Assert.Equal(
            ["procedure_information_given", "anesthesia_information_given", "radiation_information_given", "consented_levels[1]", "signed_at"],
            fields);
        Assert.Equal(0, await Host.CountAsync("consent"));
    }

    [Fact]
    public async Task RecordConsent_ReferralNotAccepted_RefusedReferralNotAccepted()
    {
        var referral = await Host.SubmitReferralAsync(NewReferral());

        await AssertGateAsync(ConsentAsync(referral.ReferralId), "REFERRAL_NOT_ACCEPTED");
        Assert.Equal(0, await Host.CountAsync("consent"));
    }

    [Fact]
    public async Task RecordLabs_OutOfRangeValues_InvalidArgumentNamingEachField()
    {
        var referral = await AcceptedReferralAsync();
        var request = new RecordLabsRequest
        {
            ReferralId = referral.ReferralId, Inr = 11, PlateletsGPerL = 2001, CreatinineClearanceMlMin = 300, TakenAt = Timestamp.FromDateTimeOffset(Now.AddHours(2)),
        };

        var fields = await AssertInvalidAsync(Host.RecordLabsAsync(request));

        Assert.Equal(["inr", "platelets_g_per_l", "creatinine_clearance_ml_min", "taken_at"], fields);
        Assert.Equal(0, await Host.CountAsync("lab_result"));
    }

    [Fact]
    public async Task RecordLabs_Valid_ReturnsThemWithProtocolVersion()
    {
        var referral = await AcceptedReferralAsync();

        var labs = await LabsAsync(referral.ReferralId, inr: 1.2, platelets: 180, crcl: 42);

        Assert.Equal(1.2, labs.Inr);
        Assert.Equal(180, labs.PlateletsGPerL);
        Assert.Equal(42, labs.CreatinineClearanceMlMin);
        Assert.Equal(Protocol.AppliedVersion, labs.ProtocolVersion);
    }

    [Fact]
    public async Task BookProcedure_NoLabs_RefusedLabsRequiredOnce()
    {
        var referral = await AcceptedReferralAsync();
        SetPlan(referral.ReferralId);
        await ConsentAsync(referral.ReferralId);

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "LABS_REQUIRED");

        Assert.Equal(["LABS_REQUIRED"], Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_LabsOlderThanValidityDays_RefusedLabsExpired()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, takenAt: Slot.AddDays(-5).AddMinutes(-1));

        await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "LABS_EXPIRED");
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_LabsExactlyValidityDaysOld_Books()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, takenAt: Slot.AddDays(-5));

        Assert.False((await Host.BookAsync(Procedure(referral.ReferralId))).Cancelled);
    }

    [Fact]
    public async Task BookProcedure_StoppingWarfarinLabsThreeDaysOld_RefusedLabsExpired()
    {
        var referral = await ReadyReferralAsync(NewReferral(Drug("Warfarin")));
        await LabsAsync(referral.ReferralId, takenAt: Slot.AddDays(-3).AddHours(-2));
        await Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest
        {
            ReferralId = referral.ReferralId, LastDoses = { new LastDose { Drug = "warfarin", LastDoseAt = Timestamp.FromDateTimeOffset(Now.AddDays(-5)) } },
        });

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "LABS_EXPIRED");

        Assert.Contains("LabValidityDaysWhenStoppingWarfarin", ex.Status.Detail, StringComparison.Ordinal);
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_StoppingWarfarinLabsOneDayOld_Books()
    {
        var referral = await ReadyReferralAsync(NewReferral(Drug("warfarin")));
        Clock.Advance(TimeSpan.FromDays(2));
        await LabsAsync(referral.ReferralId, takenAt: Slot.AddDays(-1).AddHours(-2));
        await Host.PlanAnticoagulationAsync(new PlanAnticoagulationRequest
        {
            ReferralId = referral.ReferralId, LastDoses = { new LastDose { Drug = "warfarin", LastDoseAt = Timestamp.FromDateTimeOffset(Now.AddDays(-5)) } },
        });

        Assert.False((await Host.BookAsync(Procedure(referral.ReferralId))).Cancelled);
    }

    [Fact]
    public async Task BookProcedure_InrAboveLimit_RefusedInrAboveLimit()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, inr: 1.6);

        await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "INR_ABOVE_LIMIT");
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_InrAtLimit_Books()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, inr: 1.5);

        Assert.False((await Host.BookAsync(Procedure(referral.ReferralId))).Cancelled);
    }

    [Fact]
    public async Task BookProcedure_PlateletsBelowLimit_RefusedWithInrToo()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, inr: 2.0, platelets: 49);

        var ex = await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "INR_ABOVE_LIMIT");

        Assert.Equal(["INR_ABOVE_LIMIT", "PLATELETS_BELOW_LIMIT"], Violations(ex));
        await AssertNothingBookedAsync(referral.ReferralId);
    }

    [Fact]
    public async Task BookProcedure_PlateletsAtLimit_Books()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, platelets: 50);

        Assert.False((await Host.BookAsync(Procedure(referral.ReferralId))).Cancelled);
    }
}

/// <summary>The site may loosen INR up to 1.8 (SIR 2019, operator discretion): the gate reads the protocol.</summary>
public sealed class SiteInrLimitTests : SchedulingComponentTest
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["SiteProtocol:Bleeding:InrMax:Value"] = "1.8" };

    [Fact]
    public async Task BookProcedure_Inr17WithSiteLimit18_Books()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, inr: 1.7);

        Assert.False((await Host.BookAsync(Procedure(referral.ReferralId))).Cancelled);
    }

    [Fact]
    public async Task BookProcedure_Inr19WithSiteLimit18_RefusedInrAboveLimit()
    {
        var referral = await ReadyReferralAsync();
        await LabsAsync(referral.ReferralId, inr: 1.9);

        await AssertGateAsync(Host.BookAsync(Procedure(referral.ReferralId)), "INR_ABOVE_LIMIT");
    }
}
