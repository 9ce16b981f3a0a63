using System.Text.Json.Serialization;

namespace IrSuite.ServiceDefaults.Clinical;

/// <summary>
/// The site's clinical protocol: every threshold the services enforce, each with its source (DOMAIN.md's rule
/// table and reference/clinical-anchors.md section 5). The defaults below are DOMAIN.md's; a site overrides them in
/// the configuration section <c>SiteProtocol</c> or in a JSON file named by <c>SiteProtocol:File</c>, and gives the
/// result a <see cref="Version"/>. <see cref="AppliedVersion"/> (version plus a fingerprint of the effective
/// values) is stored on every case, so a record always says which rules it was checked against.
/// Rows DOMAIN.md marks "to be confirmed locally" (drug holds, dose levels other than 5 Gy) need the site's
/// sign-off before go-live: <see cref="SignedOffBy"/> stays empty until someone takes that responsibility.
/// </summary>
public sealed class SiteProtocol
{
    public const string Section = "SiteProtocol";

    /// <summary>A name for the site or department, e.g. "CHU Example - IR".</summary>
    public string Site { get; set; } = "IrSuite defaults";

    /// <summary>The protocol's version, set by whoever edits it (e.g. "2026.2").</summary>
    public string Version { get; set; } = "defaults-2026.1";

    /// <summary>Who signed the protocol off locally (empty for the shipped defaults).</summary>
    public string SignedOffBy { get; set; } = "";

    /// <summary>An optional JSON file with the site's protocol (same shape as this class); read before the section.</summary>
    public string File { get; set; } = "";

    /// <summary>IANA time zone of the site: "end of afternoon" and "next day" are local notions.</summary>
    public string TimeZone { get; set; } = "Europe/Paris";

    public BleedingRiskRules Bleeding { get; set; } = new();

    public SchedulingRules Scheduling { get; set; } = new();

    public AnesthesiaRules Anesthesia { get; set; } = new();

    public AntibioticRules Antibiotics { get; set; } = new();

    public DoseRules Dose { get; set; } = new();

    public ObservationRules Observation { get; set; } = new();

    public DischargeRules Discharge { get; set; } = new();

    /// <summary>"version#fingerprint": the fingerprint changes whenever any effective value changes.</summary>
    [JsonIgnore]
    public string AppliedVersion => $"{Version}#{SiteProtocolFingerprint.Of(this)}";

