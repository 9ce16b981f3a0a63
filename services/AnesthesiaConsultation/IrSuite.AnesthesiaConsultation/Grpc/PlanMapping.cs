using Google.Protobuf.WellKnownTypes;
using IrSuite.AnesthesiaConsultation.Domain;
using IrSuite.ServiceDefaults.Clinical;
using Pb = IrSuite.Anesthesia.V1;
using PbCommon = IrSuite.Common.V1;

namespace IrSuite.AnesthesiaConsultation.Grpc;

/// <summary>Proto &lt;-&gt; domain mapping; requests reach it already validated.</summary>
internal static class PlanMapping
{
    public static Pb.AnesthesiaPlan ToProto(AnesthesiaCase c, SiteProtocol protocol)
    {
        var plan = new Pb.AnesthesiaPlan
        {
            ReferralId = c.ReferralId.ToString(),
            PatientId = c.PatientId.ToString(),
            Status = c.Status switch
            {
                CaseStatus.AwaitingAssessment => Pb.CaseStatus.AwaitingAssessment,
                CaseStatus.Assessed => Pb.CaseStatus.Assessed,
                CaseStatus.Cleared => Pb.CaseStatus.Cleared,
                _ => Pb.CaseStatus.Unspecified,
            },
            Sedation = ToProto(c.Sedation),
            Version = c.Version,
            DeviationReason = c.DeviationReason ?? "",
            ProtocolVersion = c.ProtocolVersion,
            Levels = { c.Levels },
            Premedication = { c.Premedication.Select(ToProto) },
        };
        if (c.Assessment is { } a)
        {
            plan.AsaClass = ToProto(a.AsaClass);
            plan.Emergency = a.Emergency;
            plan.Comorbidities.AddRange(a.Comorbidities);
            plan.Allergies.AddRange(a.Allergies);
            plan.MedicationPlan.AddRange(a.MedicationPlan.Select(ToProto));
            if (a.Labs is { } labs)
            {
                plan.Labs = new Pb.Labs { Inr = labs.Inr, PlateletsGPerL = labs.PlateletsGPerL, TakenAt = Timestamp.FromDateTimeOffset(labs.TakenAt) };
            }

            plan.AssessedAt = Timestamp.FromDateTimeOffset(a.AssessedAt);
            plan.Anxiety = ToProto(a.Anxiety);
            plan.ProneTolerance = ToProto(a.ProneTolerance);
            plan.RecommendedAdmission = PlanRules.RecommendedAdmission(a.AsaClass, protocol.Anesthesia.AmbulatoryMaxAsa.Value) == Admission.Hospitalised
                ? PbCommon.AdmissionType.Hospitalised
                : PbCommon.AdmissionType.Ambulatory;
            var suggestion = c.SuggestedSedation(protocol)!;
            plan.SuggestedSedation = new Pb.SedationSuggestion { Mode = ToProto(suggestion.Mode), Reasons = { suggestion.Reasons } };
            var proposal = c.ProposedProphylaxis(protocol)!;
            plan.AntibioticProphylaxis = new Pb.AntibioticProphylaxis
            {
                Proposed = proposal.Proposed,
                Chosen = c.AntibioticProphylaxis ?? "",
                WindowMinutes = protocol.Antibiotics.WindowMinutes.Value,
                BetaLactamAllergy = proposal.BetaLactamAllergy,
            };
        }

        if (c.SlotStart is { } slotStart)
        {
            plan.SlotStart = Timestamp.FromDateTimeOffset(slotStart);
            var fasting = c.Fasting(protocol)!;
            plan.Fasting = new Pb.FastingPlan
            {
                Applies = fasting.Applies,
                ClearLiquidsUntil = Timestamp.FromDateTimeOffset(fasting.ClearLiquidsUntil),
                LightMealUntil = Timestamp.FromDateTimeOffset(fasting.LightMealUntil),
                FattyMealUntil = Timestamp.FromDateTimeOffset(fasting.FattyMealUntil),
                Instruction = fasting.Instruction,
            };
        }

        if (c.ConsultLeadTimeMet(protocol) is { } leadTimeMet)
        {
            plan.ConsultLeadTimeMet = leadTimeMet;
        }

        if (c.Visit is { } visit)
        {
            plan.PreAnestheticVisit = new Pb.PreAnestheticVisit { VisitedAt = Timestamp.FromDateTimeOffset(visit.VisitedAt), AnesthesiologistId = visit.AnesthesiologistId };
        }

        if (c.Clearance is { } clearance)
        {
            plan.Clearance = clearance.Decision switch
            {
                ClearanceDecision.Fit => Pb.ClearanceDecision.Fit,
                ClearanceDecision.FitWithConditions => Pb.ClearanceDecision.FitWithConditions,
                ClearanceDecision.NotFit => Pb.ClearanceDecision.NotFit,
                _ => Pb.ClearanceDecision.Unspecified,
            };
            plan.Conditions.AddRange(clearance.Conditions);
            plan.AnesthesiologistId = clearance.AnesthesiologistId;
            plan.SignedAt = Timestamp.FromDateTimeOffset(clearance.SignedAt);
        }

        return plan;
    }

