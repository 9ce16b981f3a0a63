using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Google.Rpc;
using IrSuite.Fhir.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IrSuite.Scheduling.Tests.Fhir;

/// <summary>
/// The FHIR R4 export over real gRPC on the embedded suite (four services, injected clock): a patient walked through
/// the whole pathway by the demo's <see cref="PathwayWalker"/>, exported and checked by <see cref="FhirR4Checker"/>.
/// </summary>
public sealed class FhirExportTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Family = "Fhirfamilyname";
    private const string Given = "Fhirgivenname";
    private const string BirthDate = "1937-05-21";
    private const string Mrn = "MRN-FHIR-7781";

    private static readonly Method<ExportCaseRequest, ExportCaseResponse> Export =
        Method<ExportCaseRequest, ExportCaseResponse>.Create(FhirReflection.Descriptor.Services[0], "ExportCase");

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CapturingLogs _logs = new();
    private readonly ConcurrentQueue<string> _spans = new();
    private ActivityListener _listener = null!;
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(string.Join(" ", [a.OperationName, a.DisplayName, a.StatusDescription ?? "", .. a.TagObjects.Select(t => $"{t.Key}={t.Value}"), .. a.Events.Select(e => e.Name)])),
        };
        ActivitySource.AddActivityListener(_listener);
        _suite = await InProcessSuite.StartAsync(_time, builder =>
        {
            builder.Logging.AddProvider(_logs);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
        });
    }

    public async Task DisposeAsync()
    {
        await _suite.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task ExportCase_WholePathwayAsScheduler_ValidR4BundleWithIdentityAndEveryResource()
    {
        var referralId = await WalkAsync(["T12", "L1"]);
        using var scheduler = _suite.ChannelAs("scheduler-1", Roles.Scheduler);

        var response = await scheduler.UnaryAsync(Export, new ExportCaseRequest { ReferralId = referralId });

        output.WriteLine(response.BundleJson);
        Assert.Equal("application/fhir+json; fhirVersion=4.0", response.ContentType);
        Assert.Equal(referralId, response.ReferralId);
        Assert.Empty(FhirR4Checker.Check(response.BundleJson));
        using var bundle = JsonDocument.Parse(response.BundleJson);
        Assert.Equal("collection", bundle.RootElement.GetProperty("type").GetString());
        var resources = Resources(bundle);
        Assert.Equal(
            ["AllergyIntolerance", "Consent", "Device", "Encounter", "Observation", "Patient", "Procedure", "ServiceRequest"],
            resources.Select(r => r.Type).Distinct().Order(StringComparer.Ordinal));

        // Patient: the pseudonym and, for a scheduler, the identity.
        var patient = Assert.Single(resources, r => r.Type == "Patient").Resource;
        Assert.Equal([response.PatientId, Mrn], patient.GetProperty("identifier").EnumerateArray().Select(i => i.GetProperty("value").GetString()));
        Assert.Equal(Family, patient.GetProperty("name")[0].GetProperty("family").GetString());
        Assert.Equal(BirthDate, patient.GetProperty("birthDate").GetString());

        // ServiceRequest: completed order, one bodySite per level with the SNOMED CT vertebra.
        var request = Assert.Single(resources, r => r.Type == "ServiceRequest").Resource;
        Assert.Equal(("completed", "order"), (request.GetProperty("status").GetString(), request.GetProperty("intent").GetString()));
        Assert.Equal(["23215003", "66794005"], request.GetProperty("bodySite").EnumerateArray().Select(b => b.GetProperty("coding")[0].GetProperty("code").GetString()));

        // Encounter: finished day case.
        var encounter = Assert.Single(resources, r => r.Type == "Encounter").Resource;
        Assert.Equal("finished", encounter.GetProperty("status").GetString());
        Assert.Equal("AMB", encounter.GetProperty("class").GetProperty("code").GetString());
        Assert.True(encounter.GetProperty("period").TryGetProperty("end", out _));

        // Procedures: the case and one completed child per level, each implanting the cement lot's Device.
        var procedures = resources.Where(r => r.Type == "Procedure").Select(r => r.Resource).ToList();
        Assert.Equal(3, procedures.Count);
        var levels = procedures.Where(p => p.TryGetProperty("partOf", out _)).ToList();
        Assert.Equal(2, levels.Count);
        var device = Assert.Single(resources, r => r.Type == "Device");
        foreach (var level in levels)
        {
            Assert.Equal("completed", level.GetProperty("status").GetString());
            var focal = Assert.Single(level.GetProperty("focalDevice").EnumerateArray());
            Assert.Equal("129336009", focal.GetProperty("action").GetProperty("coding")[0].GetProperty("code").GetString());
            Assert.Equal(device.FullUrl, focal.GetProperty("manipulated").GetProperty("reference").GetString());
        }

        Assert.Equal("LOT-2026-117", device.Resource.GetProperty("lotNumber").GetString());
        Assert.Equal("2030-12-31", device.Resource.GetProperty("expirationDate").GetString());
        Assert.Equal("PMMA bone cement", device.Resource.GetProperty("deviceName")[0].GetProperty("name").GetString());

        // Dose: LOINC 73569-6 with the DICOM quantities in UCUM units (DAP 18.4 Gy·cm² = 18400 mGy·cm²).
        var observations = resources.Where(r => r.Type == "Observation").Select(r => r.Resource).ToList();
        var dose = Assert.Single(observations, o => Code(o) == "73569-6");
        Assert.Equal("final", dose.GetProperty("status").GetString());
        var components = dose.GetProperty("component").EnumerateArray()
            .Where(c => c.TryGetProperty("valueQuantity", out _))
            .ToDictionary(c => Code(c) ?? "", c => (c.GetProperty("valueQuantity").GetProperty("value").GetDecimal(), c.GetProperty("valueQuantity").GetProperty("code").GetString() ?? ""));
        Assert.Equal((18400m, "mGy.cm2"), components["113722"]);
        Assert.Equal((310m, "mGy"), components["113725"]);
        Assert.Equal((240m, "s"), components["113730"]);
        Assert.Equal((420m, "mGy.cm"), components["113813"]);

        // Pain (the walker's one round, NRS 2), labs (INR, platelets).
        var pain = Assert.Single(observations, o => Code(o) == "72514-3");
        Assert.Equal(2m, pain.GetProperty("valueQuantity").GetProperty("value").GetDecimal());
        Assert.Contains(observations, o => Code(o) == "6301-6");
        Assert.Contains(observations, o => Code(o) == "777-3");

        // Allergy class (latex) and the treatment consent.
        var allergy = Assert.Single(resources, r => r.Type == "AllergyIntolerance").Resource;
        Assert.Equal("LATEX", Code(allergy.GetProperty("code")));
        var consent = Assert.Single(resources, r => r.Type == "Consent").Resource;
        Assert.Equal("treatment", Code(consent.GetProperty("scope")));
        Assert.Equal(["AllergyIntolerance=1", "Consent=1", "Device=1", "Encounter=1", "Observation=4", "Patient=1", "Procedure=3", "ServiceRequest=1"], response.ResourceCounts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ExportCase_NurseToken_PatientCarriesThePseudonymOnly()
    {
        var referralId = await WalkAsync(["L2"]);
        using var nurse = _suite.ChannelAs("nurse-1", Roles.Nurse);

        var response = await nurse.UnaryAsync(Export, new ExportCaseRequest { ReferralId = referralId });

        Assert.Empty(FhirR4Checker.Check(response.BundleJson));
        using var bundle = JsonDocument.Parse(response.BundleJson);
        var patient = Assert.Single(Resources(bundle), r => r.Type == "Patient").Resource;
        var identifier = Assert.Single(patient.GetProperty("identifier").EnumerateArray());
        Assert.Equal(response.PatientId, identifier.GetProperty("value").GetString());
        Assert.False(patient.TryGetProperty("name", out _));
        Assert.False(patient.TryGetProperty("birthDate", out _));
        foreach (var marker in new[] { Family, Given, BirthDate, Mrn })
        {
            Assert.DoesNotContain(marker, response.BundleJson, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task ExportCase_BeforeAnyBooking_ExportsWhatExistsWithoutProcedureOrEncounter()
    {
        var walker = Walker();
        var prepared = await walker.PrepareAsync(1, Profile(["L3"]));

        var response = await _suite.Channel.UnaryAsync(Export, new ExportCaseRequest { ReferralId = prepared.Referral.ReferralId });

        Assert.Empty(FhirR4Checker.Check(response.BundleJson));
        using var bundle = JsonDocument.Parse(response.BundleJson);
        var types = Resources(bundle).Select(r => r.Type).ToList();
        Assert.DoesNotContain("Procedure", types);
        Assert.DoesNotContain("Encounter", types);
        Assert.DoesNotContain("Device", types);
        Assert.Contains("Consent", types);
        var request = Assert.Single(Resources(bundle), r => r.Type == "ServiceRequest").Resource;
        Assert.Equal("active", request.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ExportCase_BookedNotPerformed_PlannedEncounterAndNoProcedure()
    {
        var walker = Walker();
        var prepared = await walker.PrepareAsync(1, Profile(["L4"]));
        await walker.BookProcedureAsync(prepared, walker.DefaultSlot(1));

        var response = await _suite.Channel.UnaryAsync(Export, new ExportCaseRequest { ReferralId = prepared.Referral.ReferralId });

        Assert.Empty(FhirR4Checker.Check(response.BundleJson));
        using var bundle = JsonDocument.Parse(response.BundleJson);
        var resources = Resources(bundle);
        Assert.Equal("planned", Assert.Single(resources, r => r.Type == "Encounter").Resource.GetProperty("status").GetString());
        Assert.DoesNotContain(resources, r => r.Type == "Procedure");
    }

    [Fact]
    public async Task ExportCase_DiscontinuedAfterSignIn_StoppedCaseNotDoneLevelFinishedEncounter()
    {
        var walker = Walker();
        var prepared = await walker.PrepareAsync(1, Profile(["L2"]) with { Sedation = IrSuite.Common.V1.SedationMode.Local });
        var slot = walker.DefaultSlot(1);
        await walker.BookProcedureAsync(prepared, slot);
        _time.Advance(slot.AddHours(-1) - _time.GetUtcNow());
        var procedureApi = IrSuite.Procedure.V1.ProcedureReflection.Descriptor.Services[0];
        var id = prepared.Referral.ReferralId;
        await _suite.Channel.UnaryAsync(Method<IrSuite.Procedure.V1.SignInRequest, IrSuite.Procedure.V1.ProcedureCase>.Create(procedureApi, "SignIn"), new IrSuite.Procedure.V1.SignInRequest
        {
            ReferralId = id, IdentityAndConsentConfirmed = true, AllergiesReviewed = true, AnesthesiaCheckDone = true, SiteMarkedOrNotApplicable = true,
            PulseOximeterOn = true, AirwayRiskAssessed = true, BloodLossRiskAssessed = true,
        });
        await _suite.Channel.UnaryAsync(Method<IrSuite.Procedure.V1.DiscontinueCaseRequest, IrSuite.Procedure.V1.ProcedureCase>.Create(procedureApi, "DiscontinueCase"), new IrSuite.Procedure.V1.DiscontinueCaseRequest
        {
            ReferralId = id, Reason = "PATIENT_UNSTABLE",
        });

        var response = await _suite.Channel.UnaryAsync(Export, new ExportCaseRequest { ReferralId = id });

        Assert.Empty(FhirR4Checker.Check(response.BundleJson));
        using var bundle = JsonDocument.Parse(response.BundleJson);
        var resources = Resources(bundle);
        Assert.Equal("finished", Assert.Single(resources, r => r.Type == "Encounter").Resource.GetProperty("status").GetString());
        var procedures = resources.Where(r => r.Type == "Procedure").Select(r => r.Resource).ToList();
        Assert.Equal("stopped", Assert.Single(procedures, p => !p.TryGetProperty("partOf", out _)).GetProperty("status").GetString());
        var level = Assert.Single(procedures, p => p.TryGetProperty("partOf", out _));
        Assert.Equal("not-done", level.GetProperty("status").GetString());
        Assert.Equal("CASE_DISCONTINUED", Code(level.GetProperty("statusReason")));
        Assert.DoesNotContain(resources, r => r.Type == "Device");
        Assert.DoesNotContain(resources, r => r.Type == "Observation" && Code(r.Resource) == "73569-6");
    }

    [Fact]
    public async Task ExportCase_TwiceForTheSameCase_SameFullUrls()
    {
        var walker = Walker();
        var prepared = await walker.PrepareAsync(1, Profile(["L5"]));
        var request = new ExportCaseRequest { ReferralId = prepared.Referral.ReferralId };

        var first = await _suite.Channel.UnaryAsync(Export, request);
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await _suite.Channel.UnaryAsync(Export, request);

        using var a = JsonDocument.Parse(first.BundleJson);
        using var b = JsonDocument.Parse(second.BundleJson);
        Assert.Equal(Resources(a).Select(r => r.FullUrl), Resources(b).Select(r => r.FullUrl));
    }

    [Fact]
    public async Task ExportCase_UnknownReferral_NotFound()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => _suite.Channel.UnaryAsync(Export, new ExportCaseRequest { ReferralId = Guid.NewGuid().ToString() }));

        Assert.Equal(StatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task ExportCase_MalformedId_InvalidArgumentNamingTheField()
    {
        var refused = await Assert.ThrowsAsync<RpcException>(() => _suite.Channel.UnaryAsync(Export, new ExportCaseRequest { ReferralId = "not-a-uuid" }));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("referral_id", Assert.Single(refused.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    [Fact]
    public async Task ExportCase_OrSystemToken_PermissionDenied()
    {
        using var orSystem = _suite.ChannelAs("or-1", Roles.OrSystem);

        var refused = await Assert.ThrowsAsync<RpcException>(() => orSystem.UnaryAsync(Export, new ExportCaseRequest { ReferralId = Guid.NewGuid().ToString() }));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task ExportCase_WithIdentity_NoIdentityInLogsOrSpans()
    {
        var referralId = await WalkAsync(["T11"]);
        _logs.Clear();
        _spans.Clear();
        using var radiologist = _suite.ChannelAs("radiologist-1", Roles.Radiologist);

        var response = await radiologist.UnaryAsync(Export, new ExportCaseRequest { ReferralId = referralId });

        Assert.Contains(Family, response.BundleJson, StringComparison.Ordinal);
        Assert.Contains(_logs.Entries, e => e.Contains(referralId, StringComparison.Ordinal));
        Assert.NotEmpty(_spans);
        var leaks = _logs.Entries.Concat(_spans)
            .Where(text => new[] { Family, Given, BirthDate, Mrn }.Any(m => text.Contains(m, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        Assert.Empty(leaks);
    }

    [Fact]
    public async Task ExportCase_Audited_ReadRecordInSchedulingAndTheServiceCallsInTheSameTrace()
    {
        var referralId = await WalkAsync(["L1"]);
        using var scheduler = _suite.ChannelAs("scheduler-2", Roles.Scheduler);
        var response = await scheduler.UnaryAsync(Export, new ExportCaseRequest { ReferralId = referralId });
        using var auditor = _suite.ChannelAs("auditor-1", Roles.Auditor);
        var query = Method<IrSuite.Audit.V1.QueryAuditTrailRequest, IrSuite.Audit.V1.QueryAuditTrailResponse>.Create(IrSuite.Audit.V1.AuditReflection.Descriptor.Services[0], "QueryAuditTrail");

        var records = (await auditor.UnaryAsync(query, new IrSuite.Audit.V1.QueryAuditTrailRequest { PatientId = response.PatientId, PageSize = 500 })).Records;

        var export = Assert.Single(records, r => r.Action == "ir.fhir.v1.FhirExportService/ExportCase");
        Assert.Equal(("scheduling", "scheduler-2", "read", "OK", referralId), (export.Service, export.Actor, export.Access, export.Outcome, export.Resource));
        var peers = records.Where(r => r.TraceId == export.TraceId && r.ActorRoles == "service").Select(r => r.Action).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["ir.discharge.v1.DischargeService/GetDischargeSummary", "ir.discharge.v1.DischargeService/GetObservationStatus", "ir.procedure.v1.ProcedureRecordService/GetProcedureSummary"],
            peers);
    }

    [Fact]
    public void Checker_BrokenBundle_ReportsEachViolation()
    {
        const string broken = """
            {"resourceType":"Bundle","type":"bag","entry":[
              {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000001","resource":{"resourceType":"Procedure","id":"00000000-0000-4000-8000-000000000001","status":"done","subject":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000099"}}},
              {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000002","resource":{"resourceType":"Observation","id":"00000000-0000-4000-8000-000000000002","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"72514-3"}]},"effectiveDateTime":"21/05/2026","valueQuantity":{"value":2,"unit":"points"}}},
              {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000003","resource":{"resourceType":"Consent","id":"00000000-0000-4000-8000-000000000003","status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"treatment"}]},"category":[]}},
              {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000003","resource":{"resourceType":"AllergyIntolerance","id":"x","patient":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001"}}}
            ]}
            """;

        var errors = FhirR4Checker.Check(broken);

        foreach (var expected in new[] { "type 'bag'", "status 'done'", "does not resolve", "is not a FHIR dateTime", "UCUM", "category (1..*)", "ppc-1", "ppc-5", "used twice (bdl-7)", "ait-1", "points to a Procedure", "empty array" })
        {
            Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        }
    }

    private PathwayWalker Walker() => ManualClockWalker.Create(_suite.Channel, _time);

    private static PatientProfile Profile(IReadOnlyList<string> levels) => new()
    {
        Levels = levels,
        Identity = new PatientIdentity { FamilyName = Family, GivenName = Given, BirthDate = BirthDate, MedicalRecordNumber = Mrn },
    };

    private async Task<string> WalkAsync(IReadOnlyList<string> levels)
    {
        var result = await Walker().WalkAsync(1, Profile(levels));
        Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
        return result.Referral.ReferralId;
    }

    private static List<(string FullUrl, string Type, JsonElement Resource)> Resources(JsonDocument bundle) =>
        [.. bundle.RootElement.GetProperty("entry").EnumerateArray().Select(e => (e.GetProperty("fullUrl").GetString()!, e.GetProperty("resource").GetProperty("resourceType").GetString()!, e.GetProperty("resource")))];

    private static string? Code(JsonElement concept) =>
        concept.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Object ? Code(code)
        : concept.TryGetProperty("coding", out var coding) ? coding[0].GetProperty("code").GetString()
        : null;

    /// <summary>Every log message, its state values and scopes, as text.</summary>
    private sealed class CapturingLogs : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<string> _entries = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public IReadOnlyCollection<string> Entries => _entries;

        public void Clear() => _entries.Clear();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLogs owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var parts = new List<string> { formatter(state, exception), exception?.ToString() ?? "" };
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    parts.AddRange(values.Select(v => $"{v.Key}={v.Value}"));
                }

                owner._scopes.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), parts);
                owner._entries.Enqueue(string.Join(" | ", parts));
            }
        }
    }
}
