// IrSuite suite host: the embedded default (all four services, SQLite, in-memory bus) on 127.0.0.1:5100.
//   (no arguments)          serve until Ctrl+C
//   demo [--target URL] [--patients N]
//                           walk simulated patients through the pathway and print their timelines; without
//                           --target, against a private in-process suite whose observation minimum is shortened
//   token --role ROLE [...]  print a development bearer token the suite trusts (see TokenCommand.Usage)
//   keygen --out FILE.jwk    write a new signing key (and --jwks FILE.json, its public keys)
using IrSuite.SuiteHost;
using IrSuite.SuiteHost.Demo;
using IrSuite.ServiceDefaults.Hosting;

if (args.Length > 0 && args[0] == "demo")
{
    return await DemoCommand.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] is "token" or "keygen")
{
    var configuration = new ConfigurationBuilder()
        .AddInMemoryCollection(SuiteHost.Defaults)
        .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
        .AddEnvironmentVariables()
        .Build();
    return args[0] == "token" ? TokenCommand.RunToken(args[1..], configuration) : TokenCommand.RunKeygen(args[1..]);
}

var app = SuiteHost.Build(args);
return await app.RunIrSuiteAsync(args, SuiteHost.Databases);
