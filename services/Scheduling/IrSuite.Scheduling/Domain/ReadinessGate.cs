using IrSuite.Grpc;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Clinical;
using PregnancyStatus = IrSuite.Common.V1.PregnancyStatus;
using SedationMode = IrSuite.Common.V1.SedationMode;

namespace IrSuite.Scheduling.Domain;

/// <summary>The signed consent, as the gate sees it.</summary>
public sealed record ConsentFacts(IReadOnlyList<string> Levels, DateTimeOffset SignedAt);

/// <summary>The latest labs.</summary>
public sealed record LabFacts(double Inr, double PlateletsGPerL, double? CreatinineClearance, DateTimeOffset TakenAt);

/// <summary>Everything the readiness gate decides from (read by the caller; the gate does no I/O).</summary>
public sealed record ReadinessFacts(
    ReferralStatus Status,
    SedationMode ExpectedSedation,
    PregnancyStatus Pregnancy,
    IReadOnlyList<DrugOnReferral> Medications,
    ClearanceView? Clearance,
    ConsentFacts? Consent,
    LabFacts? Labs,
    HoldPlan? HoldPlan);

/// <summary>One item of the readiness list.</summary>
public sealed record ReadinessCheck(string Item, ReadinessState State, string Code, string Description)
{
    public static ReadinessCheck Met(string item, string description = "") => new(item, ReadinessState.Met, "", description);

    public static ReadinessCheck Missing(string item, string code, string description) => new(item, ReadinessState.Missing, code, description);

    public static ReadinessCheck NotApplicable(string item, string description) => new(item, ReadinessState.NotApplicable, "", description);

    public static ReadinessCheck NeedsSlot(string item) => new(item, ReadinessState.NeedsSlot, "", "Depends on the slot: give a proposed start.");
}

/// <summary>The readiness list in the fixed gate order, the sedation the booking carries and the earliest start.</summary>
public sealed record ReadinessReport(IReadOnlyList<ReadinessCheck> Items, SedationMode Sedation, DateTimeOffset? EarliestStart)
{
    public bool Ready => Items.All(i => i.State is ReadinessState.Met or ReadinessState.NotApplicable);

    /// <summary>FAILED_PRECONDITION naming every missing item, or null when the slot may be confirmed.</summary>
    public RpcException? Refusal()
    {
        var missing = Items.Where(i => i.State == ReadinessState.Missing).Select(i => new GateViolation(i.Code, i.Description)).ToList();
        return missing.Count == 0 ? null : Gates.Refuse(missing);
    }
}

/// <summary>
/// The readiness gate of a procedure slot (DOMAIN.md: no slot is confirmed without IR consult, anaesthesia clearance when
/// sedated, consent, valid labs, anticoagulant plan, and pregnancy excluded). Pure: the caller gathers the facts.
/// </summary>
public static class ReadinessGate
{
    public const string IrConsult = "IR_CONSULT";
    public const string Clearance = "ANESTHESIA_CLEARANCE";
    public const string ConsultLeadTime = "ANESTHESIA_CONSULT_LEAD_TIME";
    public const string Consent = "CONSENT";
    public const string LabValidity = "LABS_VALIDITY";
    public const string Inr = "INR";
    public const string Platelets = "PLATELETS";
    public const string AnticoagulantPlan = "ANTICOAGULANT_PLAN";
    public const string AnticoagulantHold = "ANTICOAGULANT_HOLD";
    public const string Pregnancy = "PREGNANCY";

    /// <summary>The sedation the procedure is planned under: the anaesthesia plan's when decided, else the IR consult's expectation.</summary>
    public static SedationMode PlannedSedation(ReadinessFacts facts) =>
        facts.Clearance is { Sedation: not SedationMode.Unspecified } c ? c.Sedation : facts.ExpectedSedation;

    /// <summary>The sedation carried on to the procedure: the signed clearance's, or LOCAL.</summary>
    public static SedationMode CarriedSedation(ReadinessFacts facts) =>
        facts.Clearance is { IsSigned: true, Sedation: not SedationMode.Unspecified } c ? c.Sedation : SedationMode.Local;

