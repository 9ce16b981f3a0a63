namespace IrSuite.Scheduling.Fhir;

/// <summary>
/// The code systems and codes the export uses. External codes were checked against their published sources (decision
/// 0017); everything IrSuite-specific is in a local code system under <see cref="LocalBase"/>, always with a display.
/// </summary>
internal static class FhirTerminology
{
    public const string Snomed = "http://snomed.info/sct";
    public const string Loinc = "http://loinc.org";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string Dicom = "http://dicom.nema.org/resources/ontology/DCM";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string AllergyClinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
    public const string AllergyVerification = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
    public const string ConsentScope = "http://terminology.hl7.org/CodeSystem/consentscope";
    public const string DischargeDisposition = "http://terminology.hl7.org/CodeSystem/discharge-disposition";

    /// <summary>Local code systems and identifier namespaces (URNs: IrSuite publishes no terminology server).</summary>
    public const string LocalBase = "urn:irsuite:fhir:";

    public const string VertebralLevelSystem = LocalBase + "CodeSystem:vertebral-level";
    public const string ProcedureSystem = LocalBase + "CodeSystem:procedure";
    public const string IndicationSystem = LocalBase + "CodeSystem:indication";
    public const string AllergyClassSystem = LocalBase + "CodeSystem:allergy-class";
    public const string ComplicationSystem = LocalBase + "CodeSystem:complication";
    public const string ReasonSystem = LocalBase + "CodeSystem:not-done-reason";
    public const string PatientPseudonymSystem = LocalBase + "id:patient-pseudonym";
    public const string MedicalRecordNumberSystem = LocalBase + "id:medical-record-number";
    public const string ReferralSystem = LocalBase + "id:referral";
    public const string ConsentPolicy = LocalBase + "policy:vertebroplasty-consent";
    public const string ApproachExtension = LocalBase + "StructureDefinition:trocar-approach";
    public const string CementVolumeExtension = LocalBase + "StructureDefinition:cement-volume";

    /// <summary>SNOMED CT "Implantation - action" (R4 ValueSet device-action: is-a 129264002 Action).</summary>
    public const string ImplantationAction = "129336009";

    /// <summary>LOINC 73569-6 as the HL7 Radiation Dose Summary IG uses it.</summary>
    public const string RadiationDoseCode = "73569-6";
    public const string RadiationDoseDisplay = "Radiation exposure and protection information";

    /// <summary>LOINC 72514-3: pain severity on the 0-10 numeric rating scale.</summary>
    public const string PainCode = "72514-3";
    public const string PainDisplay = "Pain severity - 0-10 verbal numeric rating [Score] - Reported";

    public const string InrCode = "6301-6";
    public const string InrDisplay = "INR in Platelet poor plasma by Coagulation assay";
    public const string PlateletsCode = "777-3";
    public const string PlateletsDisplay = "Platelets [#/volume] in Blood by Automated count";

    public const string ConsentCategoryCode = "59284-0";
    public const string ConsentCategoryDisplay = "Patient Consent";

    /// <summary>
    /// SNOMED CT body structures of the vertebrae C1-L5, as DICOM CID 7603 (Vertebra) lists them. S1 has no entry
    /// there, so it carries the local level code only.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> VertebraSnomed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["C1"] = "14806007", ["C2"] = "39976000", ["C3"] = "113205007", ["C4"] = "5329002", ["C5"] = "36978003",
        ["C6"] = "36054005", ["C7"] = "87391001",
        ["T1"] = "64864005", ["T2"] = "53733008", ["T3"] = "1626008", ["T4"] = "73071006", ["T5"] = "56401006",
        ["T6"] = "45296009", ["T7"] = "62487009", ["T8"] = "11068009", ["T9"] = "82687006", ["T10"] = "7610001",
        ["T11"] = "12989004", ["T12"] = "23215003",
        ["L1"] = "66794005", ["L2"] = "14293000", ["L3"] = "36470004", ["L4"] = "11994002", ["L5"] = "49668003",
    };

    /// <summary>DICOM dose quantities (CID 10050) with the UCUM units of the Radiation Dose Summary IG.</summary>
    public static class DoseCodes
    {
        public const string ProcedureReported = "121058";
        public const string ProjectionXRay = "113704";
        public const string DoseAreaProductTotal = "113722";
        public const string DoseRpTotal = "113725";
        public const string TotalFluoroTime = "113730";
        public const string CtDoseLengthProductTotal = "113813";
    }

    public static string LevelDisplay(string level) => $"{level} vertebra";

    public static string AllergyDisplay(string code) => code switch
    {
        "BETA_LACTAM" => "Beta-lactam antibiotics",
        "LATEX" => "Latex",
        "IODINATED_CONTRAST" => "Iodinated contrast media",
        "LOCAL_ANESTHETIC" => "Local anaesthetics",
        "CHLORHEXIDINE" => "Chlorhexidine",
        _ => "Other allergy (details in the source record)",
    };

    /// <summary>AllergyIntolerance.category (required binding: food | medication | environment | biologic), or null.</summary>
    public static string? AllergyCategory(string code) => code switch
    {
        "BETA_LACTAM" or "IODINATED_CONTRAST" or "LOCAL_ANESTHETIC" or "CHLORHEXIDINE" => "medication",
        "LATEX" => "environment",
        _ => null,
    };

    public static string Humanize(string code) =>
        code.Length == 0 ? code : char.ToUpperInvariant(code[0]) + code[1..].ToLowerInvariant().Replace('_', ' ');
}
