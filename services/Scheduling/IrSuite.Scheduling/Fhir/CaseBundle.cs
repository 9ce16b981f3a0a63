using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Discharge.V1;
using IrSuite.Procedure.V1;
using IrSuite.Scheduling.V1;
using static IrSuite.Scheduling.Fhir.FhirTerminology;
using CommonV1 = IrSuite.Common.V1;
using ProcedureDose = IrSuite.Procedure.V1.Dose;
using ProcedureStatus = IrSuite.Procedure.V1.CaseStatus;

namespace IrSuite.Scheduling.Fhir;

/// <summary>The procedure booking the Encounter is made from.</summary>
internal sealed record BookingFacts(DateTimeOffset Start, int DurationMinutes, CommonV1.AdmissionType Admission);

/// <summary>The signed consent.</summary>
internal sealed record ConsentFacts(DateTimeOffset SignedAt, string ProtocolVersion);

/// <summary>The latest pre-procedure labs.</summary>
internal sealed record LabFacts(double Inr, double PlateletsGPerL, DateTimeOffset TakenAt);

/// <summary>Everything one export reads: scheduling's own records and what the peers returned (null: nothing yet).</summary>
internal sealed record CaseFacts
{
    public required Guid ReferralId { get; init; }

    public required string PatientId { get; init; }

    /// <summary>Null unless the caller may see the identity (scheduler, radiologist).</summary>
    public PatientIdentity? Identity { get; init; }

    public required ReferralStatus Status { get; init; }

    public required Indication Indication { get; init; }

    public required IReadOnlyList<string> Levels { get; init; }

    public required DateTimeOffset SubmittedAt { get; init; }

    public IReadOnlyList<string> AllergyClasses { get; init; } = [];

    public ConsentFacts? Consent { get; init; }

    public LabFacts? Labs { get; init; }

    public BookingFacts? Booking { get; init; }

    public ProcedureCase? Procedure { get; init; }

    public DischargeSummary? Discharge { get; init; }

    public IReadOnlyList<PainScore> Pain { get; init; } = [];

    public required DateTimeOffset ExportedAt { get; init; }
}

