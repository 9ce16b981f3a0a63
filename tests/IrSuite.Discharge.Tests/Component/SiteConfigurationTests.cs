using IrSuite.Contracts.Discharge;
using IrSuite.Discharge.Domain;
using SiteProtocol = IrSuite.ServiceDefaults.Clinical.SiteProtocol;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Discharge.Tests.Component;

/// <summary>A site with a shorter observation minimum and its own instructions (as the distributed end-to-end test configures).</summary>
public sealed class SiteConfigurationTests : DischargeComponentTest
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["SiteProtocol:Observation:Minimum:Value"] = "00:30:00",
        ["SiteProtocol:Discharge:Instructions:no-driving:Text"] = "No driving for 2 days.",
        ["SiteProtocol:Discharge:Instructions:no-heavy-lifting:Text"] = "No lifting over 4.5 kg for 3 months.",
        ["SiteProtocol:Discharge:Instructions:rest:Text"] = "",
        ["SiteProtocol:Discharge:Instructions:call-for-fever:Text"] = "",
        ["SiteProtocol:Discharge:Instructions:report-skin:Text"] = "",
    };

    [Fact]
    public async Task Discharge_SiteMinimumAndInstructions_Applied()
    {
        var (referralId, _) = await OpenObservationAsync();
        var started = await Host.Events.WaitForAsync<ObservationStarted>(e => e.ReferralId == referralId);
        Assert.Equal(Start.AddMinutes(30), started.MinimumUntil);
        await Host.RecordObservationAsync(GoodObservation(referralId));

        Clock.Advance(TimeSpan.FromMinutes(29));
        await AssertGateAsync(Host.DischargeAsync(HomeDischarge(referralId)), DischargeRules.ObservationMinimumNotElapsed);
        Clock.Advance(TimeSpan.FromMinutes(1));
        var summary = await Host.DischargeAsync(HomeDischarge(referralId));

        Assert.Equal(["No driving for 2 days.", "No lifting over 4.5 kg for 3 months."], summary.Instructions);
        Assert.Equal(TimeSpan.FromMinutes(30), summary.Observation.ToTimeSpan());
        Assert.Equal(["no-driving", "no-heavy-lifting"], summary.CodedInstructions.Select(i => i.Code));
        Assert.Equal(Host.Services.GetRequiredService<SiteProtocol>().AppliedVersion, summary.ProtocolVersion);
    }
}