    public static ReadinessReport Evaluate(ReadinessFacts facts, DateTimeOffset? slotStart, SiteProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(protocol);
        var items = new List<ReadinessCheck>
        {
            facts.Status is ReferralStatus.Submitted or ReferralStatus.Declined or ReferralStatus.Unspecified
                ? ReadinessCheck.Missing(IrConsult, "IR_CONSULT_REQUIRED", "The IR consult has not accepted the referral.")
                : ReadinessCheck.Met(IrConsult),
        };

        // Clearance and consult lead time apply only when an anaesthetist is involved (not under local anaesthesia alone).
        var needsAnesthetist = PlannedSedation(facts) != SedationMode.Local;
        items.Add(CheckClearance(facts.Clearance, needsAnesthetist));
        items.Add(CheckConsultLeadTime(facts.Clearance, needsAnesthetist, slotStart, protocol));
        items.Add(facts.Consent is null
            ? ReadinessCheck.Missing(Consent, "CONSENT_REQUIRED", "No signed consent (procedure, anaesthesia and radiation information) is recorded.")
            : ReadinessCheck.Met(Consent));
        items.AddRange(CheckLabs(facts, slotStart, protocol.Bleeding));
        items.AddRange(CheckAnticoagulation(facts, slotStart, protocol.Bleeding));
        items.Add(facts.Pregnancy is PregnancyStatus.NotApplicable or PregnancyStatus.Excluded
            ? ReadinessCheck.Met(Pregnancy)
            : ReadinessCheck.Missing(Pregnancy, "PREGNANCY_NOT_EXCLUDED", "Pregnancy must be excluded (or not applicable) before a procedure is booked."));
        return new ReadinessReport(items, CarriedSedation(facts), facts.HoldPlan?.EarliestProcedureAt);
    }

    private static ReadinessCheck CheckClearance(ClearanceView? clearance, bool needsAnesthetist)
    {
        // A signed NOT_FIT blocks even a local-anaesthesia procedure: the anaesthetist's refusal is never ignored.
        if (clearance is { IsSigned: true, IsNotFit: true })
        {
            return ReadinessCheck.Missing(Clearance, "CLEARANCE_NOT_FIT", "The anaesthesia clearance says the patient is not fit for the procedure.");
        }

        if (!needsAnesthetist)
        {
            return ReadinessCheck.NotApplicable(Clearance, "Local anaesthesia only.");
        }

        return clearance is { IsSigned: true }
            ? ReadinessCheck.Met(Clearance)
            : ReadinessCheck.Missing(Clearance, "CLEARANCE_REQUIRED", "The anaesthesia clearance (FIT or FIT_WITH_CONDITIONS) has not been signed.");
    }

    /// <summary>CSP D6124-91: the anaesthesia consultation takes place at least Anesthesia.ConsultLeadDays calendar days (site-local) before the slot.</summary>
    private static ReadinessCheck CheckConsultLeadTime(ClearanceView? clearance, bool needsAnesthetist, DateTimeOffset? slotStart, SiteProtocol protocol)
    {
        if (!needsAnesthetist)
        {
            return ReadinessCheck.NotApplicable(ConsultLeadTime, "Local anaesthesia only.");
        }

        if (slotStart is not { } start)
        {
            return ReadinessCheck.NeedsSlot(ConsultLeadTime);
        }

        var lead = protocol.Anesthesia.ConsultLeadDays.Value;
        if (clearance?.AssessedAt is not { } assessed)
        {
            return ReadinessCheck.Missing(ConsultLeadTime, "ANESTHESIA_CONSULT_TOO_LATE", $"No anaesthesia consultation date is recorded; it must be at least {lead} calendar day(s) before the slot (Anesthesia.ConsultLeadDays).");
        }

        var days = LocalDate(protocol, start).DayNumber - LocalDate(protocol, assessed).DayNumber;
        return days >= lead
            ? ReadinessCheck.Met(ConsultLeadTime)
            : ReadinessCheck.Missing(ConsultLeadTime, "ANESTHESIA_CONSULT_TOO_LATE", $"The anaesthesia consultation is {days} calendar day(s) before the slot; at least {lead} required (Anesthesia.ConsultLeadDays, CSP D6124-91).");
    }