    [JsonIgnore]
    public TimeZoneInfo SiteTimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>Start of the site-local calendar day containing <paramref name="instant"/>, as an instant.</summary>
    public DateTimeOffset LocalDayStart(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, SiteTimeZone);
        return LocalTime(DateOnly.FromDateTime(local.DateTime), TimeOnly.MinValue);
    }

    /// <summary>The instant of a site-local date and time.</summary>
    public DateTimeOffset LocalTime(DateOnly date, TimeOnly time)
    {
        var wall = date.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(wall, SiteTimeZone.GetUtcOffset(wall));
    }

    /// <summary>Configuration problems, empty when the protocol can be applied.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }

        Check(Version.Length > 0, "SiteProtocol:Version is required.");
        try
        {
            _ = SiteTimeZone;
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            errors.Add($"SiteProtocol:TimeZone '{TimeZone}' is not a known time zone.");
        }

        // SIR 2019: INR corrected to <= 1.5, up to 1.8 at the operator's discretion; never looser for a high-risk procedure.
        Check(Bleeding.InrMax.Value is >= 1.0 and <= 1.8, "SiteProtocol:Bleeding:InrMax must be between 1.0 and 1.8 (SIR 2019, high bleeding risk).");
        Check(Bleeding.PlateletsMinGPerL.Value >= 50, "SiteProtocol:Bleeding:PlateletsMinGPerL must be at least 50 (SIR 2019).");
        Check(Bleeding.LabValidityDays.Value > 0 && Bleeding.LabValidityDaysWhenStoppingWarfarin.Value > 0, "SiteProtocol:Bleeding lab validity windows must be positive.");
        foreach (var (drug, hold) in Bleeding.DrugHolds)
        {
            Check(hold.HoldDays >= 0, $"SiteProtocol:Bleeding:DrugHolds:{drug}:HoldDays must not be negative.");
            Check(hold.Kind is DrugKind.Anticoagulant or DrugKind.Antiplatelet, $"SiteProtocol:Bleeding:DrugHolds:{drug}:Kind must be Anticoagulant or Antiplatelet.");
            foreach (var (threshold, days) in hold.HoldDaysWhenCrClBelow)
            {
                Check(double.TryParse(threshold, System.Globalization.CultureInfo.InvariantCulture, out var t) && t > 0 && days >= hold.HoldDays,
                    $"SiteProtocol:Bleeding:DrugHolds:{drug}:HoldDaysWhenCrClBelow:{threshold} needs a positive CrCl (mL/min) key and at least the base hold days.");
            }
        }

        Check(Scheduling.RecoveryBeds > 0, "SiteProtocol:Scheduling:RecoveryBeds must be positive.");
        Check(Anesthesia.ConsultLeadDays.Value >= 0, "SiteProtocol:Anesthesia:ConsultLeadDays must not be negative.");
        Check(Anesthesia.PreAnestheticVisitWithinHours.Value > 0, "SiteProtocol:Anesthesia:PreAnestheticVisitWithinHours must be positive.");
        Check(Anesthesia.ClearLiquidsHours.Value >= 2 && Anesthesia.LightMealHours.Value >= 6 && Anesthesia.FattyMealHours.Value >= 8,
            "SiteProtocol:Anesthesia fasting intervals may not be shorter than the ASA 2017 minimums (2 / 6 / 8 h).");
        Check(Antibiotics.WindowMinutes.Value is > 0 and <= 120, "SiteProtocol:Antibiotics:WindowMinutes must be between 1 and 120.");
        Check(Dose.SkinFollowUpAirKermaMgy.Value > 0, "SiteProtocol:Dose:SkinFollowUpAirKermaMgy must be positive.");
        Check(Observation.Minimum.Value >= TimeSpan.FromSeconds(1), "SiteProtocol:Observation:Minimum must be positive.");
        Check(Observation.IntensiveInterval.Value > TimeSpan.Zero && Observation.RoutineInterval.Value > TimeSpan.Zero, "SiteProtocol:Observation intervals must be positive.");
        Check(Discharge.AldreteMinimum.Value is >= 0 and <= 10, "SiteProtocol:Discharge:AldreteMinimum must be between 0 and 10.");
        Check(Discharge.PadssMinimum.Value is >= 0 and <= 10, "SiteProtocol:Discharge:PadssMinimum must be between 0 and 10.");
        Check(Discharge.Instructions.Values.Any(i => i.Text.Length > 0), "SiteProtocol:Discharge:Instructions must keep at least one instruction.");
        Check(Discharge.Criteria.MaxPainScore.Value is >= 0 and <= 10, "SiteProtocol:Discharge:Criteria:MaxPainScore must be between 0 and 10.");
        Check(Discharge.Criteria.HeartRateMin.Value < Discharge.Criteria.HeartRateMax.Value && Discharge.Criteria.SystolicBpMin.Value < Discharge.Criteria.SystolicBpMax.Value,
            "SiteProtocol:Discharge:Criteria ranges need min < max.");
        Check(Discharge.Criteria.SpO2Min.Value is >= 80 and <= 100, "SiteProtocol:Discharge:Criteria:SpO2Min must be between 80 and 100.");
        Check(Scheduling.FollowUpDurationMinutes is > 0 and <= 240, "SiteProtocol:Scheduling:FollowUpDurationMinutes must be between 1 and 240.");
        Check(Anesthesia.SedationPreferredFromAsa.Value is >= 1 and <= 6, "SiteProtocol:Anesthesia:SedationPreferredFromAsa must be an ASA class (1-6).");
        return errors;
    }
}

