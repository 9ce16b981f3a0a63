using System.Text.Json;
using System.Text.RegularExpressions;

namespace IrSuite.Scheduling.Tests.Fhir;

/// <summary>
/// A small hand-made check of a FHIR R4 (4.0.1) JSON Bundle against the rules the export must keep, for the resource
/// types it writes: the JSON representation rules (no null, empty string, empty array or empty object), required
/// elements (1..1 / 1..*), codes from the required value sets, the invariants that apply (bdl-7, ait-1/2, ppc-1/5,
/// obs-6/7, ext-1), every reference resolving to a fullUrl of the bundle, unique fullUrls and ids, the primitive
/// formats (id, date, dateTime, instant) and UCUM quantities. It is no full validator: no profiles, no terminology
/// server, no other resource types.
/// </summary>
public static partial class FhirR4Checker
{
    private static readonly HashSet<string> BundleTypes = ["document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection"];
    private static readonly HashSet<string> RequestStatus = ["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"];
    private static readonly HashSet<string> RequestIntent = ["proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option"];
    private static readonly HashSet<string> EncounterStatus = ["planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"];
    private static readonly HashSet<string> EventStatus = ["preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown"];
    private static readonly HashSet<string> ObservationStatus = ["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"];
    private static readonly HashSet<string> AllergyClinical = ["active", "inactive", "resolved"];
    private static readonly HashSet<string> AllergyVerification = ["unconfirmed", "confirmed", "refuted", "entered-in-error"];
    private static readonly HashSet<string> AllergyCategory = ["food", "medication", "environment", "biologic"];
    private static readonly HashSet<string> AllergyType = ["allergy", "intolerance"];
    private static readonly HashSet<string> ConsentStatus = ["draft", "proposed", "active", "rejected", "inactive", "entered-in-error"];
    private static readonly HashSet<string> ConsentProvisionType = ["deny", "permit"];
    private static readonly HashSet<string> DeviceNameType = ["udi-label-name", "user-friendly-name", "patient-reported-name", "manufacturer-name", "model-name", "other"];
    private static readonly HashSet<string> AdministrativeGender = ["male", "female", "other", "unknown"];

    /// <summary>The UCUM units the export may use (checked by code, with the UCUM system).</summary>
    public static readonly HashSet<string> UcumUnits = ["mGy", "mGy.cm2", "mGy.cm", "s", "mL", "{score}", "{INR}", "10*9/L"];

    private const string UcumSystem = "http://unitsofmeasure.org";
    private const string AllergyClinicalSystem = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
    private const string AllergyVerificationSystem = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";

    private static readonly string[] DateTimeElements = ["authoredOn", "occurrenceDateTime", "performedDateTime", "effectiveDateTime", "recordedDate", "dateTime", "start", "end", "expirationDate"];

    /// <summary>Every violation found, as "resourceType/id: message"; empty when the bundle passes.</summary>
    public static IReadOnlyList<string> Check(string json)
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<string>();
        var root = document.RootElement;
        Representation(root, "Bundle", errors);
        if (Str(root, "resourceType") != "Bundle")
        {
            errors.Add("root: resourceType is not Bundle");
            return errors;
        }

        if (!BundleTypes.Contains(Str(root, "type") ?? ""))
        {
            errors.Add($"Bundle: type '{Str(root, "type")}' is not a bundle-type code");
        }

        if (Str(root, "timestamp") is { } timestamp && !InstantPattern().IsMatch(timestamp))
        {
            errors.Add($"Bundle: timestamp '{timestamp}' is not an instant");
        }

        var entries = root.TryGetProperty("entry", out var e) ? e.EnumerateArray().ToList() : [];
        var urls = new Dictionary<string, string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var url = Str(entry, "fullUrl");
            if (!entry.TryGetProperty("resource", out var resource) || Str(resource, "resourceType") is not { } type)
            {
                errors.Add($"entry {url}: no resource with a resourceType");
                continue;
            }

            var id = Str(resource, "id") ?? "";
            if (!IdPattern().IsMatch(id))
            {
                errors.Add($"{type}/{id}: id is not a FHIR id");
            }

