using Google.Protobuf.WellKnownTypes;
using IrSuite.Anesthesia.V1;
using IrSuite.Common.V1;

namespace IrSuite.AnesthesiaConsultation.Tests.Infrastructure;

/// <summary>Valid requests, for tests to spoil one field at a time.</summary>
public static class Requests
{
    public static RecordAssessmentRequest Assessment(Guid referralId) => new()
    {
        ReferralId = referralId.ToString(),
        AsaClass = AsaClass.Iii,
        Emergency = false,
        Comorbidities = { "I10", "E11" },
        Allergies = { "latex", "iodinated contrast" },
        MedicationPlan =
        {
            new MedicationInstruction
            {
                Medication = new Medication { Name = "aspirin", Kind = MedicationKind.Antiplatelet, Dosage = "75 mg daily" },
                Action = MedicationAction.Stop,
                StopFrom = Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddDays(2)),
            },
            new MedicationInstruction
            {
                Medication = new Medication { Name = "bisoprolol", Kind = MedicationKind.Other, Dosage = "5 mg daily" },
                Action = MedicationAction.Continue,
            },
        },
        Labs = new Labs { Inr = 1.1, PlateletsGPerL = 210, TakenAt = Timestamp.FromDateTimeOffset(AnesthesiaServiceHost.Start.AddHours(-2)) },
        Anxiety = AnxietyLevel.None,
        ProneTolerance = ProneTolerance.Tolerates,
    };

    /// <summary>What the decision table suggests for <see cref="Assessment"/> on two levels (ASA III, few levels).</summary>
    public const SedationMode SuggestedForAssessment = SedationMode.LocalWithSedation;

    /// <summary>A sedation plan; the deviation reason is there because GENERAL differs from the suggestion.</summary>
    public static PlanSedationRequest Sedation(Guid referralId, SedationMode mode = SedationMode.General, string deviationReason = "patient preference") =>
        new() { ReferralId = referralId.ToString(), Mode = mode, DeviationReason = deviationReason };

    public static RecordPreAnestheticVisitRequest Visit(Guid referralId, DateTimeOffset visitedAt) =>
        new() { ReferralId = referralId.ToString(), VisitedAt = Timestamp.FromDateTimeOffset(visitedAt) };

    public static SignClearanceRequest Clearance(Guid referralId, ClearanceDecision decision = ClearanceDecision.Fit, params string[] conditions) =>
        new() { ReferralId = referralId.ToString(), Decision = decision, Conditions = { conditions } };
}
