using System.CommandLine;
using Google.Protobuf.Reflection;
using IrSuite.Common.V1;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using IrSuite.Irctl.Output;
using IrSuite.Scheduling.V1;
using Spectre.Console;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl referral ...</c>: the referral and what scheduling records before booking (ir.scheduling.v1).</summary>
public static class ReferralCommands
{
    internal static readonly ServiceDescriptor Api = SchedulingReflection.Descriptor.Services[0];

    public static Command Build(CommandKit kit)
    {
        var group = new Command("referral", "Referrals and what is recorded before booking: submit, IR consult, consent, labs, anticoagulation, pregnancy");
        group.Add(Submit(kit));
        group.Add(Get(kit));
        group.Add(List(kit));
        group.Add(Consult(kit));
        group.Add(Consent(kit));
        group.Add(Labs(kit));
        group.Add(Anticoagulation(kit));
        group.Add(Pregnancy(kit));
        return group;
    }

    private static Command Submit(CommandKit kit)
    {
        var family = Text("--family-name", "Patient family name", required: true);
        var given = Text("--given-name", "Patient given name", required: true);
        var birth = Text("--birth-date", "Patient birth date, YYYY-MM-DD", required: true);
        var mrn = Text("--mrn", "Hospital medical record number", required: true);
        var referrer = Text("--referrer", "Referring physician", required: true);
        var organisation = Text("--referrer-org", "Referring service or practice");
        var indication = Enum("--indication", "Indication", Indication.OsteoporoticFracture);
        var levels = Many("--level", "Requested vertebral level, e.g. L1", required: true);
        var modality = Enum("--imaging", "Supporting imaging modality (with --imaging-at)", ImagingModality.Unspecified);
        var imagingAt = Time("--imaging-at", "When the supporting imaging was done");
        var accession = Text("--accession", "Accession number of the imaging");
        var medications = Many("--medication", "Current medication NAME[:KIND[:DOSAGE]], KIND anticoagulant, antiplatelet or other");
        var allergies = Many("--allergy", "Known allergy");
        var pregnancy = Enum("--pregnancy", "Pregnancy status", PregnancyStatus.NotApplicable);
        var command = new Command("submit", "Register a referral (SubmitReferral)") { family, given, birth, mrn, referrer, organisation, indication, levels, modality, imagingAt, accession, medications, allergies, pregnancy };
        kit.Unary<SubmitReferralRequest, Referral>(command, Api, "SubmitReferral", i =>
        {
            var request = new SubmitReferralRequest
            {
                Patient = new PatientIdentity { FamilyName = i.Value(family), GivenName = i.Value(given), BirthDate = i.Value(birth), MedicalRecordNumber = i.Value(mrn) },
                Referrer = new Referrer { Name = i.Value(referrer), Organisation = i.Value(organisation) ?? string.Empty },
                Indication = i.Value(indication),
                Levels = { i.Value(levels) ?? [] },
                Medications = { (i.Value(medications) ?? []).Select(ParseMedication) },
                Allergies = { i.Value(allergies) ?? [] },
                Pregnancy = i.Value(pregnancy),
            };
            if (i.Value(modality) != ImagingModality.Unspecified)
            {
                request.Imaging.Add(new ImagingStudy { Modality = i.Value(modality), PerformedAt = i.Time(imagingAt), AccessionNumber = i.Value(accession) ?? string.Empty });
            }

            return request;
        }, ReferralView);
        return command;
    }

    private static Command Get(CommandKit kit)
    {
        var id = ReferralId();
        var command = new Command("get", "Show a referral (GetReferral)") { id };
        kit.Unary<GetReferralRequest, Referral>(command, Api, "GetReferral", i => new GetReferralRequest { ReferralId = i.Parse.GetValue(id) }, ReferralView);
        return command;
    }