    public static PbCommon.SedationMode ToProto(SedationMode mode) => mode switch
    {
        SedationMode.Local => PbCommon.SedationMode.Local,
        SedationMode.LocalWithSedation => PbCommon.SedationMode.LocalWithSedation,
        SedationMode.ConsciousSedation => PbCommon.SedationMode.ConsciousSedation,
        SedationMode.General => PbCommon.SedationMode.General,
        _ => PbCommon.SedationMode.Unspecified,
    };

    public static SedationMode ToDomain(PbCommon.SedationMode mode) => mode switch
    {
        PbCommon.SedationMode.Local => SedationMode.Local,
        PbCommon.SedationMode.LocalWithSedation => SedationMode.LocalWithSedation,
        PbCommon.SedationMode.ConsciousSedation => SedationMode.ConsciousSedation,
        PbCommon.SedationMode.General => SedationMode.General,
        _ => SedationMode.None,
    };

    public static AsaClass ToDomain(Pb.AsaClass asa) => asa switch
    {
        Pb.AsaClass.I => AsaClass.I,
        Pb.AsaClass.Ii => AsaClass.II,
        Pb.AsaClass.Iii => AsaClass.III,
        Pb.AsaClass.Iv => AsaClass.IV,
        Pb.AsaClass.V => AsaClass.V,
        Pb.AsaClass.Vi => AsaClass.VI,
        _ => throw new ArgumentOutOfRangeException(nameof(asa), asa, null),
    };