/// <summary>Kind of a drug on the hold table.</summary>
public enum DrugKind
{
    Unspecified = 0,
    Anticoagulant = 1,
    Antiplatelet = 2,
}

/// <summary>Site policy for the getting-up time after the procedure (the three seed hospitals differ).</summary>
public enum GettingUpPolicy
{
    /// <summary>Once the minimum observation has elapsed.</summary>
    AfterMinimumObservation = 0,

    /// <summary>At the end of the afternoon (<see cref="ObservationRules.EndOfAfternoon"/>, site-local).</summary>
    EndOfAfternoon = 1,

    /// <summary>Not before the next day (<see cref="ObservationRules.NextDayGettingUp"/>, site-local).</summary>
    NextDay = 2,
}

/// <summary>Same-day ambulatory care or a hospital stay; chosen at booking, defaulted by the site.</summary>
public enum AdmissionKind
{
    Unspecified = 0,

    /// <summary>Day case: admitted the morning of the procedure, home the same day with an escort.</summary>
    Ambulatory = 1,

    /// <summary>Hospitalised (the day before or the same day), discharged the next day.</summary>
    Hospitalised = 2,
}

/// <summary>One row of the anticoagulant / antiplatelet hold table.</summary>
public sealed class DrugHold
{
    public DrugKind Kind { get; set; }

    /// <summary>Days without the drug before a high bleeding-risk procedure.</summary>
    public double HoldDays { get; set; }

    /// <summary>Longer holds when creatinine clearance (mL/min, Cockcroft-Gault) is below the key, e.g. {"30": 3}.</summary>
    public Dictionary<string, double> HoldDaysWhenCrClBelow { get; set; } = [];

    /// <summary>Restart no earlier than this after the procedure, haemostasis secured.</summary>
    public double RestartAfterHours { get; set; } = 24;

    public string Source { get; set; } = "";

    /// <summary>The hold for a creatinine clearance (null when unknown: the base hold, unless a renal row exists, which then needs CrCl).</summary>
    public double HoldDaysFor(double? creatinineClearance)
    {
        var days = HoldDays;
        if (creatinineClearance is { } crcl)
        {
            foreach (var (threshold, renalDays) in HoldDaysWhenCrClBelow)
            {
                if (crcl < double.Parse(threshold, System.Globalization.CultureInfo.InvariantCulture) && renalDays > days)
                {
                    days = renalDays;
                }
            }
        }

        return days;
    }
}

/// <summary>Bleeding risk: vertebroplasty is a high bleeding-risk procedure (SIR 2019).</summary>
public sealed class BleedingRiskRules
{
    private const string Sir2019 = "SIR 2019 consensus (Patel et al., JVIR 2019;30:1168), high bleeding-risk procedure";
    private const string Sir2019Holds = "SIR 2019 consensus Part II medication table (DOMAIN.md defaults; verify locally)";

    public Threshold<double> InrMax { get; set; } = new(1.5, Sir2019 + "; configurable up to 1.8");

    public Threshold<double> PlateletsMinGPerL { get; set; } = new(50, Sir2019);

    public Threshold<int> LabValidityDays { get; set; } = new(5, "Institution policy derived from SIR 2012 (clinical-anchors R8)");

    public Threshold<int> LabValidityDaysWhenStoppingWarfarin { get; set; } = new(2, "Institution policy derived from SIR 2012 (clinical-anchors R8)");