/// <summary>
/// Writes one case as a FHIR R4 Bundle (type collection). Every entry has a urn:uuid fullUrl derived from the
/// referral id and the resource's role, so two exports of the same case name their resources alike. Only codes,
/// numbers, dates and ids are written: no free text a clinician typed (decision 0017).
/// </summary>
internal static class CaseBundle
{
    public const string ContentType = "application/fhir+json; fhirVersion=4.0";

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary>The bundle JSON and its resource types in order.</summary>
    public static (string Json, IReadOnlyList<string> ResourceTypes) Write(CaseFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var entries = new List<(string Url, JsonObject Resource)>();
        var patient = Add(entries, facts, "Patient", "patient", PatientResource(facts));
        var request = Add(entries, facts, "ServiceRequest", "service-request", ServiceRequestResource(facts, patient));

        string? encounter = null;
        if (facts.Booking is { } booking)
        {
            encounter = Add(entries, facts, "Encounter", "encounter", EncounterResource(facts, booking, patient, request));
        }

        if (facts.Procedure is { } procedure && procedure.Status >= ProcedureStatus.SignedIn)
        {
            AddProcedures(entries, facts, procedure, patient, request, encounter);
        }

        foreach (var (score, index) in facts.Pain.Select((p, i) => (p, i)))
        {
            Add(entries, facts, "Observation", $"pain/{index}", PainObservation(score, patient, encounter));
        }

        if (facts.Labs is { } labs)
        {
            Add(entries, facts, "Observation", "lab/inr", LabObservation(InrCode, InrDisplay, labs.Inr, "{INR}", "{INR}", labs.TakenAt, patient));
            Add(entries, facts, "Observation", "lab/platelets", LabObservation(PlateletsCode, PlateletsDisplay, labs.PlateletsGPerL, "10*9/L", "10*9/L", labs.TakenAt, patient));
        }

        foreach (var allergy in facts.AllergyClasses)
        {
            Add(entries, facts, "AllergyIntolerance", $"allergy/{allergy}", AllergyResource(allergy, facts.SubmittedAt, patient));
        }

        if (facts.Consent is { } consent)
        {
            Add(entries, facts, "Consent", "consent", ConsentResource(consent, patient));
        }

        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["id"] = DerivedId(facts.ReferralId, "bundle").ToString(),
            ["type"] = "collection",
            ["timestamp"] = Instant(facts.ExportedAt),
            ["entry"] = new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject { ["fullUrl"] = e.Url, ["resource"] = e.Resource })]),
        };
        return (bundle.ToJsonString(Compact), entries.Select(e => (string)e.Resource["resourceType"]!).ToList());
    }

    /// <summary>A name-based UUID (SHA-256 of the referral id and the role, version 8 layout): stable across exports.</summary>
    internal static Guid DerivedId(Guid referralId, string role)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{referralId:D}/{role}"), hash);
        var bytes = hash[..16].ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    private static string Add(List<(string, JsonObject)> entries, CaseFacts facts, string type, string role, JsonObject resource)
    {
        var id = DerivedId(facts.ReferralId, role).ToString();
        var body = new JsonObject { ["resourceType"] = type, ["id"] = id };

        // The definition order where it is cheap: resourceType, id, extensions first, then the resource's elements.
        foreach (var (key, value) in resource.ToList().OrderBy(p => p.Key == "extension" ? 0 : 1))
        {
            resource.Remove(key);
            body[key] = value;
        }

        var url = "urn:uuid:" + id;
        entries.Add((url, body));
        return url;
    }

    private static JsonObject PatientResource(CaseFacts facts)
    {
        var identifiers = new JsonArray { Identifier(PatientPseudonymSystem, facts.PatientId) };
        var patient = new JsonObject { ["identifier"] = identifiers };
        if (facts.Identity is { } identity)
        {
            var mrn = Identifier(MedicalRecordNumberSystem, identity.MedicalRecordNumber);
            mrn["type"] = Concept(IdentifierType, "MR", "Medical record number");
            identifiers.Add(mrn);
            patient["name"] = new JsonArray { new JsonObject { ["family"] = identity.FamilyName, ["given"] = new JsonArray { identity.GivenName } } };
            patient["birthDate"] = identity.BirthDate;
        }

        return patient;
    }

    private static JsonObject ServiceRequestResource(CaseFacts facts, string patient)
    {
        var request = new JsonObject
        {
            ["identifier"] = new JsonArray { Identifier(ReferralSystem, facts.ReferralId.ToString()) },
            ["status"] = facts.Status switch
            {
                ReferralStatus.Declined => "revoked",
                ReferralStatus.ProcedureDone or ReferralStatus.Discharged => "completed",
                _ => "active",
            },
            ["intent"] = "order",
            ["code"] = VertebroplastyCode(),
            ["subject"] = Reference(patient),
            ["authoredOn"] = FhirDateTime(facts.SubmittedAt),
            ["bodySite"] = new JsonArray([.. facts.Levels.Select(l => (JsonNode)Level(l))]),
            ["reasonCode"] = new JsonArray { IndicationCode(facts.Indication) },
        };
        if (facts.Booking is { } booking)
        {
            request["occurrenceDateTime"] = FhirDateTime(booking.Start);
        }

        return request;
    }

    private static JsonObject EncounterResource(CaseFacts facts, BookingFacts booking, string patient, string request)
    {
        var procedure = facts.Procedure;
        var discontinued = procedure?.Status == ProcedureStatus.Discontinued;
        var status = facts.Discharge is not null || discontinued ? "finished"
            : procedure is not null && procedure.Status >= ProcedureStatus.SignedIn ? "in-progress"
            : "planned";
        var hospitalised = booking.Admission == CommonV1.AdmissionType.Hospitalised;
        var period = new JsonObject();
        if (status == "planned")
        {
            period["start"] = FhirDateTime(booking.Start);
            period["end"] = FhirDateTime(booking.Start.AddMinutes(booking.DurationMinutes));
        }
        else
        {
            period["start"] = FhirDateTime(procedure?.SignedInAt?.ToDateTimeOffset() ?? booking.Start);
            var end = facts.Discharge?.DischargedAt ?? (discontinued ? procedure!.EndedAt : null);
            if (end is not null)
            {
                period["end"] = FhirDateTime(end.ToDateTimeOffset());
            }
        }

        var encounter = new JsonObject
        {
            ["status"] = status,
            ["class"] = hospitalised ? Coding(ActCode, "IMP", "inpatient encounter") : Coding(ActCode, "AMB", "ambulatory"),
            ["subject"] = Reference(patient),
            ["basedOn"] = new JsonArray { Reference(request) },
            ["period"] = period,
        };
        if (facts.Discharge is { Destination: Destination.Home })
        {
            encounter["hospitalization"] = new JsonObject { ["dischargeDisposition"] = Concept(DischargeDisposition, "home", "Home") };
        }

        return encounter;
    }

    private static void AddProcedures(List<(string, JsonObject)> entries, CaseFacts facts, ProcedureCase procedure, string patient, string request, string? encounter)
    {
        // The case as a whole (complications, dose) and one child per level (bodySite, cement), as in clinical-anchors §3.
        var caseStatus = procedure.Status switch
        {
            ProcedureStatus.Completed => "completed",
            ProcedureStatus.Discontinued => "stopped",
            _ => "in-progress",
        };
        var parent = new JsonObject
        {
            ["basedOn"] = new JsonArray { Reference(request) },
            ["status"] = caseStatus,
            ["code"] = VertebroplastyCode(),
            ["subject"] = Reference(patient),
        };
        if (encounter is not null)
        {
            parent["encounter"] = Reference(encounter);
        }

        var performed = new JsonObject();
        if (procedure.SignedInAt is { } signedIn)
        {
            performed["start"] = FhirDateTime(signedIn.ToDateTimeOffset());
        }

        if (procedure.EndedAt is { } ended)
        {
            performed["end"] = FhirDateTime(ended.ToDateTimeOffset());
        }

        parent["performedPeriod"] = performed;
        if (procedure.Complications.Count > 0)
        {
            parent["complication"] = new JsonArray([.. procedure.Complications.Select(c => (JsonNode)Complication(c.Code, c.CirseGrade))]);
        }

        var caseUrl = Add(entries, facts, "Procedure", "procedure", parent);

        var devices = new Dictionary<(string, string, string, string), string>();
        foreach (var treatment in procedure.Treatments)
        {
            var key = (treatment.CementProduct, treatment.CementLot, treatment.CementExpiry, treatment.UdiDi);
            if (!devices.TryGetValue(key, out var device))
            {
                device = Add(entries, facts, "Device", $"device/{devices.Count}", DeviceResource(treatment, patient));
                devices[key] = device;
            }

            var level = LevelProcedure(request, caseUrl, patient, encounter, treatment.Level, "completed");
            level["performedDateTime"] = FhirDateTime(treatment.RecordedAt.ToDateTimeOffset());
            level["focalDevice"] = new JsonArray
            {
                new JsonObject { ["action"] = Concept(Snomed, ImplantationAction, "Implantation - action"), ["manipulated"] = Reference(device) },
            };
            level["extension"] = new JsonArray
            {
                new JsonObject { ["url"] = ApproachExtension, ["valueCode"] = treatment.Approach == Approach.Unipedicular ? "unipedicular" : "bipedicular" },
                new JsonObject { ["url"] = CementVolumeExtension, ["valueQuantity"] = Quantity(treatment.CementVolumeMl, "mL", "mL") },
            };
            if (treatment.Leakage is not (Leakage.None or Leakage.Unspecified))
            {
                var leak = "CEMENT_LEAKAGE_" + treatment.Leakage.ToString().ToUpperInvariant() + (treatment.LeakageSymptomatic ? "_SYMPTOMATIC" : "");
                level["complication"] = new JsonArray { new JsonObject { ["coding"] = new JsonArray { Coding(ComplicationSystem, leak, Humanize(leak)) } } };
            }

            Add(entries, facts, "Procedure", $"procedure/{treatment.Level}", level);
        }

        var treated = procedure.Treatments.Select(t => t.Level).ToHashSet(StringComparer.Ordinal);
        var abandoned = procedure.AbandonedLevels.ToDictionary(a => a.Level, StringComparer.Ordinal);
        var planned = procedure.ConfirmedLevels.Count > 0 ? procedure.ConfirmedLevels : procedure.ScheduledLevels;
        foreach (var levelName in planned.Where(l => !treated.Contains(l)))
        {
            var closed = procedure.Status is ProcedureStatus.Completed or ProcedureStatus.Discontinued;
            var level = LevelProcedure(request, caseUrl, patient, encounter, levelName, abandoned.ContainsKey(levelName) || closed ? "not-done" : "in-progress");
            var reason = abandoned.TryGetValue(levelName, out var a) ? a.Reason : procedure.Status == ProcedureStatus.Discontinued ? "CASE_DISCONTINUED" : null;
            if (reason is not null && IsCode(reason))
            {
                level["statusReason"] = Concept(ReasonSystem, reason, Humanize(reason));
            }

            Add(entries, facts, "Procedure", $"procedure/{levelName}", level);
        }

        if (procedure.Dose is { } dose)
        {
            var when = procedure.EndedAt ?? procedure.SignedOutAt ?? procedure.TimedOutAt ?? procedure.SignedInAt;
            Add(entries, facts, "Observation", "dose", DoseObservation(dose, when?.ToDateTimeOffset() ?? facts.ExportedAt, patient, encounter, caseUrl));
        }
    }

    private static JsonObject LevelProcedure(string request, string parent, string patient, string? encounter, string level, string status)
    {
        var procedure = new JsonObject
        {
            ["basedOn"] = new JsonArray { Reference(request) },
            ["partOf"] = new JsonArray { Reference(parent) },
            ["status"] = status,
            ["code"] = VertebroplastyCode(),
            ["subject"] = Reference(patient),
            ["bodySite"] = new JsonArray { Level(level) },
        };
        if (encounter is not null)
        {
            procedure["encounter"] = Reference(encounter);
        }

        return procedure;
    }

    private static JsonObject DeviceResource(LevelTreatment treatment, string patient)
    {
        var device = new JsonObject
        {
            ["lotNumber"] = treatment.CementLot,
            ["deviceName"] = new JsonArray { new JsonObject { ["name"] = treatment.CementProduct, ["type"] = "user-friendly-name" } },
            ["type"] = new JsonObject { ["text"] = "Bone cement for vertebroplasty" },
            ["patient"] = Reference(patient),
        };
        if (treatment.CementExpiry.Length > 0)
        {
            device["expirationDate"] = treatment.CementExpiry;
        }

        if (treatment.UdiDi.Length > 0)
        {
            device["udiCarrier"] = new JsonArray { new JsonObject { ["deviceIdentifier"] = treatment.UdiDi } };
        }

        return device;
    }

    private static JsonObject DoseObservation(ProcedureDose dose, DateTimeOffset effective, string patient, string? encounter, string procedure)
    {
        var components = new JsonArray
        {
            new JsonObject
            {
                ["code"] = Concept(Dicom, DoseCodes.ProcedureReported, "Procedure reported"),
                ["valueCodeableConcept"] = Concept(Dicom, DoseCodes.ProjectionXRay, "Projection X-Ray"),
            },
            DoseComponent(DoseCodes.DoseAreaProductTotal, "Dose Area Product Total", (decimal)dose.DoseAreaProductGyCm2 * 1000m, "mGy.cm2"),
            DoseComponent(DoseCodes.DoseRpTotal, "Dose (RP) Total", (decimal)dose.ReferenceAirKermaMgy, "mGy"),
            DoseComponent(DoseCodes.TotalFluoroTime, "Total Fluoro Time", (decimal)dose.FluoroscopySeconds, "s"),
        };
        if (dose.ControlCtDone)
        {
            components.Add(DoseComponent(DoseCodes.CtDoseLengthProductTotal, "CT Dose Length Product Total", (decimal)dose.CtDlpMgyCm, "mGy.cm"));
        }

        var observation = new JsonObject
        {
            ["partOf"] = new JsonArray { Reference(procedure) },
            ["status"] = "final",
            ["category"] = new JsonArray { Concept(ObservationCategory, "procedure", "Procedure") },
            ["code"] = Concept(Loinc, RadiationDoseCode, RadiationDoseDisplay),
            ["subject"] = Reference(patient),
            ["effectiveDateTime"] = FhirDateTime(effective),
            ["component"] = components,
        };
        if (encounter is not null)
        {
            observation["encounter"] = Reference(encounter);
        }

        return observation;
    }

    private static JsonObject DoseComponent(string code, string display, decimal value, string unit) => new()
    {
        ["code"] = Concept(Dicom, code, display),
        ["valueQuantity"] = Quantity(value, unit, unit),
    };

    private static JsonObject PainObservation(PainScore score, string patient, string? encounter)
    {
        var observation = new JsonObject
        {
            ["status"] = "final",
            ["category"] = new JsonArray { Concept(ObservationCategory, "survey", "Survey") },
            ["code"] = Concept(Loinc, PainCode, PainDisplay),
            ["subject"] = Reference(patient),
            ["effectiveDateTime"] = FhirDateTime(score.TakenAt.ToDateTimeOffset()),
            ["valueQuantity"] = Quantity((decimal)score.Score, "{score}", "{score}"),
        };
        if (encounter is not null)
        {
            observation["encounter"] = Reference(encounter);
        }

        return observation;
    }

    private static JsonObject LabObservation(string code, string display, double value, string unit, string ucum, DateTimeOffset taken, string patient) => new()
    {
        ["status"] = "final",
        ["category"] = new JsonArray { Concept(ObservationCategory, "laboratory", "Laboratory") },
        ["code"] = Concept(Loinc, code, display),
        ["subject"] = Reference(patient),
        ["effectiveDateTime"] = FhirDateTime(taken),
        ["valueQuantity"] = Quantity((decimal)value, unit, ucum),
    };

    private static JsonObject AllergyResource(string allergyClass, DateTimeOffset recorded, string patient)
    {
        var allergy = new JsonObject
        {
            // Declared at referral, not confirmed by testing: active and unconfirmed (ait-1: clinicalStatus present).
            ["clinicalStatus"] = Concept(AllergyClinical, "active", "Active"),
            ["verificationStatus"] = Concept(AllergyVerification, "unconfirmed", "Unconfirmed"),
            ["code"] = new JsonObject
            {
                ["coding"] = new JsonArray { Coding(AllergyClassSystem, allergyClass, AllergyDisplay(allergyClass)) },
                ["text"] = AllergyDisplay(allergyClass),
            },
            ["patient"] = Reference(patient),
            ["recordedDate"] = FhirDateTime(recorded),
        };
        if (AllergyCategory(allergyClass) is { } category)
        {
            allergy["category"] = new JsonArray { category };
        }

        return allergy;
    }

    private static JsonObject ConsentResource(ConsentFacts consent, string patient) => new()
    {
        ["status"] = "active",
        ["scope"] = Concept(ConsentScope, "treatment", "Treatment"),
        ["category"] = new JsonArray { Concept(Loinc, ConsentCategoryCode, ConsentCategoryDisplay) },
        ["patient"] = Reference(patient),
        ["dateTime"] = FhirDateTime(consent.SignedAt),
        ["performer"] = new JsonArray { Reference(patient) },
        // ppc-1: a policy or a policyRule. The site's consent form, in the protocol version it was taken under.
        ["policy"] = new JsonArray { new JsonObject { ["uri"] = ConsentPolicy + (consent.ProtocolVersion.Length > 0 ? ":" + Uri.EscapeDataString(consent.ProtocolVersion) : "") } },
        ["provision"] = new JsonObject { ["type"] = "permit", ["code"] = new JsonArray { VertebroplastyCode() } },
    };

    private static JsonObject Complication(string code, int grade)
    {
        var concept = new JsonObject { ["coding"] = new JsonArray { Coding(ComplicationSystem, code, Humanize(code)) } };
        if (grade is >= 1 and <= 6)
        {
            concept["text"] = $"{Humanize(code)} (CIRSE grade {grade})";
        }

        return concept;
    }

    private static JsonObject VertebroplastyCode() => Concept(ProcedureSystem, "VERTEBROPLASTY", "Percutaneous vertebroplasty");

    private static JsonObject IndicationCode(Indication indication) => indication switch
    {
        Indication.Tumour => Concept(IndicationSystem, "TUMOUR", "Osteolytic tumour at risk of fracture"),
        _ => Concept(IndicationSystem, "OSTEOPOROTIC_FRACTURE", "Painful osteoporotic vertebral compression fracture"),
    };

    private static JsonObject Level(string level)
    {
        var codings = new JsonArray();
        if (VertebraSnomed.TryGetValue(level, out var snomed))
        {
            codings.Add(Coding(Snomed, snomed, LevelDisplay(level)));
        }

        codings.Add(Coding(VertebralLevelSystem, level, LevelDisplay(level)));
        return new JsonObject { ["coding"] = codings, ["text"] = LevelDisplay(level) };
    }

    private static bool IsCode(string value) => value.Length is > 0 and <= 64 && value.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_');

    private static JsonObject Identifier(string system, string value) => new() { ["system"] = system, ["value"] = value };

    private static JsonObject Reference(string url) => new() { ["reference"] = url };

    private static JsonObject Coding(string system, string code, string display) => new() { ["system"] = system, ["code"] = code, ["display"] = display };

    private static JsonObject Concept(string system, string code, string display) => new() { ["coding"] = new JsonArray { Coding(system, code, display) } };

    private static JsonObject Quantity(decimal value, string unit, string ucum) => new()
    {
        ["value"] = decimal.Round(value, 6),
        ["unit"] = unit,
        ["system"] = Ucum,
        ["code"] = ucum,
    };

    private static JsonObject Quantity(double value, string unit, string ucum) => Quantity((decimal)value, unit, ucum);

    /// <summary>A FHIR dateTime in UTC to the second (the services record instants).</summary>
    private static string FhirDateTime(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string FhirDateTime(Timestamp value) => FhirDateTime(value.ToDateTimeOffset());

    /// <summary>A FHIR instant (seconds required, milliseconds kept).</summary>
    private static string Instant(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
