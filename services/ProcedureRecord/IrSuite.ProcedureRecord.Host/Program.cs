using IrSuite.Grpc;
using IrSuite.ProcedureRecord;
using IrSuite.ServiceDefaults.Hosting;
using IrSuite.ServiceDefaults.Messaging;
using IrSuite.ServiceDefaults.Observability;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddIrSuiteHost(ProcedureRecordModule.DefaultPort, ProcedureRecordModule.ServiceName, ObservabilitySetup.JsonFormat).AddProcedureRecord(builder.Configuration);
builder.Services.AddIrSuiteBus(builder.Configuration, ProcedureRecordModule.AddConsumers);
var app = builder.Build();
app.UseGrpcServer();
return await app.RunIrSuiteAsync(args, ProcedureRecordModule.Database);
