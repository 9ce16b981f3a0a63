using System.CommandLine;
using Google.Protobuf.Reflection;
using IrSuite.Anesthesia.V1;
using IrSuite.Common.V1;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl anesthesia ...</c>: the anaesthesia consultation (ir.anesthesia.v1).</summary>
public static class AnesthesiaCommands
{
    private static readonly ServiceDescriptor Api = AnesthesiaReflection.Descriptor.Services[0];

    public static Command Build(CommandKit kit)
    {
        var group = new Command("anesthesia", "Anaesthesia consultation: assessment, sedation plan, clearance, pre-anaesthetic visit");
        group.Add(Assess(kit));
        group.Add(PlanSedation(kit));
        group.Add(SignClearance(kit));
        group.Add(Visit(kit));

        var id = ReferralId();
        var plan = new Command("plan", "Show the anaesthesia plan of a referral (GetPlan)") { id };
        kit.Unary<GetPlanRequest, AnesthesiaPlan>(plan, Api, "GetPlan", i => new GetPlanRequest { ReferralId = i.Parse.GetValue(id) });
        group.Add(plan);
        return group;
    }

    private static Command Assess(CommandKit kit)
    {
        var id = ReferralId();
        var asa = Enum("--asa", "ASA physical status", AsaClass.Unspecified, required: true);
        var emergency = Flag("--emergency", "Emergency modifier (ASA E)");
        var comorbidities = Many("--comorbidity", "Comorbidity code or short label");
        var allergies = Many("--allergy", "Allergy");
        var inr = Number("--inr", "INR of the labs");
        var platelets = Number("--platelets", "Platelets of the labs, 10^9/L");
        var labsAt = Time("--labs-taken-at", "When the labs were taken (default now)");
        var anxiety = Enum("--anxiety", "Anxiety level", AnxietyLevel.Unspecified, required: true);
        var prone = Enum("--prone", "Prone-position tolerance", ProneTolerance.Unspecified, required: true);
        var continues = Many("--continue", "Medication to continue up to the procedure day");
        var stops = Many("--stop", "Medication to stop, NAME=TIME of the first day without it");
        var command = new Command("assess", "Record the pre-anaesthetic assessment (RecordAssessment)") { id, asa, emergency, comorbidities, allergies, inr, platelets, labsAt, anxiety, prone, continues, stops };
        kit.Unary<RecordAssessmentRequest, AnesthesiaPlan>(command, Api, "RecordAssessment", i =>
        {
            var request = new RecordAssessmentRequest
            {
                ReferralId = i.Parse.GetValue(id),
                AsaClass = i.Value(asa),
                Emergency = i.Value(emergency),
                Comorbidities = { i.Value(comorbidities) ?? [] },
                Allergies = { i.Value(allergies) ?? [] },
                Anxiety = i.Value(anxiety),
                ProneTolerance = i.Value(prone),
            };
            if (i.Value(inr) is not null || i.Value(platelets) is not null)
            {
                request.Labs = new Labs { Inr = i.Value(inr) ?? 0, PlateletsGPerL = i.Value(platelets) ?? 0, TakenAt = i.TimeOrNow(labsAt) };
            }

            foreach (var name in i.Value(continues) ?? [])
            {
                request.MedicationPlan.Add(new MedicationInstruction { Medication = new Medication { Name = name }, Action = MedicationAction.Continue });
            }

            foreach (var stop in i.Value(stops) ?? [])
            {
                var parts = stop.Split('=', 2);
                if (parts.Length != 2)
                {
                    throw new UsageException($"--stop '{stop}': expected NAME=TIME");
                }

                request.MedicationPlan.Add(new MedicationInstruction
                {
                    Medication = new Medication { Name = parts[0] },
                    Action = MedicationAction.Stop,
                    StopFrom = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Invocation.ParseTime(parts[1], i.Environment.Clock.GetUtcNow(), "--stop")),
                });
            }

            return request;
        });
        return command;
    }

    private static Command PlanSedation(CommandKit kit)
    {
        var id = ReferralId();
        var mode = Enum("--mode", "Sedation mode", SedationMode.Unspecified, required: true);
        var deviation = Text("--deviation-reason", "Why the mode differs from the suggested one (required then)");
        var premedication = Many("--premed", "Premedication DRUG:DOSE:TIMING[:DETAIL], TIMING evening-before, morning-of, on-call-to-room or before-procedure");
        var antibiotic = Text("--antibiotic", "Chosen antibiotic prophylaxis (default: the proposed one)");
        var command = new Command("plan-sedation", "Choose the sedation mode and premedication (PlanSedation)") { id, mode, deviation, premedication, antibiotic };
        kit.Unary<PlanSedationRequest, AnesthesiaPlan>(command, Api, "PlanSedation", i => new PlanSedationRequest
        {
            ReferralId = i.Parse.GetValue(id),
            Mode = i.Value(mode),
            DeviationReason = i.Value(deviation) ?? string.Empty,
            Premedication = { (i.Value(premedication) ?? []).Select(ParsePremedication) },
            AntibioticProphylaxis = i.Value(antibiotic) ?? string.Empty,
        });
        return command;
    }

    private static Command SignClearance(CommandKit kit)
    {
        var id = ReferralId();
        var decision = Enum("--decision", "The clearance decision", ClearanceDecision.Unspecified, required: true);
        var conditions = Many("--condition", "Condition to meet (required with fit-with-conditions)");
        var command = new Command("sign-clearance", "Sign the anaesthesia clearance; the caller is the signer (SignClearance)") { id, decision, conditions };
        kit.Unary<SignClearanceRequest, AnesthesiaPlan>(command, Api, "SignClearance",
            i => new SignClearanceRequest { ReferralId = i.Parse.GetValue(id), Decision = i.Value(decision), Conditions = { i.Value(conditions) ?? [] } });
        return command;
    }

    private static Command Visit(CommandKit kit)
    {
        var id = ReferralId();
        var at = Time("--visited-at", "When the visit took place (default now; within 24 h before the slot)");
        var command = new Command("visit", "Record the pre-anaesthetic visit of a cleared case (RecordPreAnestheticVisit)") { id, at };
        kit.Unary<RecordPreAnestheticVisitRequest, AnesthesiaPlan>(command, Api, "RecordPreAnestheticVisit",
            i => new RecordPreAnestheticVisitRequest { ReferralId = i.Parse.GetValue(id), VisitedAt = i.TimeOrNow(at) });
        return command;
    }

    private static Premedication ParsePremedication(string text)
    {
        var parts = text.Split(':', 4);
        if (parts.Length < 3)
        {
            throw new UsageException($"--premed '{text}': expected DRUG:DOSE:TIMING[:DETAIL]");
        }

        var timing = parts[2].Trim().Replace('_', '-').ToLowerInvariant() switch
        {
            "evening-before" => PremedicationTiming.EveningBefore,
            "morning-of" => PremedicationTiming.MorningOf,
            "on-call-to-room" => PremedicationTiming.OnCallToRoom,
            "before-procedure" => PremedicationTiming.BeforeProcedure,
            _ => throw new UsageException($"--premed '{text}': timing must be evening-before, morning-of, on-call-to-room or before-procedure"),
        };
        return new Premedication { Drug = parts[0].Trim(), Dose = parts[1].Trim(), Timing = timing, TimingDetail = parts.Length > 3 ? parts[3].Trim() : string.Empty };
    }
}
