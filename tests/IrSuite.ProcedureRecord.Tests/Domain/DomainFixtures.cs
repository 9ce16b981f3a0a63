using IrSuite.Contracts;
using IrSuite.ProcedureRecord.Domain;
using IrSuite.ServiceDefaults.Clinical;
using Microsoft.Extensions.Configuration;

namespace IrSuite.ProcedureRecord.Tests.Domain;

/// <summary>Domain test fixtures: the default site protocol, bookings, checklists with one item missing.</summary>
public static class DomainFixtures
{
    /// <summary>The shipped defaults (Europe/Paris, 24 h visit, 2/6/8 h fasting, 60 min antibiotic, 5 Gy).</summary>
    public static SiteProtocol Protocol { get; } = SiteProtocolSetup.Load(new ConfigurationBuilder().Build());

    public static BookingDetails LocalBooking(IReadOnlyList<string> levels) =>
        new(levels, SedationCodes.Local, AdmissionCodes.Ambulatory, [], "NOT_APPLICABLE", "OSTEOPOROTIC_FRACTURE", 60, "sched#1");

    public static BookingDetails Booking(IReadOnlyList<string> levels, string sedation, IReadOnlyList<string>? consented = null, IReadOnlyList<string>? allergies = null) =>
        new(consented ?? levels, sedation, AdmissionCodes.Hospitalised, allergies ?? [], "EXCLUDED", "TUMOUR", 90, "sched#1");

    public static SignInChecklist SignInWithout(string item) => item switch
    {
        "identity_and_consent_confirmed" => SignInChecklist.Complete with { IdentityAndConsentConfirmed = false },
        "allergies_reviewed" => SignInChecklist.Complete with { AllergiesReviewed = false },
        "anesthesia_check_done" => SignInChecklist.Complete with { AnesthesiaCheckDone = false },
        "site_marked_or_not_applicable" => SignInChecklist.Complete with { SiteMarkedOrNotApplicable = false },
        "pulse_oximeter_on" => SignInChecklist.Complete with { PulseOximeterOn = false },
        "airway_risk_assessed" => SignInChecklist.Complete with { AirwayRiskAssessed = false },
        "blood_loss_risk_assessed" => SignInChecklist.Complete with { BloodLossRiskAssessed = false },
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };

    public static TimeOutChecklist TimeOutWithout(string item) => item switch
    {
        "team_introduced" => TimeOutChecklist.Complete with { TeamIntroduced = false },
        "patient_site_procedure_confirmed" => TimeOutChecklist.Complete with { PatientSiteProcedureConfirmed = false },
        "critical_events_reviewed" => TimeOutChecklist.Complete with { CriticalEventsReviewed = false },
        "imaging_displayed" => TimeOutChecklist.Complete with { ImagingDisplayed = false },
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };

    public static SignOutChecklist SignOutWithout(string item) => item switch
    {
        "record_confirmed" => SignOutChecklist.Complete with { RecordConfirmed = false },
        "handover_done" => SignOutChecklist.Complete with { HandoverDone = false },
        "instrument_counts_correct" => SignOutChecklist.Complete with { InstrumentCountsCorrect = false },
        "specimens_labelled" => SignOutChecklist.Complete with { SpecimensLabelled = false },
        "equipment_problems_addressed" => SignOutChecklist.Complete with { EquipmentProblemsAddressed = false },
        _ => throw new ArgumentOutOfRangeException(nameof(item)),
    };
}

/// <summary>
/// The short forms the workflow tests use when a step's other rules are not what they test: local anaesthesia with
/// nothing declared at sign-in, a complete time-out with cefazolin 30 min before, the sign-out confirming the treated levels.
/// </summary>
public static class CaseRecordShortcuts
{
    public static void SignIn(this CaseRecord record, SignInChecklist checklist, DateTimeOffset now) =>
        record.SignIn(checklist, FastingReport.NothingSince, DomainFixtures.Protocol, now);

    public static IrSuite.Contracts.Procedure.ProcedureStarted? TimeOut(this CaseRecord record, IReadOnlyList<string> levels, string operatorId, DateTimeOffset now) =>
        record.TimeOut(levels, operatorId, TimeOutChecklist.Complete, new AntibioticDose("cefazolin 1 g IV", now.AddMinutes(-30)), "CARM-1", DomainFixtures.Protocol, now);

    public static void RecordTreatment(this CaseRecord record, TreatedLevel treatment) => record.RecordTreatment(treatment, DomainFixtures.Protocol);

    public static void RecordDose(this CaseRecord record, RadiationDose dose) => record.RecordDose(dose, DomainFixtures.Protocol, record.TimedOutAt ?? DateTimeOffset.UnixEpoch);

    public static void SignOut(this CaseRecord record, SignOutChecklist checklist, DateTimeOffset now) =>
        record.SignOut(checklist, record.Treatments.Select(t => t.Level).ToList(), "rn-1", now);
}
