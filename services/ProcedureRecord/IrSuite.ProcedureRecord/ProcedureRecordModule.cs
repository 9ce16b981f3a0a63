using IrSuite.Grpc;
using IrSuite.Procedure.V1;
using IrSuite.ProcedureRecord.Data;
using IrSuite.ProcedureRecord.Grpc;
using IrSuite.ProcedureRecord.Messaging;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Data;
using IrSuite.ServiceDefaults.Hosting;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IrSuite.ProcedureRecord;

/// <summary>
/// procedure-record: the WHO checklist, per-level trocar and cement, dose, complications and completion.
/// Publishes (outbox) ProcedureStarted, ProcedureCompleted, ProcedureDiscontinued, SkinDoseFollowUpRequired and
/// EscalationRaised; consumes ProcedureScheduled and ProcedureCancelled (scheduling) and PreAnestheticVisitRecorded
/// (anesthesia-consultation). The OR / modality side (decision 0016): the room's modality worklist and the performed
/// procedure step stream; station AE titles from <c>ModalityWorklist:StationAeTitles</c>.
/// </summary>
public static class ProcedureRecordModule
{
    public const string ServiceName = "procedure-record";

    public const int DefaultPort = 5103;

    public static Type Database => typeof(ProcedureRecordDatabase);

    /// <summary>The database (and its outbox relay), the store and the gRPC service.</summary>
    public static GrpcServerBuilder AddProcedureRecord(this GrpcServerBuilder grpc, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(grpc);
        grpc.Services.AddServiceDatabase(configuration, ServiceName, o => new ProcedureRecordDatabase(o));
        // Every call of the service is audited in its own database (decision 0013).
        grpc.Services.AddAuditTrail<ProcedureRecordDatabase>(ProcedureReflection.Descriptor.Services[0].FullName);
        grpc.Services.TryAddSingleton<ProcedureRecordRepository>();
        grpc.Services.AddOptions<ModalityWorklistOptions>().Bind(configuration.GetSection(ModalityWorklistOptions.Section));
        grpc.Services.AddRetentionRule<ProcedureRecordDatabase>(new RetentionRule(
            "procedure_step_message", "received_at_ms", sp => sp.GetRequiredService<IOptions<ModalityWorklistOptions>>().Value.StepMessageRetention));
        return grpc.AddService<ProcedureRecordGrpcService>(ProcedureReflection.Descriptor.Services[0]);
    }

    /// <summary>Every event this service consumes.</summary>
    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<ProcedureScheduledConsumer, ProcedureScheduledConsumerDefinition>();
        bus.AddConsumer<ProcedureCancelledConsumer, ProcedureCancelledConsumerDefinition>();
        bus.AddConsumer<PreAnestheticVisitRecordedConsumer, PreAnestheticVisitRecordedConsumerDefinition>();
    }
}
