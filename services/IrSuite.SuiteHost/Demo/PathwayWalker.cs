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

/// <summary>
/// Walks one simulated patient from referral to discharge and follow-up using only the services' gRPC APIs,
/// as staff and OR systems would. Steps that depend on another service's event (a case opened by an event)
/// wait for it by polling the read RPC, within a bound.
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

    public TimeSpan EventTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How the walk waits for the minimum observation; the default polls the status in real time.</summary>
    public Func<string, Task>? WaitForObservationMinimum { get; init; }

    /// <summary>Prints each step when set.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Referral, IR consult, anaesthesia clearance and procedure booking; returns once the procedure case is on the worklist.</summary>
    public async Task<string> ScheduleProcedureAsync(int patientNumber, IReadOnlyList<string> levels) => (await ScheduleAsync(patientNumber, levels)).Referral.ReferralId;

    /// <summary>The whole pathway: referral to discharge and follow-up.</summary>
    public async Task<PathwayResult> WalkAsync(int patientNumber, IReadOnlyList<string> levels)
    {
        var (referral, start) = await ScheduleAsync(patientNumber, levels);
        var id = referral.ReferralId;
        await Call<SignInRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "SignIn", new SignInRequest
        {
            ReferralId = id, IdentityAndConsentConfirmed = true, AllergiesReviewed = true, AnesthesiaCheckDone = true,
        });
        await Call<TimeOutRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "TimeOut",
            new TimeOutRequest { ReferralId = id, ConfirmedLevels = { levels }, OperatorId = "radiologist-1" });
        foreach (var level in levels)
        {
            await Call<RecordLevelTreatmentRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "RecordLevelTreatment", new RecordLevelTreatmentRequest
            {
                ReferralId = id,
                Level = level,
                Approach = Approach.Bipedicular,
                TrocarGauge = 11,
                CementVolumeMl = 4.5,
                CementProduct = "PMMA bone cement",
                CementLot = "LOT-2026-117",
                Leakage = Leakage.None,
            });
        }

        await Call<RecordDoseRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "RecordDose", new RecordDoseRequest
        {
            ReferralId = id, DoseAreaProductGyCm2 = 18.4, ReferenceAirKermaMgy = 310, FluoroscopySeconds = 240, CtDlpMgyCm = 420,
        });
        await Call<SignOutRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "SignOut",
            new SignOutRequest { ReferralId = id, RecordConfirmed = true, HandoverDone = true });
        await Call<CompleteCaseRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "CompleteCase", new CompleteCaseRequest { ReferralId = id });
        Log?.Invoke($"patient {patientNumber}: procedure completed ({string.Join(", ", levels)})");

        // The observation is opened by the ProcedureCompleted event.
        await EventuallyAsync(() => Call<GetObservationStatusRequest, ObservationStatus>(endpoints.Discharge, DischargeApi, "GetObservationStatus", new GetObservationStatusRequest { ReferralId = id }));
        await Call<RecordObservationRequest, ObservationStatus>(endpoints.Discharge, DischargeApi, "RecordObservation", new RecordObservationRequest
        {
            ReferralId = id,
            Vitals = new Vitals { HeartRate = 72, SystolicBp = 128, DiastolicBp = 76, Spo2 = 97, RespiratoryRate = 14, TemperatureC = 36.8 },
            PainScore = 2,
            LegsNeuroNormal = true,
            PunctureSiteOk = true,
        });
        await (WaitForObservationMinimum ?? WaitInRealTimeAsync)(id);
        var discharge = await Call<DischargePatientRequest, DischargeSummary>(endpoints.Discharge, DischargeApi, "DischargePatient", new DischargePatientRequest
        {
            ReferralId = id, Destination = Destination.Home, EscortPresent = true, ClinicianId = "nurse-1",
        });
        Log?.Invoke($"patient {patientNumber}: discharged home after {discharge.Observation.ToTimeSpan():hh\\:mm\\:ss} of observation");

        // The referral moves to "discharged" when scheduling consumes PatientDischarged.
        await EventuallyAsync(
            () => Call<GetReferralRequest, Referral>(endpoints.Scheduling, SchedulingApi, "GetReferral", new GetReferralRequest { ReferralId = id }),
            r => r.Status == ReferralStatus.Discharged);
        var followUp = await Book(id, AppointmentKind.FollowUp, start.AddDays(30), 20);
        var pathway = await EventuallyAsync(
            () => Call<GetPathwayRequest, Pathway>(endpoints.Scheduling, SchedulingApi, "GetPathway", new GetPathwayRequest { ReferralId = id }),
            p => PathwayEvents.All(expected => p.Timeline.Any(e => e.Event == expected)));
        return new PathwayResult(referral, discharge, followUp, pathway);
    }

    private async Task<(Referral Referral, DateTimeOffset Start)> ScheduleAsync(int patientNumber, IReadOnlyList<string> levels)
    {
        var referral = await Call<SubmitReferralRequest, Referral>(endpoints.Scheduling, SchedulingApi, "SubmitReferral", new SubmitReferralRequest
        {
            Patient = new PatientIdentity
            {
                FamilyName = $"Demo{patientNumber}",
                GivenName = "Patient",
                BirthDate = "1948-03-0" + ((patientNumber % 9) + 1),
                MedicalRecordNumber = $"MRN-{Guid.NewGuid():N}"[..16],
            },
            Referrer = new Referrer { Name = "Dr Referrer", Organisation = "Rheumatology" },
            Indication = Indication.OsteoporoticFracture,
            Levels = { levels },
            Imaging = { new ImagingStudy { Modality = ImagingModality.Mri, PerformedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddDays(-3)), AccessionNumber = "ACC-1" } },
            Medications = { new CommonV1.Medication { Name = "paracetamol", Kind = CommonV1.MedicationKind.Other, Dosage = "1 g x3/day" } },
            Allergies = { "latex" },
            Pregnancy = CommonV1.PregnancyStatus.NotApplicable,
        });
        var id = referral.ReferralId;
        Log?.Invoke($"patient {patientNumber}: referral {id} submitted (pseudonym {referral.PatientId})");

        await Call<RecordIrConsultRequest, Referral>(endpoints.Scheduling, SchedulingApi, "RecordIrConsult",
            new RecordIrConsultRequest { ReferralId = id, Accepted = true, ExpectedSedation = CommonV1.SedationMode.LocalWithSedation });
        var tomorrow = time.GetUtcNow().Date.AddDays(1);
        await Book(id, AppointmentKind.AnesthesiaConsult, new DateTimeOffset(tomorrow.AddHours(9 + patientNumber), TimeSpan.Zero), 30);

        // The anaesthesia case is opened by the ReferralAccepted event.
        await EventuallyAsync(() => Call<GetPlanRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "GetPlan", new GetPlanRequest { ReferralId = id }));
        await Call<RecordAssessmentRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "RecordAssessment", new RecordAssessmentRequest
        {
            ReferralId = id,
            AsaClass = AsaClass.Ii,
            Comorbidities = { "hypertension" },
            Allergies = { "latex" },
            Labs = new Labs { Inr = 1.1, PlateletsGPerL = 210, TakenAt = Timestamp.FromDateTimeOffset(time.GetUtcNow().AddHours(-2)) },
        });
        await Call<PlanSedationRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "PlanSedation",
            new PlanSedationRequest { ReferralId = id, Mode = CommonV1.SedationMode.LocalWithSedation });
        await Call<SignClearanceRequest, AnesthesiaPlan>(endpoints.Anesthesia, AnesthesiaApi, "SignClearance",
            new SignClearanceRequest { ReferralId = id, Decision = ClearanceDecision.Fit, AnesthesiologistId = "anesth-1" });
        Log?.Invoke($"patient {patientNumber}: clearance signed");

        var start = new DateTimeOffset(tomorrow.AddDays(1).AddHours(8 + (2 * patientNumber)), TimeSpan.Zero);
        await Book(id, AppointmentKind.Procedure, start, 60, "IR-1", $"REC-{patientNumber}");
        Log?.Invoke($"patient {patientNumber}: procedure booked {start:yyyy-MM-dd HH:mm} in IR-1");

        // The procedure case is opened by the ProcedureScheduled event.
        await EventuallyAsync(() => Call<GetProcedureSummaryRequest, ProcedureCase>(endpoints.Procedure, ProcedureApi, "GetProcedureSummary", new GetProcedureSummaryRequest { ReferralId = id }));
        return (referral, start);
    }

    private async Task WaitInRealTimeAsync(string referralId) =>
        await EventuallyAsync(
            () => Call<GetObservationStatusRequest, ObservationStatus>(endpoints.Discharge, DischargeApi, "GetObservationStatus", new GetObservationStatusRequest { ReferralId = referralId }),
            s => s.MinimumElapsed,
            TimeSpan.FromHours(3));

    private Task<Appointment> Book(string referralId, AppointmentKind kind, DateTimeOffset start, int minutes, string room = "", string bed = "") =>
        Call<BookAppointmentRequest, Appointment>(endpoints.Scheduling, SchedulingApi, "BookAppointment", new BookAppointmentRequest
        {
            ReferralId = referralId, Kind = kind, Start = Timestamp.FromDateTimeOffset(start), DurationMinutes = minutes, Room = room, RecoveryBed = bed,
        });

    /// <summary>One unary call with a deadline.</summary>
    private static Task<TResponse> Call<TRequest, TResponse>(GrpcChannel channel, Google.Protobuf.Reflection.ServiceDescriptor service, string method, TRequest request)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        channel.UnaryAsync(Method<TRequest, TResponse>.Create(service, method), request, new CallOptions().WithTimeout(TimeSpan.FromSeconds(15)));

    private Task<T> EventuallyAsync<T>(Func<Task<T>> probe) => EventuallyAsync(probe, _ => true, EventTimeout);

    private Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done) => EventuallyAsync(probe, done, EventTimeout);

    /// <summary>Polls a read RPC until the state another service's event brings is there (NOT_FOUND means not yet).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
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

            await Task.Delay(25);
        }
    }
}
