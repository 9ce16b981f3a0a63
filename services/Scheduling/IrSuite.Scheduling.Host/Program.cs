using IrSuite.Grpc;
using IrSuite.Scheduling;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Observability;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddIrSuiteHost(SchedulingModule.DefaultPort, SchedulingModule.ServiceName, ObservabilitySetup.JsonFormat).AddScheduling(builder.Configuration);
builder.Services.AddIrSuiteBus(builder.Configuration, SchedulingModule.AddConsumers);

var app = builder.Build();
app.UseGrpcServer();
return await app.RunIrSuiteAsync(args, SchedulingModule.Database);
