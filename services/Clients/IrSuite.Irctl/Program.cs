using IrSuite.Irctl;

return await IrctlApp.RunAsync(args, IrctlEnvironment.FromProcess());
