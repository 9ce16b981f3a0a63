using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Anesthesia.V1;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;
using IrSuite.Scheduling.V1;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.SuiteHost.Demo;

/// <summary>The gRPC endpoints of the four services (one address for all of them in the embedded suite).</summary>
public sealed record PathwayEndpoints(GrpcChannel Scheduling, GrpcChannel Anesthesia, GrpcChannel Procedure, GrpcChannel Discharge)
{
    public static PathwayEndpoints AllOn(GrpcChannel channel) => new(channel, channel, channel, channel);
}

/// <summary>What one walk produced.</summary>
public sealed record PathwayResult(Referral Referral, DischargeSummary Discharge, Appointment FollowUp, Pathway Pathway);

/// <summary>A simulated patient: what the walk records at each stage. Defaults are a one-level osteoporotic day case under sedation.</summary>
public sealed record PatientProfile
{
    public required IReadOnlyList<string> Levels { get; init; }

    /// <summary>
    /// Who the patient is (only scheduling ever holds it); null: a generated demo identity. The PHI marker test seeds
    /// recognisable names and dates here to prove they never leave scheduling (decision 0014).
    /// </summary>
    public PatientIdentity? Identity { get; init; }

    public Indication Indication { get; init; } = Indication.OsteoporoticFracture;

    /// <summary>Sedation expected at the IR consult and planned by the anaesthetist (LOCAL: no anaesthesia clearance).</summary>
    public CommonV1.SedationMode Sedation { get; init; } = CommonV1.SedationMode.LocalWithSedation;

    public CommonV1.AdmissionType Admission { get; init; } = CommonV1.AdmissionType.Ambulatory;

    public IReadOnlyList<CommonV1.Medication> Medications { get; init; } =
        [new CommonV1.Medication { Name = "paracetamol", Kind = CommonV1.MedicationKind.Other, Dosage = "1 g x3/day" }];

    public double? CreatinineClearance { get; init; } = 65;

    public IReadOnlyList<string> Allergies { get; init; } = ["latex"];

    /// <summary>
    /// Free text a clinician types where the anaesthesia API takes some (a comorbidity, the reason for deviating from
    /// the suggested sedation); null: the walker's own fixed texts. The PHI marker test writes the patient's name here.
    /// </summary>
    public string? ClinicalNote { get; init; }

    public bool OsteoporosisSuspected { get; init; }

    public AsaClass Asa { get; init; } = AsaClass.Ii;

    public AnxietyLevel Anxiety { get; init; } = AnxietyLevel.Moderate;

    public ProneTolerance ProneTolerance { get; init; } = ProneTolerance.Tolerates;

    /// <summary>A level where the cement leaks into a vein and the leak is symptomatic (escalation), or null.</summary>
    public string? SymptomaticVenousLeakLevel { get; init; }

    public double ReferenceAirKermaMgy { get; init; } = 310;
}

/// <summary>The case as prepared for booking.</summary>
public sealed record PreparedCase(Referral Referral, PatientProfile Profile, AnesthesiaPlan? Plan, AnticoagulantPlan? Anticoagulation);