    /// <summary>By international non-proprietary name, lower case.</summary>
    public Dictionary<string, DrugHold> DrugHolds { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["warfarin"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 5, Source = Sir2019Holds },
        ["acenocoumarol"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 3, Source = "Site policy (vitamin K antagonist, shorter half-life); verify locally" },
        ["clopidogrel"] = new() { Kind = DrugKind.Antiplatelet, HoldDays = 5, Source = Sir2019Holds },
        ["prasugrel"] = new() { Kind = DrugKind.Antiplatelet, HoldDays = 7, Source = Sir2019Holds },
        ["ticagrelor"] = new() { Kind = DrugKind.Antiplatelet, HoldDays = 5, Source = Sir2019Holds },
        ["aspirin"] = new() { Kind = DrugKind.Antiplatelet, HoldDays = 5, Source = Sir2019Holds + "; may continue after multidisciplinary review" },
        ["apixaban"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 2, HoldDaysWhenCrClBelow = new() { ["30"] = 3 }, Source = Sir2019Holds },
        ["rivaroxaban"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 2, HoldDaysWhenCrClBelow = new() { ["30"] = 3 }, Source = Sir2019Holds },
        ["edoxaban"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 2, HoldDaysWhenCrClBelow = new() { ["30"] = 3 }, Source = Sir2019Holds },
        ["dabigatran"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 2, HoldDaysWhenCrClBelow = new() { ["50"] = 3, ["30"] = 4 }, Source = Sir2019Holds + " (2-4 d by CrCl)" },
        ["enoxaparin"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 1, Source = Sir2019Holds + " (therapeutic dose: 24 h)" },
        ["fondaparinux"] = new() { Kind = DrugKind.Anticoagulant, HoldDays = 2, HoldDaysWhenCrClBelow = new() { ["50"] = 5 }, Source = Sir2019Holds + " (2-5 d by CrCl)" },
    };
}

/// <summary>Booking resources and policy.</summary>
public sealed class SchedulingRules
{
    /// <summary>Recovery beds available for the post-procedure observation (REC-1 ... REC-n).</summary>
    public int RecoveryBeds { get; set; } = 4;

    /// <summary>Length of the follow-up consultation booked automatically at discharge.</summary>
    public int FollowUpDurationMinutes { get; set; } = 30;

    /// <summary>Admission when the booking does not say: same-day ambulatory or hospitalised (site policy, seeds differ).</summary>
    public AdmissionKind DefaultAdmission { get; set; } = AdmissionKind.Ambulatory;

    public Threshold<int> FollowUpAfterDays { get; set; } = new(30, "Seeds: consultation with an X-ray at 1 month");

    public Threshold<int> FollowUpWindowDays { get; set; } = new(7, "Site policy (clinical-anchors R27)");

    public Threshold<int> FractureLiaisonWithinWeeks { get; set; } = new(12, "IOF Capture the Fracture: assessment within 12 weeks of the sentinel fracture");
}

/// <summary>Anaesthesia consultation, fasting and sedation decision support.</summary>
public sealed class AnesthesiaRules
{
    private const string AsaFasting = "ASA Practice Guidelines for Preoperative Fasting 2017";

    public Threshold<int> ConsultLeadDays { get; set; } = new(2, "Code de la santé publique D6124-91 (\"several days before\"); default 2 days");

    public Threshold<int> PreAnestheticVisitWithinHours { get; set; } = new(24, "Code de la santé publique D6124-92");

    public Threshold<int> ClearLiquidsHours { get; set; } = new(2, AsaFasting);

    public Threshold<int> LightMealHours { get; set; } = new(6, AsaFasting);

    public Threshold<int> FattyMealHours { get; set; } = new(8, AsaFasting);

    /// <summary>Highest ASA class the site treats as a day case; above it, the next-day stay is proposed.</summary>
    public Threshold<int> AmbulatoryMaxAsa { get; set; } = new(3, "Site policy (clinical-anchors R4; verify locally)");

    /// <summary>From this many levels in one session, general anaesthesia is suggested (long prone procedure).</summary>
    public Threshold<int> GeneralAnesthesiaFromLevels { get; set; } = new(3, "Site policy (DOMAIN.md stage 2: mode chosen from the number of levels)");

