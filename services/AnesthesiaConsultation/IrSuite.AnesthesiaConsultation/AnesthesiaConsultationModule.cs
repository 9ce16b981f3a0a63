using IrSuite.Anesthesia.V1;
using IrSuite.AnesthesiaConsultation.Data;
using IrSuite.AnesthesiaConsultation.Grpc;
using IrSuite.AnesthesiaConsultation.Messaging;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Hosting;
using MassTransit;
using Microsoft.Extensions.Configuration;

namespace IrSuite.AnesthesiaConsultation;

/// <summary>
/// Everything the anesthesia-consultation service adds to a host: its database, its gRPC service
/// (ir.anesthesia.v1.AnesthesiaConsultationService) and the events it consumes.
/// Publishes: ClearanceSigned, PreAnestheticVisitRecorded. Consumes: ReferralAccepted, ProcedureScheduled, ProcedureCancelled.
/// </summary>
public static class AnesthesiaConsultationModule
{
    public const string ServiceName = "anesthesia-consultation";

    public const int DefaultPort = 5102;

    public static Type Database => typeof(AnesthesiaConsultationDatabase);

    public static GrpcServerBuilder AddAnesthesiaConsultation(this GrpcServerBuilder grpc, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(grpc);
        grpc.Services.AddServiceDatabase(configuration, ServiceName, o => new AnesthesiaConsultationDatabase(o));
        // Every call of the service is audited in its own database (decision 0013).
        grpc.Services.AddAuditTrail<AnesthesiaConsultationDatabase>(AnesthesiaReflection.Descriptor.Services[0].FullName);
        return grpc.AddService<AnesthesiaConsultationGrpcService>(AnesthesiaReflection.Descriptor.Services[0]);
    }

    /// <summary>Every event this service consumes.</summary>
    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        ArgumentNullException.ThrowIfNull(bus);
        bus.AddConsumer<ReferralAcceptedConsumer, ReferralAcceptedConsumerDefinition>();
        bus.AddConsumer<ProcedureScheduledConsumer, ProcedureScheduledConsumerDefinition>();
        bus.AddConsumer<ProcedureCancelledConsumer, ProcedureCancelledConsumerDefinition>();
    }
}
