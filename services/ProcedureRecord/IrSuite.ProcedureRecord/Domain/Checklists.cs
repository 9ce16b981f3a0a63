namespace IrSuite.ProcedureRecord.Domain;

// WHO Surgical Safety Checklist 2009 (19 items): each item is a hard stop; items are named by their request field.

/// <summary>WHO sign-in items, confirmed before sedation.</summary>
public sealed record SignInChecklist(
    bool IdentityAndConsentConfirmed,
    bool AllergiesReviewed,
    bool AnesthesiaCheckDone,
    bool SiteMarkedOrNotApplicable,
    bool PulseOximeterOn,
    bool AirwayRiskAssessed,
    bool BloodLossRiskAssessed)
{
    /// <summary>Every item confirmed.</summary>
    public static SignInChecklist Complete { get; } = new(true, true, true, true, true, true, true);

    /// <summary>The items not confirmed, by their request field names.</summary>
    public IReadOnlyList<string> Missing() => Checklist.Missing(
        (IdentityAndConsentConfirmed, "identity_and_consent_confirmed"),
        (SiteMarkedOrNotApplicable, "site_marked_or_not_applicable"),
        (AnesthesiaCheckDone, "anesthesia_check_done"),
        (PulseOximeterOn, "pulse_oximeter_on"),
        (AllergiesReviewed, "allergies_reviewed"),
        (AirwayRiskAssessed, "airway_risk_assessed"),
        (BloodLossRiskAssessed, "blood_loss_risk_assessed"));
}

/// <summary>WHO time-out items, confirmed before the trocar (the antibiotic item is checked separately).</summary>
public sealed record TimeOutChecklist(bool TeamIntroduced, bool PatientSiteProcedureConfirmed, bool CriticalEventsReviewed, bool ImagingDisplayed)
{
    /// <summary>Every item confirmed.</summary>
    public static TimeOutChecklist Complete { get; } = new(true, true, true, true);

    /// <summary>The items not confirmed, by their request field names.</summary>
    public IReadOnlyList<string> Missing() => Checklist.Missing(
        (TeamIntroduced, "team_introduced"),
        (PatientSiteProcedureConfirmed, "patient_site_procedure_confirmed"),
        (CriticalEventsReviewed, "critical_events_reviewed"),
        (ImagingDisplayed, "imaging_displayed"));
}

/// <summary>WHO sign-out items, confirmed before the patient leaves the room.</summary>
public sealed record SignOutChecklist(bool RecordConfirmed, bool HandoverDone, bool InstrumentCountsCorrect, bool SpecimensLabelled, bool EquipmentProblemsAddressed)
{
    /// <summary>Every item confirmed.</summary>
    public static SignOutChecklist Complete { get; } = new(true, true, true, true, true);

    /// <summary>The items not confirmed, by their request field names.</summary>
    public IReadOnlyList<string> Missing() => Checklist.Missing(
        (RecordConfirmed, "record_confirmed"),
        (InstrumentCountsCorrect, "instrument_counts_correct"),
        (SpecimensLabelled, "specimens_labelled"),
        (EquipmentProblemsAddressed, "equipment_problems_addressed"),
        (HandoverDone, "handover_done"));
}

internal static class Checklist
{
    public static IReadOnlyList<string> Missing(params (bool Done, string Item)[] items) =>
        items.Where(i => !i.Done).Select(i => i.Item).ToList();
}