    public static ClearanceDecision ToDomain(Pb.ClearanceDecision decision) => decision switch
    {
        Pb.ClearanceDecision.Fit => ClearanceDecision.Fit,
        Pb.ClearanceDecision.FitWithConditions => ClearanceDecision.FitWithConditions,
        Pb.ClearanceDecision.NotFit => ClearanceDecision.NotFit,
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision, null),
    };

    public static AnxietyLevel ToDomain(Pb.AnxietyLevel anxiety) => anxiety switch
    {
        Pb.AnxietyLevel.None => AnxietyLevel.None,
        Pb.AnxietyLevel.Moderate => AnxietyLevel.Moderate,
        Pb.AnxietyLevel.Severe => AnxietyLevel.Severe,
        _ => AnxietyLevel.Unspecified,
    };

    public static ProneTolerance ToDomain(Pb.ProneTolerance prone) => prone switch
    {
        Pb.ProneTolerance.Tolerates => ProneTolerance.Tolerates,
        Pb.ProneTolerance.Limited => ProneTolerance.Limited,
        Pb.ProneTolerance.NotTolerated => ProneTolerance.NotTolerated,
        _ => ProneTolerance.Unspecified,
    };

    public static Premedication ToDomain(Pb.Premedication p) => new(
        p.Drug.Trim(),
        p.Dose.Trim(),
        p.Timing switch
        {
            Pb.PremedicationTiming.EveningBefore => PremedicationTiming.EveningBefore,
            Pb.PremedicationTiming.MorningOf => PremedicationTiming.MorningOf,
            Pb.PremedicationTiming.OnCallToRoom => PremedicationTiming.OnCallToRoom,
            Pb.PremedicationTiming.BeforeProcedure => PremedicationTiming.BeforeProcedure,
            _ => PremedicationTiming.Unspecified,
        },
        p.TimingDetail.Trim());

    public static MedicationInstruction ToDomain(Pb.MedicationInstruction m) => new(
        m.Medication.Name.Trim(),
        m.Medication.Kind switch
        {
            PbCommon.MedicationKind.Anticoagulant => MedicationKind.Anticoagulant,
            PbCommon.MedicationKind.Antiplatelet => MedicationKind.Antiplatelet,
            PbCommon.MedicationKind.Other => MedicationKind.Other,
            _ => MedicationKind.Unspecified,
        },
        m.Medication.Dosage.Trim(),
        m.Action == Pb.MedicationAction.Stop ? MedicationAction.Stop : MedicationAction.Continue,
        // A stop date only means something for a stopped medication.
        m.Action == Pb.MedicationAction.Stop ? m.StopFrom.ToDateTimeOffset() : null);

    private static Pb.AsaClass ToProto(AsaClass asa) => asa switch
    {
        AsaClass.I => Pb.AsaClass.I,
        AsaClass.II => Pb.AsaClass.Ii,
        AsaClass.III => Pb.AsaClass.Iii,
        AsaClass.IV => Pb.AsaClass.Iv,
        AsaClass.V => Pb.AsaClass.V,
        AsaClass.VI => Pb.AsaClass.Vi,
        _ => Pb.AsaClass.Unspecified,
    };

    private static Pb.AnxietyLevel ToProto(AnxietyLevel anxiety) => anxiety switch
    {
        AnxietyLevel.None => Pb.AnxietyLevel.None,
        AnxietyLevel.Moderate => Pb.AnxietyLevel.Moderate,
        AnxietyLevel.Severe => Pb.AnxietyLevel.Severe,
        _ => Pb.AnxietyLevel.Unspecified,
    };

    private static Pb.ProneTolerance ToProto(ProneTolerance prone) => prone switch
    {
        ProneTolerance.Tolerates => Pb.ProneTolerance.Tolerates,
        ProneTolerance.Limited => Pb.ProneTolerance.Limited,
        ProneTolerance.NotTolerated => Pb.ProneTolerance.NotTolerated,
        _ => Pb.ProneTolerance.Unspecified,
    };

    private static Pb.Premedication ToProto(Premedication p) => new()
    {
        Drug = p.Drug,
        Dose = p.Dose,
        Timing = p.Timing switch
        {
            PremedicationTiming.EveningBefore => Pb.PremedicationTiming.EveningBefore,
            PremedicationTiming.MorningOf => Pb.PremedicationTiming.MorningOf,
            PremedicationTiming.OnCallToRoom => Pb.PremedicationTiming.OnCallToRoom,
            PremedicationTiming.BeforeProcedure => Pb.PremedicationTiming.BeforeProcedure,
            _ => Pb.PremedicationTiming.Unspecified,
        },
        TimingDetail = p.TimingDetail,
    };

    private static Pb.MedicationInstruction ToProto(MedicationInstruction m)
    {
        var instruction = new Pb.MedicationInstruction
        {
            Medication = new PbCommon.Medication
            {
                Name = m.Name,
                Dosage = m.Dosage,
                Kind = m.Kind switch
                {
                    MedicationKind.Anticoagulant => PbCommon.MedicationKind.Anticoagulant,
                    MedicationKind.Antiplatelet => PbCommon.MedicationKind.Antiplatelet,
                    MedicationKind.Other => PbCommon.MedicationKind.Other,
                    _ => PbCommon.MedicationKind.Unspecified,
                },
            },
            Action = m.Action == MedicationAction.Stop ? Pb.MedicationAction.Stop : Pb.MedicationAction.Continue,
        };
        if (m.StopFrom is { } stopFrom)
        {
            instruction.StopFrom = Timestamp.FromDateTimeOffset(stopFrom);
        }

        return instruction;
    }
}
