namespace IrSuite.AnesthesiaConsultation.Domain;

/// <summary>Fasting cut-off times for a slot (ASA Practice Guidelines for Preoperative Fasting 2017).</summary>
public sealed record FastingPlan(bool Applies, DateTimeOffset ClearLiquidsUntil, DateTimeOffset LightMealUntil, DateTimeOffset FattyMealUntil, string Instruction);

/// <summary>The antibiotic prophylaxis the allergies lead to (local protocol, Moon 2010).</summary>
public sealed record ProphylaxisProposal(string Proposed, bool BetaLactamAllergy);

/// <summary>The pure computations of the plan: fasting, admission, prophylaxis, lead time, lab limits.</summary>
public static class PlanRules
{
    /// <summary>
    /// Cut-offs counted back from the slot start: clear liquids until start - ClearLiquidsHours, light meal until
    /// start - LightMealHours, fatty meal until start - FattyMealHours. A LOCAL procedure needs no fasting; any
    /// other mode (or none decided yet) does: when in doubt the patient fasts.
    /// </summary>
    public static FastingPlan Fasting(DateTimeOffset slotStart, SedationMode mode, int clearLiquidsHours, int lightMealHours, int fattyMealHours, string medicinesInstruction) => new(
        mode != SedationMode.Local,
        slotStart.AddHours(-clearLiquidsHours),
        slotStart.AddHours(-lightMealHours),
        slotStart.AddHours(-fattyMealHours),
        medicinesInstruction);

    /// <summary>ASA above site protocol Anesthesia.AmbulatoryMaxAsa: next-day (hospitalised) admission (clinical-anchors R4, local policy).</summary>
    public static Admission RecommendedAdmission(AsaClass asa, int ambulatoryMaxAsa) =>
        (int)asa > ambulatoryMaxAsa ? Admission.Hospitalised : Admission.Ambulatory;

    /// <summary>Default prophylaxis, or the alternative when an allergy designates a beta-lactam.</summary>
    public static ProphylaxisProposal Prophylaxis(IEnumerable<string> allergies, Func<string, bool> isBetaLactam, string defaultDrug, string betaLactamAlternative)
    {
        var allergic = allergies.Any(isBetaLactam);
        return new ProphylaxisProposal(allergic ? betaLactamAlternative : defaultDrug, allergic);
    }

    /// <summary>
    /// CSP D6124-91: the consultation "several days" before the procedure, counted in site-local calendar days
    /// (clinical-anchors R1: default >= 2 calendar days).
    /// </summary>
    public static bool ConsultLeadTimeMet(DateTimeOffset assessedAt, DateTimeOffset slotStart, int leadDays, TimeZoneInfo siteZone)
    {
        var assessedDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(assessedAt, siteZone).DateTime);
        var slotDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slotStart, siteZone).DateTime);
        return slotDay.DayNumber - assessedDay.DayNumber >= leadDays;
    }

    /// <summary>Labs outside the site limits for a high bleeding-risk procedure (SIR 2019): one violation per limit.</summary>
    public static IReadOnlyList<GateViolation> LabViolations(Labs? labs, double inrMax, double plateletsMin)
    {
        if (labs is null)
        {
            return [];
        }

        var violations = new List<GateViolation>();
        if (labs.Inr > inrMax)
        {
            violations.Add(new GateViolation(GateRules.InrAboveLimit, $"INR above the site limit (Bleeding.InrMax {inrMax}); a FIT clearance is refused, sign FIT_WITH_CONDITIONS or NOT_FIT."));
        }

        if (labs.PlateletsGPerL < plateletsMin)
        {
            violations.Add(new GateViolation(GateRules.PlateletsBelowLimit, $"Platelets below the site limit (Bleeding.PlateletsMinGPerL {plateletsMin}); a FIT clearance is refused, sign FIT_WITH_CONDITIONS or NOT_FIT."));
        }

        return violations;
    }
}
