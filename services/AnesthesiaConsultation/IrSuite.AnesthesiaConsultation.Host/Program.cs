using IrSuite.AnesthesiaConsultation;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Observability;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddIrSuiteHost(AnesthesiaConsultationModule.DefaultPort, AnesthesiaConsultationModule.ServiceName, ObservabilitySetup.JsonFormat).AddAnesthesiaConsultation(builder.Configuration);
builder.Services.AddIrSuiteBus(builder.Configuration, AnesthesiaConsultationModule.AddConsumers);
var app = builder.Build();
app.UseGrpcServer();
return await app.RunIrSuiteAsync(args, AnesthesiaConsultationModule.Database);
