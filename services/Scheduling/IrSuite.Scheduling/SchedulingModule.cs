using IrSuite.Fhir.V1;
using IrSuite.Grpc;
using IrSuite.Scheduling.Board;
using IrSuite.Scheduling.Data;
using IrSuite.Scheduling.Fhir;
using IrSuite.Scheduling.Grpc;
using IrSuite.Scheduling.Messaging;
using IrSuite.Scheduling.V1;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Hosting;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Scheduling;

/// <summary>
/// The scheduling service in one place. Publishes: ReferralSubmitted, ReferralAccepted, ProcedureScheduled,
/// ProcedureCancelled, FollowUpBooked, FractureLiaisonReferralRequested. Consumes (for the timeline): ClearanceSigned,
/// PreAnestheticVisitRecorded, ProcedureStarted, ProcedureCompleted, ProcedureDiscontinued, SkinDoseFollowUpRequired,
/// EscalationRaised, ObservationStarted, ObservationMinimumElapsed, PatientDischarged (which also books the follow-up
/// and the fracture-liaison referral); for the department board also ObservationRoundRecorded and EscalationResolved. Calls
/// anesthesia-consultation GetPlan to check the clearance before booking a procedure, and procedure-record
/// GetProcedureSummary and discharge GetObservationStatus / GetDischargeSummary for the FHIR export.
/// </summary>
public static class SchedulingModule
{
    public const string ServiceName = "scheduling";
    public const int DefaultPort = 5101;

    public static Type Database => typeof(SchedulingDatabase);

    public static GrpcServerBuilder AddScheduling(this GrpcServerBuilder grpc, IConfiguration configuration)
    {
        grpc.Services.AddServiceDatabase(configuration, ServiceName, options => new SchedulingDatabase(options));
        // Every call of the service is audited in its own database (decision 0013).
        grpc.Services.AddAuditTrail<SchedulingDatabase>(SchedulingReflection.Descriptor.Services[0].FullName);
        grpc.Services.AddSingleton<SchedulingGrpcService>();
        grpc.AddService<SchedulingGrpcService>(SchedulingReflection.Descriptor.Services[0]);

        // The live department board (ir.board.v1 and its web page) reads scheduling's board projection (decision 0015).
        grpc.AddDepartmentBoard(configuration);

        // FHIR R4 export of a case (decision 0017): reads procedure-record and discharge as a service; audited here.
        grpc.Services.AddAuditTrail<SchedulingDatabase>(FhirReflection.Descriptor.Services[0].FullName);
        grpc.Services.AddSingleton<FhirExportService>();
        return grpc.AddService<FhirExportService>(FhirReflection.Descriptor.Services[0]);
    }

    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ClearanceSignedConsumer, ClearanceSignedConsumerDefinition>();
        bus.AddConsumer<ProcedureStartedConsumer, ProcedureStartedConsumerDefinition>();
        bus.AddConsumer<ProcedureCompletedConsumer, ProcedureCompletedConsumerDefinition>();
        bus.AddConsumer<ProcedureDiscontinuedConsumer, ProcedureDiscontinuedConsumerDefinition>();
        bus.AddConsumer<ObservationStartedConsumer, ObservationStartedConsumerDefinition>();
        bus.AddConsumer<ObservationMinimumElapsedConsumer, ObservationMinimumElapsedConsumerDefinition>();
        bus.AddConsumer<PatientDischargedConsumer, PatientDischargedConsumerDefinition>();
        bus.AddConsumer<EscalationRaisedConsumer, EscalationRaisedConsumerDefinition>();
        bus.AddConsumer<SkinDoseFollowUpRequiredConsumer, SkinDoseFollowUpRequiredConsumerDefinition>();
        bus.AddConsumer<PreAnestheticVisitRecordedConsumer, PreAnestheticVisitRecordedConsumerDefinition>();
        bus.AddConsumer<ObservationRoundRecordedConsumer, ObservationRoundRecordedConsumerDefinition>();
        bus.AddConsumer<EscalationResolvedConsumer, EscalationResolvedConsumerDefinition>();
    }
}