/// <summary>
/// Walks simulated patients through the pathway using only the services' gRPC APIs, as staff and OR systems
/// would, satisfying every gate of the site protocol. Steps that depend on another service's event wait for it by
/// polling the read RPC, within a bound.
/// Time: with <see cref="AdvanceClock"/> (an injected manual clock) the slot is booked three days ahead and the clock
/// is moved to the procedure day; without it (real time) the slot is booked a few hours ahead, which needs a suite
/// whose protocol sets <c>SiteProtocol:Anesthesia:ConsultLeadDays:Value = 0</c> (the demo and the distributed test
/// do: the 2-day consult lead time cannot be waited for in real time).
/// </summary>
public sealed class PathwayWalker(PathwayEndpoints endpoints, TimeProvider time)
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor SchedulingApi = SchedulingReflection.Descriptor.Services[0];
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor AnesthesiaApi = AnesthesiaReflection.Descriptor.Services[0];
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor ProcedureApi = ProcedureReflection.Descriptor.Services[0];
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor DischargeApi = DischargeReflection.Descriptor.Services[0];

    /// <summary>The steps every completed pathway shows in scheduling's timeline (each service's events included).</summary>
    public static readonly IReadOnlyList<string> PathwayEvents =
    [
        "ReferralSubmitted", "ReferralAccepted", "ClearanceSigned", "ProcedureBooked", "ProcedureStarted", "ProcedureCompleted",
        "ObservationStarted", "ObservationMinimumElapsed", "PatientDischarged", "FollowUpBooked",
    ];

    /// <summary>The shipped antibiotic rules: the walk picks the beta-lactam-allergy alternative the way the services judge it.</summary>
    private static readonly IrSuite.ServiceDefaults.Clinical.AntibioticRules DefaultAntibiotics = new();

    public TimeSpan EventTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The deadline of each call.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many times a call is sent when its outcome is unknown (a command with the same request id); 1 = never repeated.</summary>
    public int CallAttempts { get; init; } = 1;

    /// <summary>How the walk waits for the minimum observation; the default polls the status in real time.</summary>
    public Func<string, Task>? WaitForObservationMinimum { get; init; }

    /// <summary>Moves an injected clock forward (tests); null when the walk runs in real time.</summary>
    public Func<TimeSpan, Task>? AdvanceClock { get; init; }

    /// <summary>Prints each step when set.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Referral to booked procedure (the case is on procedure-record's worklist); returns the referral id.</summary>
    public async Task<string> ScheduleProcedureAsync(int patientNumber, IReadOnlyList<string> levels)
    {
        var prepared = await PrepareAsync(patientNumber, new PatientProfile { Levels = levels });
        await BookProcedureAsync(prepared, DefaultSlot(patientNumber));
        return prepared.Referral.ReferralId;
    }

    /// <summary>The whole pathway for the default profile: referral to discharge and follow-up.</summary>
    public Task<PathwayResult> WalkAsync(int patientNumber, IReadOnlyList<string> levels) =>
        WalkAsync(patientNumber, new PatientProfile { Levels = levels });

    /// <summary>The whole pathway for a profile, discharged home (ambulatory) at the end of the minimum observation.</summary>
    public async Task<PathwayResult> WalkAsync(int patientNumber, PatientProfile profile)
    {
        var prepared = await PrepareAsync(patientNumber, profile);
        var start = DefaultSlot(patientNumber);
        await BookProcedureAsync(prepared, start);
        await PerformProcedureAsync(prepared, start);
        var id = prepared.Referral.ReferralId;
        await RecordGoodObservationAsync(id);
        await (WaitForObservationMinimum ?? WaitInRealTimeAsync)(id);
        var discharge = await DischargeAsync(id, Destination.Home);
        Log?.Invoke($"patient {patientNumber}: discharged home after {discharge.Observation.ToTimeSpan():hh\\:mm\\:ss} of observation");
        return await FinishAsync(prepared);
    }

    /// <summary>The procedure slot the walk books for a patient: three days ahead on a manual clock, a few hours ahead in real time.</summary>
    public DateTimeOffset DefaultSlot(int patientNumber)
    {
        var now = time.GetUtcNow();
        return AdvanceClock is null
            ? now.AddMinutes(120 + (90 * patientNumber))
            : new DateTimeOffset(now.UtcDateTime.Date.AddDays(3).AddHours(6 + patientNumber), TimeSpan.Zero);
    }

    /// <summary>Referral, IR consult, anaesthesia assessment and clearance (unless LOCAL), consent, labs and the anticoagulant plan.</summary>
    public async Task<PreparedCase> PrepareAsync(int patientNumber, PatientProfile profile)
    {
        var referral = await Call<SubmitReferralRequest, Referral>(endpoints.Scheduling, SchedulingApi, "SubmitReferral", new SubmitReferralRequest
        {
            Patient = profile.Identity?.Clone() ?? new PatientIdentity
            {
                FamilyName = $"Demo{patientNumber}",
                GivenName = "Patient",
                BirthDate = "1948-03-0" + ((patientNumber % 9) + 1),
                MedicalRecordNumber = $"MRN-{Guid.NewGuid():N}"[..16],
            },
            Referrer = new Referrer { Name = "Dr Referrer", Organisation = "Rheumatology" },
            Indication = profile.Indication,
            Levels = { profile.Levels },
            Imaging = { new ImagingStudy { Modality = ImagingModality.Mri, PerformedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddDays(-3)), AccessionNumber = "ACC-1" } },
            Medications = { profile.Medications },
            Allergies = { profile.Allergies },
            Pregnancy = CommonV1.PregnancyStatus.NotApplicable,
        });
        var id = referral.ReferralId;
        Log?.Invoke($"patient {patientNumber}: referral {id} submitted (pseudonym {referral.PatientId})");

        await Call<RecordIrConsultRequest, Referral>(endpoints.Scheduling, SchedulingApi, "RecordIrConsult", new RecordIrConsultRequest
        {
            ReferralId = id, Accepted = true, ExpectedSedation = profile.Sedation, OsteoporosisSuspected = profile.OsteoporosisSuspected,
        });

        AnesthesiaPlan? plan = null;
        if (profile.Sedation != CommonV1.SedationMode.Local)
        {
            plan = await ClearForSedationAsync(id, profile);
            Log?.Invoke($"patient {patientNumber}: clearance signed ({plan.Sedation})");
        }

        await Call<RecordConsentRequest, Consent>(endpoints.Scheduling, SchedulingApi, "RecordConsent", new RecordConsentRequest
        {
            ReferralId = id,
            ProcedureInformationGiven = true,
            AnesthesiaInformationGiven = true,
            RadiationInformationGiven = true,
            ConsentedLevels = { profile.Levels },
            SignedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
        });
        var labs = new RecordLabsRequest { ReferralId = id, Inr = 1.1, PlateletsGPerL = 210, TakenAt = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddHours(-1)) };
        if (profile.CreatinineClearance is { } crcl)
        {
            labs.CreatinineClearanceMlMin = crcl;
        }

        await Call<RecordLabsRequest, LabResults>(endpoints.Scheduling, SchedulingApi, "RecordLabs", labs);

        AnticoagulantPlan? anticoagulation = null;
        if (profile.Medications.Any(m => m.Kind is CommonV1.MedicationKind.Anticoagulant or CommonV1.MedicationKind.Antiplatelet))
        {
            var request = new PlanAnticoagulationRequest { ReferralId = id };
            request.LastDoses.AddRange(profile.Medications
                .Where(m => m.Kind is CommonV1.MedicationKind.Anticoagulant or CommonV1.MedicationKind.Antiplatelet)
                .Select(m => new LastDose { Drug = m.Name, LastDoseAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()) }));
            anticoagulation = await Call<PlanAnticoagulationRequest, AnticoagulantPlan>(endpoints.Scheduling, SchedulingApi, "PlanAnticoagulation", request);
            Log?.Invoke($"patient {patientNumber}: anticoagulant plan, earliest procedure {anticoagulation.EarliestProcedureAt.ToDateTimeOffset():yyyy-MM-dd HH:mm}");
        }

        return new PreparedCase(referral, profile, plan, anticoagulation);
    }

    /// <summary>Books the procedure (room IR-1, a recovery bed chosen by scheduling) and waits for the case on procedure-record.</summary>
    public async Task<Appointment> BookProcedureAsync(PreparedCase prepared, DateTimeOffset start)
    {
        var appointment = await Call<BookAppointmentRequest, Appointment>(endpoints.Scheduling, SchedulingApi, "BookAppointment", new BookAppointmentRequest
        {
            ReferralId = prepared.Referral.ReferralId,
            Kind = AppointmentKind.Procedure,
            Start = Timestamp.FromDateTimeOffset(start),
            DurationMinutes = 60,
            Room = "IR-1",
            Admission = prepared.Profile.Admission,
        });
        Log?.Invoke($"referral {prepared.Referral.ReferralId}: procedure booked {start:yyyy-MM-dd HH:mm} in IR-1, bed {appointment.RecoveryBed}");

        // The procedure case is opened by the ProcedureScheduled event.
        await EventuallyAsync(() => Call<GetProcedureSummaryRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "GetProcedureSummary", new GetProcedureSummaryRequest { ReferralId = prepared.Referral.ReferralId }));
        return appointment;
    }

    /// <summary>The WHO sign-in and time-out (the patient is in the room, ProcedureStarted): every item confirmed.</summary>
    public async Task StartProcedureAsync(PreparedCase prepared)
    {
        var id = prepared.Referral.ReferralId;
        var profile = prepared.Profile;
        var now = time.GetUtcNow();
        await Call<SignInRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "SignIn", new SignInRequest
        {
            ReferralId = id,
            IdentityAndConsentConfirmed = true,
            AllergiesReviewed = true,
            AnesthesiaCheckDone = true,
            SiteMarkedOrNotApplicable = true,
            PulseOximeterOn = true,
            AirwayRiskAssessed = true,
            BloodLossRiskAssessed = true,
            LastClearLiquidsAt = Timestamp.FromDateTimeOffset(now.AddHours(-3)),
            LastLightMealAt = Timestamp.FromDateTimeOffset(now.AddHours(-12)),
        });
        var betaLactamAllergic = profile.Allergies.Any(DefaultAntibiotics.IsBetaLactam);
        await Call<TimeOutRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "TimeOut", new TimeOutRequest
        {
            ReferralId = id,
            ConfirmedLevels = { profile.Levels },
            TeamIntroduced = true,
            PatientSiteProcedureConfirmed = true,
            CriticalEventsReviewed = true,
            ImagingDisplayed = true,
            AntibioticDrug = betaLactamAllergic ? "clindamycin 600 mg IV" : "cefazolin 1 g IV",
            AntibioticGivenAt = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddMinutes(-20)),
            EquipmentId = "CARM-2",
        });
    }

    /// <summary>
    /// The procedure day: pre-anaesthetic visit (sedation), WHO sign-in, time-out with the antibiotic, cement per level,
    /// dose, sign-out and completion. On a manual clock, first moves to an hour before the slot.
    /// </summary>
    public async Task<ProcedureCase> PerformProcedureAsync(PreparedCase prepared, DateTimeOffset start)
    {
        var id = prepared.Referral.ReferralId;
        var profile = prepared.Profile;
        if (AdvanceClock is not null && time.GetUtcNow() < start.AddHours(-1))
        {
            await AdvanceClock(start.AddHours(-1) - time.GetUtcNow());
        }

        if (profile.Sedation != CommonV1.SedationMode.Local)
        {
            // The slot reached anesthesia-consultation through ProcedureScheduled; the visit must fall within 24 h before it.
            await EventuallyAsync(
                () => Call<GetPlanRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "GetPlan", new GetPlanRequest { ReferralId = id }),
                p => p.SlotStart is not null);
            await Call<RecordPreAnestheticVisitRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "RecordPreAnestheticVisit", new RecordPreAnestheticVisitRequest
            {
                ReferralId = id, VisitedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()),
            });

            // Procedure-record learns of the visit from PreAnestheticVisitRecorded.
            await EventuallyAsync(
                () => Call<GetProcedureSummaryRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "GetProcedureSummary", new GetProcedureSummaryRequest { ReferralId = id }),
                c => c.PreAnestheticVisitAt is not null);
        }

        await StartProcedureAsync(prepared);
        foreach (var level in profile.Levels)
        {
            var leaks = level == profile.SymptomaticVenousLeakLevel;
            await Call<RecordLevelTreatmentRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "RecordLevelTreatment", new RecordLevelTreatmentRequest
            {
                ReferralId = id,
                Level = level,
                Approach = Approach.Bipedicular,
                TrocarGauge = 11,
                CementVolumeMl = 4.5,
                CementProduct = "PMMA bone cement",
                CementLot = "LOT-2026-117",
                CementExpiry = "2030-12-31",
                Leakage = leaks ? Leakage.Venous : Leakage.None,
                LeakageSymptomatic = leaks,
            });
        }

        await Call<RecordDoseRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "RecordDose", new RecordDoseRequest
        {
            ReferralId = id, DoseAreaProductGyCm2 = 18.4, ReferenceAirKermaMgy = profile.ReferenceAirKermaMgy, FluoroscopySeconds = 240, CtDlpMgyCm = 420, ControlCtDone = true,
        });
        await Call<SignOutRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "SignOut", new SignOutRequest
        {
            ReferralId = id,
            RecordConfirmed = true,
            HandoverDone = true,
            InstrumentCountsCorrect = true,
            SpecimensLabelled = true,
            EquipmentProblemsAddressed = true,
            TreatedLevels = { profile.Levels },
        });
        var complete = new CompleteCaseRequest { ReferralId = id };
        if (profile.SymptomaticVenousLeakLevel is not null)
        {
            complete.Complications.Add(new Complication { Code = "CEMENT_LEAK_SYMPTOMATIC", CirseGrade = 2 });
        }

        var completed = await Call<CompleteCaseRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "CompleteCase", complete);
        Log?.Invoke($"referral {id}: procedure completed ({string.Join(", ", profile.Levels)})");

        // The observation is opened by the ProcedureCompleted event.
        await EventuallyAsync(() => Call<GetObservationStatusRequest, ObservationStatus>(endpoints.Discharge, DischargeApi, "GetObservationStatus", new GetObservationStatusRequest { ReferralId = id }));
        return completed;
    }

    /// <summary>One observation round with normal vitals, legs and puncture site, Aldrete 10/10 and PADSS 10/10.</summary>
    public Task<ObservationStatus> RecordGoodObservationAsync(string referralId, bool legsNeuroNormal = true) =>
        Call<RecordObservationRequest, ObservationStatus>(endpoints.Discharge, DischargeApi, "RecordObservation", new RecordObservationRequest
        {
            ReferralId = referralId,
            Vitals = new Vitals { HeartRate = 72, SystolicBp = 128, DiastolicBp = 76, Spo2 = 97, RespiratoryRate = 14, TemperatureC = 36.8 },
            PainScore = 2,
            LegsNeuroNormal = legsNeuroNormal,
            PunctureSiteOk = true,
            Aldrete = new AldreteItems { Activity = 2, Respiration = 2, Circulation = 2, Consciousness = 2, OxygenSaturation = 2 },
            Padss = new PadssItems { VitalSigns = 2, Ambulation = 2, NauseaVomiting = 2, Pain = 2, SurgicalBleeding = 2 },
        });

    /// <summary>Discharges with an adult escort.</summary>
    public Task<DischargeSummary> DischargeAsync(string referralId, Destination destination) =>
        Call<DischargePatientRequest, DischargeSummary>(endpoints.Discharge, DischargeApi, "DischargePatient", new DischargePatientRequest
        {
            ReferralId = referralId, Destination = destination, EscortPresent = true,
        });

    /// <summary>After discharge: waits for scheduling to record it and book the follow-up, and returns the whole pathway.</summary>
    public async Task<PathwayResult> FinishAsync(PreparedCase prepared)
    {
        var id = prepared.Referral.ReferralId;
        var discharge = await Call<GetDischargeSummaryRequest, DischargeSummary>(endpoints.Discharge, DischargeApi, "GetDischargeSummary", new GetDischargeSummaryRequest { ReferralId = id });

        // The referral moves to "discharged", and the 1-month follow-up is booked, when scheduling consumes PatientDischarged.
        var pathway = await EventuallyAsync(
            () => Call<GetPathwayRequest, Pathway>(endpoints.Scheduling, SchedulingApi, "GetPathway", new GetPathwayRequest { ReferralId = id }),
            p => p.Referral.Status == ReferralStatus.Discharged && p.FollowUp is not null
                && PathwayEvents.Where(e => e != "ClearanceSigned" || prepared.Plan is not null).All(expected => p.Timeline.Any(e => e.Event == expected)));
        return new PathwayResult(pathway.Referral, discharge, pathway.FollowUp, pathway);
    }

    /// <summary>Assessment, sedation plan (the suggestion unless the profile deviates from it) and a FIT clearance.</summary>
    private async Task<AnesthesiaPlan> ClearForSedationAsync(string id, PatientProfile profile)
    {
        // The anaesthesia case is opened by the ReferralAccepted event.
        await EventuallyAsync(() => Call<GetPlanRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "GetPlan", new GetPlanRequest { ReferralId = id }));
        var assessed = await Call<RecordAssessmentRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "RecordAssessment", new RecordAssessmentRequest
        {
            ReferralId = id,
            AsaClass = profile.Asa,
            Comorbidities = { profile.ClinicalNote ?? "hypertension" },
            Allergies = { profile.Allergies },
            Labs = new Labs { Inr = 1.1, PlateletsGPerL = 210, TakenAt = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddHours(-2)) },
            Anxiety = profile.Anxiety,
            ProneTolerance = profile.ProneTolerance,
        });
        var sedation = new PlanSedationRequest { ReferralId = id, Mode = profile.Sedation };
        if (assessed.SuggestedSedation?.Mode != profile.Sedation)
        {
            sedation.DeviationReason = profile.ClinicalNote ?? "Patient preference after discussion";
        }

        await Call<PlanSedationRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "PlanSedation", sedation);
        return await Call<SignClearanceRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "SignClearance",
            new SignClearanceRequest { ReferralId = id, Decision = ClearanceDecision.Fit });
    }

    private async Task WaitInRealTimeAsync(string referralId) =>
        await EventuallyAsync(
            () => Call<GetObservationStatusRequest, ObservationStatus>(endpoints.Discharge, DischargeApi, "GetObservationStatus", new GetObservationStatusRequest { ReferralId = referralId }),
            s => s.MinimumElapsed,
            TimeSpan.FromHours(3));

    /// <summary>
    /// One unary call with a deadline. A mutating request (one with a <c>request_id</c> field) gets a fresh request id
    /// once. When the answer leaves the call's fate unknown (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN,
    /// INTERNAL) or says the same id is still in flight (ABORTED), the call is sent again, up to
    /// <see cref="CallAttempts"/> times: a read is safe to repeat, and a command carries the same request id, so the
    /// service applies it once and answers a repeat with the first result.
    /// </summary>
    private async Task<TResponse> Call<TRequest, TResponse>(GrpcChannel channel, Google.Protobuf.Reflection.ServiceDescriptor service, string method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var definition = Method<TRequest, TResponse>.Create(service, method);
        var requestId = request.Descriptor.FindFieldByName("request_id");
        if (requestId is not null && string.IsNullOrEmpty((string)requestId.Accessor.GetValue(request)))
        {
            requestId.Accessor.SetValue(request, Guid.NewGuid().ToString());
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await channel.UnaryAsync(definition, request, new CallOptions().WithTimeout(CallTimeout));
            }
            catch (RpcException ex) when (attempt < CallAttempts && IsWorthRepeating(ex.StatusCode))
            {
                Log?.Invoke($"{method}: {ex.StatusCode}, sending it again (attempt {attempt + 1})");
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(4000, 250 * (1 << Math.Min(attempt - 1, 4))))); // network back-off: real time, whatever the clinical clock
            }
        }
    }

    private static bool IsWorthRepeating(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Unknown or StatusCode.Internal or StatusCode.Aborted;

    private Task<T> EventuallyAsync<T>(Func<Task<T>> probe) => EventuallyAsync(probe, _ => true, EventTimeout);

    private Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done) => EventuallyAsync(probe, done, EventTimeout);

    /// <summary>
    /// Polls a read RPC until the state another service's event brings is there (NOT_FOUND means not yet), every 25 ms
    /// at first and then less often (up to every 100 ms), so a long wait does not load the service.
    /// </summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var pause = 25;
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value))
                {
                    return value;
                }
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound && DateTime.UtcNow < deadline)
            {
                // Not there yet: the event is still on its way.
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"The pathway state did not arrive within {timeout}.");
            }

            await Task.Delay(pause);
            pause = Math.Min(100, pause * 3 / 2);
        }
    }
}
