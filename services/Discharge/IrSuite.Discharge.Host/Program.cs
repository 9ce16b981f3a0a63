using IrSuite.Discharge;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Observability;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddIrSuiteHost(DischargeModule.DefaultPort, DischargeModule.ServiceName, ObservabilitySetup.JsonFormat).AddDischarge(builder.Configuration);
builder.Services.AddIrSuiteBus(builder.Configuration, DischargeModule.AddConsumers);

var app = builder.Build();
app.UseGrpcServer();
return await app.RunIrSuiteAsync(args, DischargeModule.Database);