    /// <summary>From this ASA class, with few levels, an anaesthetist-monitored sedation is suggested rather than GA.</summary>
    public Threshold<int> SedationPreferredFromAsa { get; set; } = new(3, "Site policy (DOMAIN.md stage 2: mode chosen from comorbidities; verify locally)");

    /// <summary>The standing instruction given with the fasting cut-offs.</summary>
    public Threshold<string> FastingMedicinesInstruction { get; set; } = new("Usual medicines, including pain treatment, with a glass of water.", "Seeds (DOMAIN.md stage 2)");
}

/// <summary>Antibiotic prophylaxis (WHO time-out item; local protocol).</summary>
public sealed class AntibioticRules
{
    private const string Moon2010 = "Moon et al., Semin Intervent Radiol 2010;27:327 (local protocol)";

    public Threshold<int> WindowMinutes { get; set; } = new(60, "WHO Surgical Safety Checklist 2009, time-out: antibiotic within 60 min before incision");

    public Threshold<string> Default { get; set; } = new("cefazolin 1 g IV", Moon2010);

    public Threshold<string> BetaLactamAllergyAlternative { get; set; } = new("clindamycin 600 mg IV", Moon2010);

    /// <summary>Allergy or drug names that mean "beta-lactam" (matched case-insensitively as words or prefixes).</summary>
    public Dictionary<string, string> BetaLactamTerms { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["beta-lactam"] = "class", ["betalactam"] = "class", ["penicillin"] = "penicillin", ["amoxicillin"] = "penicillin",
        ["ampicillin"] = "penicillin", ["piperacillin"] = "penicillin", ["cephalosporin"] = "cephalosporin",
        ["cefazolin"] = "cephalosporin", ["cefuroxime"] = "cephalosporin", ["ceftriaxone"] = "cephalosporin",
        ["cefalexin"] = "cephalosporin", ["carbapenem"] = "carbapenem", ["meropenem"] = "carbapenem",
    };