    /// <summary>SIR 2019 high bleeding risk: labs taken within the validity window, INR and platelets within limits.</summary>
    private static IEnumerable<ReadinessCheck> CheckLabs(ReadinessFacts facts, DateTimeOffset? slotStart, BleedingRiskRules rules)
    {
        if (facts.Labs is not { } labs)
        {
            const string description = "No INR / platelet results are recorded.";
            yield return ReadinessCheck.Missing(LabValidity, "LABS_REQUIRED", description);
            yield return ReadinessCheck.Missing(Inr, "LABS_REQUIRED", description);
            yield return ReadinessCheck.Missing(Platelets, "LABS_REQUIRED", description);
            yield break;
        }

        if (slotStart is not { } start)
        {
            yield return ReadinessCheck.NeedsSlot(LabValidity);
        }
        else
        {
            var stoppingWarfarin = facts.Medications.Any(m => AnticoagulantEngine.IsWarfarin(m.Name));
            var days = stoppingWarfarin ? rules.LabValidityDaysWhenStoppingWarfarin.Value : rules.LabValidityDays.Value;
            var setting = stoppingWarfarin ? "Bleeding.LabValidityDaysWhenStoppingWarfarin" : "Bleeding.LabValidityDays";
            yield return start - labs.TakenAt <= TimeSpan.FromDays(days)
                ? ReadinessCheck.Met(LabValidity)
                : ReadinessCheck.Missing(LabValidity, "LABS_EXPIRED", $"The labs were taken more than {days} day(s) before the slot ({setting}).");
        }

        yield return labs.Inr <= rules.InrMax.Value
            ? ReadinessCheck.Met(Inr)
            : ReadinessCheck.Missing(Inr, "INR_ABOVE_LIMIT", $"INR is above {rules.InrMax.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} (Bleeding.InrMax, SIR 2019).");
        yield return labs.PlateletsGPerL >= rules.PlateletsMinGPerL.Value
            ? ReadinessCheck.Met(Platelets)
            : ReadinessCheck.Missing(Platelets, "PLATELETS_BELOW_LIMIT", $"Platelets are below {rules.PlateletsMinGPerL.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} x10^9/L (Bleeding.PlateletsMinGPerL, SIR 2019).");
    }

    private static IEnumerable<ReadinessCheck> CheckAnticoagulation(ReadinessFacts facts, DateTimeOffset? slotStart, BleedingRiskRules rules)
    {
        if (AnticoagulantEngine.Relevant(facts.Medications, rules).Count == 0)
        {
            yield return ReadinessCheck.NotApplicable(AnticoagulantPlan, "No anticoagulant or antiplatelet on the referral.");
            yield return ReadinessCheck.NotApplicable(AnticoagulantHold, "No anticoagulant or antiplatelet on the referral.");
            yield break;
        }

        if (facts.HoldPlan is not { } plan)
        {
            const string description = "The referral lists an anticoagulant or antiplatelet: call PlanAnticoagulation first.";
            yield return ReadinessCheck.Missing(AnticoagulantPlan, "ANTICOAGULANT_PLAN_REQUIRED", description);
            yield return ReadinessCheck.Missing(AnticoagulantHold, "ANTICOAGULANT_PLAN_REQUIRED", description);
            yield break;
        }

        yield return ReadinessCheck.Met(AnticoagulantPlan);
        if (slotStart is not { } start)
        {
            yield return ReadinessCheck.NeedsSlot(AnticoagulantHold);
        }
        else
        {
            yield return start >= plan.EarliestProcedureAt
                ? ReadinessCheck.Met(AnticoagulantHold)
                : ReadinessCheck.Missing(AnticoagulantHold, "ANTICOAGULANT_HOLD_TOO_SHORT", $"The drug holds end at {plan.EarliestProcedureAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: the slot must not start earlier.");
        }
    }

    private static DateOnly LocalDate(SiteProtocol protocol, DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, protocol.SiteTimeZone).DateTime);
}
