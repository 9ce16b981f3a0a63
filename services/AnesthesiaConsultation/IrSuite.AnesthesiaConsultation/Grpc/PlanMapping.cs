using Google.Protobuf.WellKnownTypes;
using IrSuite.AnesthesiaConsultation.Domain;
using Pb = IrSuite.Anesthesia.V1;
using PbCommon = IrSuite.Common.V1;

namespace IrSuite.AnesthesiaConsultation.Grpc;

/// <summary>Proto &lt;-&gt; domain mapping; requests reach it already validated.</summary>
internal static class PlanMapping
{
    public static Pb.AnesthesiaPlan ToProto(AnesthesiaCase c)
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