            if (!ids.Add(type + "/" + id))
            {
                errors.Add($"{type}/{id}: id used twice");
            }

            if (url is null || !UuidUrlPattern().IsMatch(url))
            {
                errors.Add($"{type}/{id}: fullUrl '{url}' is not a urn:uuid");
            }
            else if (!urls.TryAdd(url, type))
            {
                errors.Add($"{type}/{id}: fullUrl {url} used twice (bdl-7)");
            }
            else if (!string.Equals(url, "urn:uuid:" + id, StringComparison.Ordinal))
            {
                errors.Add($"{type}/{id}: fullUrl {url} disagrees with the id");
            }
        }

        foreach (var entry in entries)
        {
            if (entry.TryGetProperty("resource", out var resource) && Str(resource, "resourceType") is { } type)
            {
                var where = $"{type}/{Str(resource, "id")}";
                References(resource, where, urls, errors);
                Primitives(resource, where, errors);
                Resource(type, resource, where, urls, errors);
            }
        }

        return errors;
    }

    private static void Resource(string type, JsonElement r, string where, Dictionary<string, string> urls, List<string> errors)
    {
        switch (type)
        {
            case "Patient":
                if (Str(r, "gender") is { } gender && !AdministrativeGender.Contains(gender))
                {
                    errors.Add($"{where}: gender '{gender}'");
                }

                foreach (var identifier in Array(r, "identifier"))
                {
                    Required(identifier, "value", where + ".identifier", errors);
                }

                break;
            case "ServiceRequest":
                Code(r, "status", RequestStatus, where, errors);
                Code(r, "intent", RequestIntent, where, errors);
                Reference(r, "subject", where, urls, errors, "Patient", "Group", "Location", "Device");
                break;
            case "Encounter":
                Code(r, "status", EncounterStatus, where, errors);
                if (!r.TryGetProperty("class", out var @class) || Str(@class, "system") is null || Str(@class, "code") is null)
                {
                    errors.Add($"{where}: class (Coding, 1..1) missing or without system and code");
                }

                break;
            case "Procedure":
                Code(r, "status", EventStatus, where, errors);
                Reference(r, "subject", where, urls, errors, "Patient", "Group");
                foreach (var device in Array(r, "focalDevice"))
                {
                    Reference(device, "manipulated", where + ".focalDevice", urls, errors, "Device");
                }

                if (r.TryGetProperty("performedDateTime", out _) && r.TryGetProperty("performedPeriod", out _))
                {
                    errors.Add($"{where}: two performed[x]");
                }

                break;
            case "Device":
                foreach (var name in Array(r, "deviceName"))
                {
                    Required(name, "name", where + ".deviceName", errors);
                    Code(name, "type", DeviceNameType, where + ".deviceName", errors);
                }

                break;
            case "Observation":
                Code(r, "status", ObservationStatus, where, errors);
                RequiredObject(r, "code", where, errors);
                var code = Codes(r.TryGetProperty("code", out var c) ? c : default);
                var hasValue = r.EnumerateObject().Any(p => p.Name.StartsWith("value", StringComparison.Ordinal));
                if (hasValue && r.TryGetProperty("dataAbsentReason", out _))
                {
                    errors.Add($"{where}: value[x] and dataAbsentReason (obs-6)");
                }

                foreach (var component in Array(r, "component"))
                {
                    RequiredObject(component, "code", where + ".component", errors);
                    if (component.TryGetProperty("code", out var componentCode) && Codes(componentCode).Overlaps(code) && component.EnumerateObject().Any(p => p.Name.StartsWith("value", StringComparison.Ordinal)))
                    {
                        errors.Add($"{where}: a component repeats the observation code with a value (obs-7)");
                    }

                    if (component.TryGetProperty("valueQuantity", out var q))
                    {
                        Quantity(q, where + ".component", errors);
                    }
                }

                if (r.TryGetProperty("valueQuantity", out var quantity))
                {
                    Quantity(quantity, where, errors);
                }

                Reference(r, "subject", where, urls, errors, optional: true, "Patient", "Group", "Device", "Location");
                break;
            case "AllergyIntolerance":
                Reference(r, "patient", where, urls, errors, "Patient");
                var clinical = CodeIn(r, "clinicalStatus", AllergyClinicalSystem, AllergyClinical, where, errors);
                var verification = CodeIn(r, "verificationStatus", AllergyVerificationSystem, AllergyVerification, where, errors);
                if (clinical is null && verification != "entered-in-error")
                {
                    errors.Add($"{where}: clinicalStatus required unless entered-in-error (ait-1)");
                }

                if (clinical is not null && verification == "entered-in-error")
                {
                    errors.Add($"{where}: clinicalStatus with entered-in-error (ait-2)");
                }

                foreach (var category in Array(r, "category"))
                {
                    if (!AllergyCategory.Contains(category.GetString() ?? ""))
                    {
                        errors.Add($"{where}: category '{category}'");
                    }
                }

                if (Str(r, "type") is { } allergyType && !AllergyType.Contains(allergyType))
                {
                    errors.Add($"{where}: type '{allergyType}'");
                }

                break;
            case "Consent":
                Code(r, "status", ConsentStatus, where, errors);
                RequiredObject(r, "scope", where, errors);
                if (Array(r, "category").Count == 0)
                {
                    errors.Add($"{where}: category (1..*) missing");
                }

                if (Array(r, "policy").Count == 0 && !r.TryGetProperty("policyRule", out _))
                {
                    errors.Add($"{where}: neither policy nor policyRule (ppc-1)");
                }

                var scopes = r.TryGetProperty("scope", out var scope) ? Codes(scope) : [];
                foreach (var (scopeCode, rule) in new[] { ("patient-privacy", "ppc-2"), ("research", "ppc-3"), ("adr", "ppc-4"), ("treatment", "ppc-5") })
                {
                    if (scopes.Contains(scopeCode) && !r.TryGetProperty("patient", out _))
                    {
                        errors.Add($"{where}: scope {scopeCode} without a patient ({rule})");
                    }
                }

                Reference(r, "patient", where, urls, errors, optional: true, "Patient");
                if (r.TryGetProperty("provision", out var provision))
                {
                    Code(provision, "type", ConsentProvisionType, where + ".provision", errors, optional: true);
                }

                break;
            default:
                errors.Add($"{where}: resource type not covered by this checker");
                break;
        }
    }

    /// <summary>FHIR JSON: no nulls, no empty strings, arrays or objects (ele-1); extensions have a url and one value (ext-1).</summary>
    private static void Representation(JsonElement element, string path, List<string> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Null:
                errors.Add($"{path}: null");
                break;
            case JsonValueKind.String when element.GetString()!.Trim().Length == 0:
                errors.Add($"{path}: empty string");
                break;
            case JsonValueKind.Array:
                if (element.GetArrayLength() == 0)
                {
                    errors.Add($"{path}: empty array");
                }

                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Representation(item, $"{path}[{i++}]", errors);
                }

                break;
            case JsonValueKind.Object:
                if (!element.EnumerateObject().Any())
                {
                    errors.Add($"{path}: empty object");
                }

                foreach (var property in element.EnumerateObject())
                {
                    Representation(property.Value, $"{path}.{property.Name}", errors);
                    if (property.Name is "extension" or "modifierExtension")
                    {
                        foreach (var extension in property.Value.EnumerateArray())
                        {
                            var values = extension.EnumerateObject().Count(p => p.Name.StartsWith("value", StringComparison.Ordinal));
                            if (Str(extension, "url") is null || values != 1)
                            {
                                errors.Add($"{path}.{property.Name}: an extension needs a url and exactly one value[x] (ext-1)");
                            }
                        }
                    }

                    if (property.Name == "coding")
                    {
                        foreach (var coding in property.Value.EnumerateArray())
                        {
                            if (Str(coding, "system") is null || Str(coding, "code") is null)
                            {
                                errors.Add($"{path}.coding: a coding without system and code");
                            }
                        }
                    }
                }

                break;
        }
    }

    private static void References(JsonElement element, string where, Dictionary<string, string> urls, List<string> errors)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "reference" && property.Value.ValueKind == JsonValueKind.String && !urls.ContainsKey(property.Value.GetString()!))
                {
                    errors.Add($"{where}: reference {property.Value.GetString()} does not resolve inside the bundle");
                }

                References(property.Value, where, urls, errors);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                References(item, where, urls, errors);
            }
        }
    }

    private static void Primitives(JsonElement element, string where, List<string> errors)
    {
        if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                Primitives(item, where, errors);
            }

            return;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                var value = property.Value.GetString()!;
                if (DateTimeElements.Contains(property.Name) && !DateTimePattern().IsMatch(value))
                {
                    errors.Add($"{where}: {property.Name} '{value}' is not a FHIR dateTime");
                }
                else if (property.Name == "birthDate" && !DatePattern().IsMatch(value))
                {
                    errors.Add($"{where}: birthDate '{value}' is not a FHIR date");
                }
            }

            Primitives(property.Value, where, errors);
        }
    }

    private static void Quantity(JsonElement quantity, string where, List<string> errors)
    {
        if (!quantity.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Number)
        {
            errors.Add($"{where}: quantity without a numeric value");
        }

        if (Str(quantity, "system") != UcumSystem || Str(quantity, "code") is not { } code || !UcumUnits.Contains(code))
        {
            errors.Add($"{where}: quantity unit {Str(quantity, "system")}|{Str(quantity, "code")} is not one of the UCUM units expected");
        }
    }

    private static void Reference(JsonElement r, string name, string where, Dictionary<string, string> urls, List<string> errors, params string[] types) =>
        Reference(r, name, where, urls, errors, optional: false, types);

    private static void Reference(JsonElement r, string name, string where, Dictionary<string, string> urls, List<string> errors, bool optional, params string[] types)
    {
        if (!r.TryGetProperty(name, out var reference))
        {
            if (!optional)
            {
                errors.Add($"{where}: {name} (1..1) missing");
            }

            return;
        }

        if (Str(reference, "reference") is { } url && urls.TryGetValue(url, out var target) && !types.Contains(target))
        {
            errors.Add($"{where}: {name} points to a {target}, expected {string.Join(" | ", types)}");
        }
    }

    private static void Code(JsonElement r, string name, HashSet<string> allowed, string where, List<string> errors, bool optional = false)
    {
        var value = Str(r, name);
        if (value is null)
        {
            if (!optional)
            {
                errors.Add($"{where}: {name} (1..1) missing");
            }
        }
        else if (!allowed.Contains(value))
        {
            errors.Add($"{where}: {name} '{value}' is not in its required value set");
        }
    }

    private static string? CodeIn(JsonElement r, string name, string system, HashSet<string> allowed, string where, List<string> errors)
    {
        if (!r.TryGetProperty(name, out var concept))
        {
            return null;
        }

        var codings = Array(concept, "coding").Where(c => Str(c, "system") == system).Select(c => Str(c, "code")!).ToList();
        if (codings.Count != 1 || !allowed.Contains(codings[0]))
        {
            errors.Add($"{where}: {name} needs one code of {system} from its required value set");
            return null;
        }

        return codings[0];
    }

    private static void Required(JsonElement r, string name, string where, List<string> errors)
    {
        if (Str(r, name) is null)
        {
            errors.Add($"{where}: {name} (1..1) missing");
        }
    }

    private static void RequiredObject(JsonElement r, string name, string where, List<string> errors)
    {
        if (!r.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{where}: {name} (1..1) missing");
        }
    }

    private static HashSet<string> Codes(JsonElement concept) =>
        concept.ValueKind == JsonValueKind.Object
            ? Array(concept, "coding").Select(c => Str(c, "code") ?? "").ToHashSet(StringComparer.Ordinal)
            : [];

    private static List<JsonElement> Array(JsonElement r, string name) =>
        r.ValueKind == JsonValueKind.Object && r.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [];

    private static string? Str(JsonElement r, string name) =>
        r.ValueKind == JsonValueKind.Object && r.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // The R4 primitive patterns (datatypes.html), anchored.
    [GeneratedRegex(@"^[A-Za-z0-9\-\.]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    private static partial Regex UuidUrlPattern();

    [GeneratedRegex(@"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$")]
    private static partial Regex DateTimePattern();

    [GeneratedRegex(@"^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$")]
    private static partial Regex InstantPattern();
}