    /// <summary>True when a free-text allergy or drug name designates a beta-lactam.</summary>
    public bool IsBetaLactam(string name)
    {
        var text = name.Trim();
        return BetaLactamTerms.Keys.Any(term => text.Contains(term, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Radiation dose alert levels.</summary>
public sealed class DoseRules
{
    public Threshold<double> SkinFollowUpAirKermaMgy { get; set; } = new(5000, "NCRP Report 168 / SIR dose-management guideline: Ka,r > 5 Gy");

    public Threshold<double> DoseAreaProductAlertGyCm2 { get; set; } = new(500, "SIR substantial radiation dose level (KAP > 500 Gy.cm2; verify locally)");

    public Threshold<double> FluoroscopyAlertMinutes { get; set; } = new(60, "SIR substantial radiation dose level (fluoroscopy > 60 min; verify locally)");

    public Threshold<int> SkinFollowUpWithinDays { get; set; } = new(30, "NCRP Report 168: skin check 2-4 weeks after a substantial dose");
}

/// <summary>The post-procedure observation.</summary>
public sealed class ObservationRules
{
    public Threshold<TimeSpan> Minimum { get; set; } = new(TimeSpan.FromHours(2), "Seeds: at least 2 h of observation after the end of the procedure");

    /// <summary>Checks every <see cref="IntensiveInterval"/> during <see cref="IntensivePeriod"/>, then every <see cref="RoutineInterval"/>.</summary>
    public Threshold<TimeSpan> IntensiveInterval { get; set; } = new(TimeSpan.FromMinutes(15), "Local policy (clinical-anchors R22: q15 min x 4, then q30 min)");

    public Threshold<TimeSpan> IntensivePeriod { get; set; } = new(TimeSpan.FromHours(1), "Local policy (clinical-anchors R22)");

    public Threshold<TimeSpan> RoutineInterval { get; set; } = new(TimeSpan.FromMinutes(30), "Local policy (clinical-anchors R22)");

    /// <summary>A check is overdue once its due time has passed by this much.</summary>
    public Threshold<TimeSpan> OverdueGrace { get; set; } = new(TimeSpan.FromMinutes(5), "Site policy");

    public GettingUpPolicy GettingUp { get; set; } = GettingUpPolicy.AfterMinimumObservation;

    public TimeOnly EndOfAfternoon { get; set; } = new(17, 0);

    public TimeOnly NextDayGettingUp { get; set; } = new(8, 0);

    public string GettingUpSource { get; set; } = "Seeds differ (after 2 h / end of afternoon / next day): site policy";
}

/// <summary>Leaving recovery and going home.</summary>
public sealed class DischargeRules
{
    private const string Seeds = "Seed leaflets (DOMAIN.md stage 5)";

    public Threshold<int> AldreteMinimum { get; set; } = new(9, "Modified Aldrete score (Aldrete 1995): leave recovery at >= 9/10");

    public Threshold<int> PadssMinimum { get; set; } = new(9, "PADSS (Chung; Marshall & Chung 1999): home at >= 9/10");

    public Threshold<bool> EscortRequired { get; set; } = new(true, "Seeds; PADSS: a competent adult escort to go home");

    /// <summary>What the last observation round must show before the patient leaves recovery.</summary>
    public RecoveryCriteria Criteria { get; set; } = new();

    /// <summary>Hospitalised patients leave the next day (site-local), not before this time.</summary>
    public TimeOnly NextDayEarliest { get; set; } = new(8, 0);

    public Threshold<int> PostDischargeCallHours { get; set; } = new(24, "PADSS validation protocol: 24 h phone call");

    /// <summary>
    /// Instructions by code; order by <see cref="DischargeInstruction.Order"/>. An empty text removes a default.
    /// The seeds are looser than some published leaflets (no driving 2 days, no lifting &gt; 4.5 kg for 3 months).
    /// </summary>
    public Dictionary<string, DischargeInstruction> Instructions { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["no-driving"] = new() { Order = 1, Text = "No driving for 24 hours.", Source = Seeds },
        ["rest"] = new() { Order = 2, Text = "Rest and limit activity for 48 hours.", Source = Seeds },
        ["no-heavy-lifting"] = new() { Order = 3, Text = "No heavy lifting for 2 weeks.", Source = Seeds },
        ["call-for-fever"] = new() { Order = 4, Text = "Call the department at once for fever, chills or unusual pain.", Source = Seeds },
        ["report-skin"] = new() { Order = 5, Text = "Report any skin redness or hair loss at the X-ray site in the following weeks.", Source = Seeds },
    };

    /// <summary>The instructions in force, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, DischargeInstruction>> ActiveInstructions() =>
        Instructions.Where(p => p.Value.Text.Length > 0).OrderBy(p => p.Value.Order).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
}

/// <summary>
/// The last round's vitals, pain, leg neurology and puncture site before leaving recovery (DOMAIN.md stage 4), in the
/// spirit of the modified Aldrete and PADSS items: pain controlled, vital signs stable, SpO2 above 92 % on room air.
/// </summary>
public sealed class RecoveryCriteria
{
    private const string Local = "Site policy (DOMAIN.md stage 4; Aldrete 1995 / PADSS ranges; verify locally)";

    public Threshold<int> MaxPainScore { get; set; } = new(4, "Numeric rating scale: pain at most 4/10 (mild); " + Local);

    public Threshold<int> HeartRateMin { get; set; } = new(50, Local);

    public Threshold<int> HeartRateMax { get; set; } = new(110, Local);

    public Threshold<int> SystolicBpMin { get; set; } = new(90, Local);

    public Threshold<int> SystolicBpMax { get; set; } = new(180, Local);

    public Threshold<int> SpO2Min { get; set; } = new(92, "Modified Aldrete 1995: SpO2 > 92 % on room air");
}

/// <summary>One discharge instruction.</summary>
public sealed class DischargeInstruction
{
    public int Order { get; set; }

    public string Text { get; set; } = "";

    public string Source { get; set; } = "";
}
