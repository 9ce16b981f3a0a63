using IrSuite.Contracts;
using IrSuite.ServiceDefaults.Clinical;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IrSuite.ServiceDefaults.Tests;

/// <summary>The site protocol: DOMAIN.md defaults, site overrides (section and file), validation and the applied version.</summary>
public sealed class SiteProtocolTests
{
    private static SiteProtocol Load(IDictionary<string, string?>? settings = null) =>
        SiteProtocolSetup.Load(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());

    [Fact]
    public void Defaults_AreDomainValuesWithSources()
    {
        var protocol = Load();

        Assert.Empty(protocol.Validate());
        Assert.Equal(1.5, protocol.Bleeding.InrMax.Value);
        Assert.Contains("SIR 2019", protocol.Bleeding.InrMax.Source, StringComparison.Ordinal);
        Assert.Equal(50, protocol.Bleeding.PlateletsMinGPerL.Value);
        Assert.Equal(TimeSpan.FromHours(2), protocol.Observation.Minimum.Value);
        Assert.Equal(5000, protocol.Dose.SkinFollowUpAirKermaMgy.Value);
        Assert.Equal((2, 6, 8), (protocol.Anesthesia.ClearLiquidsHours.Value, protocol.Anesthesia.LightMealHours.Value, protocol.Anesthesia.FattyMealHours.Value));
        Assert.Equal(2, protocol.Anesthesia.ConsultLeadDays.Value);
        Assert.Equal(24, protocol.Anesthesia.PreAnestheticVisitWithinHours.Value);
        Assert.Equal(5, protocol.Bleeding.DrugHolds["warfarin"].HoldDays);
        Assert.Equal(5, protocol.ActiveInstructionCount());
        Assert.StartsWith("defaults-2026.1#", protocol.AppliedVersion, StringComparison.Ordinal);
        Assert.All(typeof(BleedingRiskRules).GetProperties().Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(Threshold<>)),
            p => Assert.NotEmpty(((dynamic)p.GetValue(protocol.Bleeding)!).Source));
    }

    [Theory]
    [InlineData(null, 2)]
    [InlineData(45.0, 2)]
    [InlineData(29.0, 3)]
    public void DrugHold_ApixabanByCreatinineClearance(double? crcl, double expected) =>
        Assert.Equal(expected, Load().Bleeding.DrugHolds["apixaban"].HoldDaysFor(crcl));

    [Theory]
    [InlineData(80.0, 2)]
    [InlineData(40.0, 3)]
    [InlineData(20.0, 4)]
    public void DrugHold_DabigatranTwoToFourDaysByCreatinineClearance(double crcl, double expected) =>
        Assert.Equal(expected, Load().Bleeding.DrugHolds["dabigatran"].HoldDaysFor(crcl));

    [Fact]
    public void SectionOverride_ChangesOnlyWhatItNames_AndTheFingerprint()
    {
        var defaults = Load();
        var site = Load(new Dictionary<string, string?>
        {
            ["SiteProtocol:Version"] = "chu-example-2026.2",
            ["SiteProtocol:Bleeding:InrMax:Value"] = "1.8",
            ["SiteProtocol:Bleeding:InrMax:Source"] = "Local IR committee 2026-10",
            ["SiteProtocol:Bleeding:DrugHolds:Warfarin:HoldDays"] = "6",
            ["SiteProtocol:Bleeding:DrugHolds:tinzaparin:Kind"] = "Anticoagulant",
            ["SiteProtocol:Bleeding:DrugHolds:tinzaparin:HoldDays"] = "1",
            ["SiteProtocol:Discharge:Instructions:no-driving:Text"] = "No driving for 2 days.",
            ["SiteProtocol:Discharge:Instructions:report-skin:Text"] = "",
            ["SiteProtocol:Observation:GettingUp"] = "NextDay",
        });

        Assert.Empty(site.Validate());
        Assert.Equal(1.8, site.Bleeding.InrMax.Value);
        Assert.Equal("Local IR committee 2026-10", site.Bleeding.InrMax.Source);
        Assert.Equal(6, site.Bleeding.DrugHolds["warfarin"].HoldDays);
        Assert.Equal(DrugKind.Anticoagulant, site.Bleeding.DrugHolds["warfarin"].Kind);
        Assert.Equal(1, site.Bleeding.DrugHolds["tinzaparin"].HoldDays);
        Assert.Equal(7, site.Bleeding.DrugHolds["prasugrel"].HoldDays);
        Assert.Equal(["No driving for 24 hours.".Replace("24 hours", "2 days", StringComparison.Ordinal), "Rest and limit activity for 48 hours.", "No heavy lifting for 2 weeks.", "Call the department at once for fever, chills or unusual pain."],
            site.Discharge.ActiveInstructions().Select(i => i.Value.Text));
        Assert.Equal(GettingUpPolicy.NextDay, site.Observation.GettingUp);
        Assert.StartsWith("chu-example-2026.2#", site.AppliedVersion, StringComparison.Ordinal);
        Assert.NotEqual(defaults.AppliedVersion.Split('#')[1], site.AppliedVersion.Split('#')[1]);
        Assert.Equal(defaults.AppliedVersion, Load().AppliedVersion);
    }

    [Fact]
    public void SiteFile_IsReadThenTheSectionWins()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("irsuite-protocol-").FullName, "site.json");
        File.WriteAllText(file, """
            {
              "Site": "CHU Example - IR",
              "Version": "2026.3",
              "SignedOffBy": "IR committee",
              "Bleeding": { "PlateletsMinGPerL": { "Value": 75, "Source": "Local" } },
              "Observation": { "Minimum": { "Value": "03:00:00", "Source": "Local" } }
            }
            """);
        try
        {
            var protocol = Load(new Dictionary<string, string?>
            {
                ["SiteProtocol:File"] = file,
                ["SiteProtocol:Observation:Minimum:Value"] = "02:30:00",
            });

            Assert.Equal("CHU Example - IR", protocol.Site);
            Assert.Equal("IR committee", protocol.SignedOffBy);
            Assert.Equal(75, protocol.Bleeding.PlateletsMinGPerL.Value);
            Assert.Equal(TimeSpan.FromMinutes(150), protocol.Observation.Minimum.Value);
            Assert.StartsWith("2026.3#", protocol.AppliedVersion, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("SiteProtocol:Bleeding:InrMax:Value", "2.0", "InrMax")]
    [InlineData("SiteProtocol:Bleeding:PlateletsMinGPerL:Value", "30", "PlateletsMinGPerL")]
    [InlineData("SiteProtocol:Anesthesia:ClearLiquidsHours:Value", "1", "fasting")]
    [InlineData("SiteProtocol:TimeZone", "Mars/Olympus", "TimeZone")]
    [InlineData("SiteProtocol:Bleeding:DrugHolds:apixaban:HoldDaysWhenCrClBelow:30", "1", "apixaban")]
    public void InvalidProtocol_IsRefusedNamingTheSetting(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Load(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(error.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void LocalTimes_UseTheSiteTimeZone()
    {
        var protocol = Load();
        var instant = new DateTimeOffset(2026, 12, 3, 23, 30, 0, TimeSpan.Zero);

        // 23:30 UTC on 3 December is 00:30 on 4 December in Paris (UTC+1 in winter).
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.FromHours(1)), protocol.LocalDayStart(instant));
        Assert.Equal(new DateTimeOffset(2026, 7, 1, 17, 0, 0, TimeSpan.FromHours(2)), protocol.LocalTime(new DateOnly(2026, 7, 1), new TimeOnly(17, 0)));
    }

    [Theory]
    [InlineData("Penicillin (rash)", AllergyCodes.BetaLactam)]
    [InlineData("cefazolin", AllergyCodes.BetaLactam)]
    [InlineData("Latex", AllergyCodes.Latex)]
    [InlineData("iodinated contrast", AllergyCodes.IodinatedContrast)]
    [InlineData("lidocaine", AllergyCodes.LocalAnesthetic)]
    [InlineData("Chlorhexidine", AllergyCodes.Chlorhexidine)]
    [InlineData("peanuts", AllergyCodes.Other)]
    public void AllergyClassifier_MapsTextToClasses(string allergy, string code) =>
        Assert.Equal([code], AllergyClassifier.Classify([allergy], Load().Antibiotics));
}

internal static class SiteProtocolTestExtensions
{
    public static int ActiveInstructionCount(this SiteProtocol protocol) => protocol.Discharge.ActiveInstructions().Count;
}

/// <summary>The example site file shipped in deploy/site stays valid and means what its comments say.</summary>
public sealed class ExampleSiteFileTests
{
    [Fact]
    public void ExampleSiteFile_LoadsAndValidates()
    {
        var file = Path.Combine(RepoRoot(), "deploy", "site", "site-protocol.example.json");
        var protocol = SiteProtocolSetup.Load(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["SiteProtocol:File"] = file }).Build());

        Assert.Empty(protocol.Validate());
        Assert.StartsWith("example-2026.2#", protocol.AppliedVersion, StringComparison.Ordinal);
        Assert.Equal(GettingUpPolicy.EndOfAfternoon, protocol.Observation.GettingUp);
        Assert.Equal(6, protocol.Scheduling.RecoveryBeds);
        Assert.Equal("No driving for 2 days.", protocol.Discharge.ActiveInstructions()[0].Value.Text);
        Assert.Equal(6, protocol.Discharge.ActiveInstructions().Count);
        Assert.Equal(5, protocol.Bleeding.DrugHolds["warfarin"].HoldDays);
        Assert.Equal(1, protocol.Bleeding.DrugHolds["tinzaparin"].HoldDays);
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "IrSuite.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("IrSuite.sln not found above the test binaries.");
    }
}