    private static Command List(CommandKit kit)
    {
        var status = Enum("--status", "Only referrals with this status", ReferralStatus.Unspecified);
        var size = Whole("--page-size", "Referrals per page (at most 500)", 50);
        var token = Text("--page-token", "Continue after a previous page");
        var command = new Command("list", "List referrals, newest first (ListReferrals)") { status, size, token };
        kit.Unary<ListReferralsRequest, ListReferralsResponse>(command, Api, "ListReferrals",
            i => new ListReferralsRequest { Status = i.Value(status), PageSize = i.Value(size), PageToken = i.Value(token) ?? string.Empty },
            response =>
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("referral", "patient", "status", "indication", "levels", "submitted");
                foreach (var r in response.Referrals)
                {
                    table.AddRow(r.ReferralId, r.PatientId, ProtoEnums.Name(r.Status), ProtoEnums.Name(r.Indication), string.Join(" ", r.Levels), r.SubmittedAt is null ? string.Empty : Formats.Time(r.SubmittedAt));
                }

                table.Caption(response.NextPageToken.Length > 0 ? $"more: --page-token {Markup.Escape(response.NextPageToken)}" : $"{response.Referrals.Count} referral(s)");
                return table;
            });
        return command;
    }

    private static Command Consult(CommandKit kit)
    {
        var id = ReferralId();
        var accept = Flag("--accept", "Accept the referral");
        var decline = Flag("--decline", "Decline the referral (with --decline-reason)");
        var sedation = Enum("--sedation", "Expected sedation", SedationMode.Unspecified);
        var reason = Text("--decline-reason", "Why declined (stays in scheduling)");
        var osteoporosis = Flag("--osteoporosis-suspected", "Osteoporosis suspected: a fracture-liaison referral follows discharge");
        var command = new Command("consult", "Record the interventional radiologist's consult: accept or decline (RecordIrConsult)") { id, accept, decline, sedation, reason, osteoporosis };
        kit.Unary<RecordIrConsultRequest, Referral>(command, Api, "RecordIrConsult", i =>
        {
            if (i.Value(accept) == i.Value(decline))
            {
                throw new UsageException("give exactly one of --accept and --decline");
            }

            return new RecordIrConsultRequest
            {
                ReferralId = i.Parse.GetValue(id),
                Accepted = i.Value(accept),
                ExpectedSedation = i.Value(sedation),
                DeclineReason = i.Value(reason) ?? string.Empty,
                OsteoporosisSuspected = i.Value(osteoporosis),
            };
        }, ReferralView);
        return command;
    }

    private static Command Consent(CommandKit kit)
    {
        var id = ReferralId();
        var levels = Many("--level", "Level on the consent form (must equal the requested levels)", required: true);
        var all = Flag("--all-information-given", "Procedure, anaesthesia and radiation information were all given");
        var procedure = Flag("--procedure-information", "The procedure, its risks and alternatives were explained");
        var anesthesia = Flag("--anesthesia-information", "The anaesthesia information was given");
        var radiation = Flag("--radiation-information", "The radiation exposure information was given");
        var signedAt = Time("--signed-at", "When the patient signed (default now)");
        var command = new Command("consent", "Record the signed consent (RecordConsent); the caller is recorded as who took it") { id, levels, all, procedure, anesthesia, radiation, signedAt };
        kit.Unary<RecordConsentRequest, Consent>(command, Api, "RecordConsent", i => new RecordConsentRequest
        {
            ReferralId = i.Parse.GetValue(id),
            ConsentedLevels = { i.Value(levels) ?? [] },
            ProcedureInformationGiven = i.Value(all) || i.Value(procedure),
            AnesthesiaInformationGiven = i.Value(all) || i.Value(anesthesia),
            RadiationInformationGiven = i.Value(all) || i.Value(radiation),
            SignedAt = i.TimeOrNow(signedAt),
        });
        return command;
    }

    private static Command Labs(CommandKit kit)
    {
        var id = ReferralId();
        var inr = Number("--inr", "INR (0.5 to 10)", required: true);
        var platelets = Number("--platelets", "Platelets, 10^9/L", required: true);
        var crcl = Number("--crcl", "Creatinine clearance, mL/min (Cockcroft-Gault)");
        var takenAt = Time("--taken-at", "When the sample was taken (default now)");
        var command = new Command("labs", "Record the pre-procedure labs (RecordLabs)") { id, inr, platelets, crcl, takenAt };
        kit.Unary<RecordLabsRequest, LabResults>(command, Api, "RecordLabs", i =>
        {
            var request = new RecordLabsRequest { ReferralId = i.Parse.GetValue(id), Inr = i.Value(inr) ?? 0, PlateletsGPerL = i.Value(platelets) ?? 0, TakenAt = i.TimeOrNow(takenAt) };
            if (i.Value(crcl) is { } value)
            {
                request.CreatinineClearanceMlMin = value;
            }

            return request;
        });
        return command;
    }

    private static Command Anticoagulation(CommandKit kit)
    {
        var id = ReferralId();
        var crcl = Number("--crcl", "Creatinine clearance, mL/min (default: the recorded labs')");
        var lastDoses = Many("--last-dose", "DRUG=TIME of a drug already stopped (drugs not listed are still taken)");
        var start = Time("--proposed-start", "Planned slot start, for stop-from and restart times");
        var duration = Whole("--duration", "Planned slot length, minutes", 60);
        var command = new Command("anticoagulation", "Compute and store the anticoagulant / antiplatelet hold plan (PlanAnticoagulation)") { id, crcl, lastDoses, start, duration };
        kit.Unary<PlanAnticoagulationRequest, AnticoagulantPlan>(command, Api, "PlanAnticoagulation", i =>
        {
            var request = new PlanAnticoagulationRequest { ReferralId = i.Parse.GetValue(id), ProposedStart = i.Time(start), DurationMinutes = i.Value(duration) };
            if (i.Value(crcl) is { } value)
            {
                request.CreatinineClearanceMlMin = value;
            }

            foreach (var dose in i.Value(lastDoses) ?? [])
            {
                var parts = dose.Split('=', 2);
                if (parts.Length != 2)
                {
                    throw new UsageException($"--last-dose '{dose}': expected DRUG=TIME");
                }

                request.LastDoses.Add(new LastDose
                {
                    Drug = parts[0],
                    LastDoseAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(Invocation.ParseTime(parts[1], i.Environment.Clock.GetUtcNow(), "--last-dose")),
                });
            }

            return request;
        });
        return command;
    }

    private static Command Pregnancy(CommandKit kit)
    {
        var id = ReferralId();
        var status = Enum("--status", "The new pregnancy status", PregnancyStatus.Unspecified, required: true);
        var command = new Command("pregnancy", "Update the pregnancy status, e.g. excluded after a negative test (UpdatePregnancyStatus)") { id, status };
        kit.Unary<UpdatePregnancyStatusRequest, Referral>(command, Api, "UpdatePregnancyStatus",
            i => new UpdatePregnancyStatusRequest { ReferralId = i.Parse.GetValue(id), Pregnancy = i.Value(status) }, ReferralView);
        return command;
    }

    private static Medication ParseMedication(string text)
    {
        var parts = text.Split(':', 3);
        var kind = parts.Length > 1 ? parts[1].Trim().ToLowerInvariant() switch
        {
            "anticoagulant" => MedicationKind.Anticoagulant,
            "antiplatelet" => MedicationKind.Antiplatelet,
            "other" or "" => MedicationKind.Other,
            _ => throw new UsageException($"--medication '{text}': kind must be anticoagulant, antiplatelet or other"),
        } : MedicationKind.Other;
        return new Medication { Name = parts[0].Trim(), Kind = kind, Dosage = parts.Length > 2 ? parts[2].Trim() : string.Empty };
    }

    private static Spectre.Console.Rendering.IRenderable ReferralView(Referral referral) => MessageView.Tree(referral, $"Referral {referral.ReferralId}");
}
