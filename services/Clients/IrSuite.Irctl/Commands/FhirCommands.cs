using System.CommandLine;
using IrSuite.Fhir.V1;
using IrSuite.Grpc;
using IrSuite.Irctl.Cli;
using Spectre.Console;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl fhir export</c>: a case as a FHIR R4 JSON Bundle (ir.fhir.v1, decision 0017).</summary>
public static class FhirCommands
{
    private static readonly Method<ExportCaseRequest, ExportCaseResponse> Export =
        Method<ExportCaseRequest, ExportCaseResponse>.Create(FhirReflection.Descriptor.Services[0], "ExportCase");

    public static Command Build(CommandKit kit)
    {
        var group = new Command("fhir", "The case for hospital IT, as FHIR R4");
        var id = ReferralId();
        var file = Text("--out", "Write the Bundle to this file and print a summary (default: the Bundle on stdout)");
        var export = new Command("export", "The case as a FHIR R4 JSON Bundle: Patient, ServiceRequest, Encounter, Procedures, Devices, "
            + "Observations, AllergyIntolerance, Consent (ExportCase; identity only for scheduler and radiologist tokens)") { id, file };
        export.SetAction((parse, cancellation) => kit.RunAsync(parse, async invocation =>
        {
            var response = await invocation.CallAsync(Export, new ExportCaseRequest { ReferralId = parse.GetValue(id) });
            var path = parse.GetValue(file);
            if (string.IsNullOrEmpty(path))
            {
                // The Bundle itself is the result a script wants, whatever --output says.
                await kit.Environment.Out.WriteLineAsync(response.BundleJson);
                return ExitCodes.Ok;
            }

            await File.WriteAllTextAsync(path, response.BundleJson, cancellation);
            if (invocation.Json)
            {
                // The ids and counts; the Bundle itself is in the file the caller named.
                response.BundleJson = string.Empty;
                invocation.Print(response);
                return ExitCodes.Ok;
            }

            invocation.Out.MarkupLine($"Bundle of referral [bold]{Markup.Escape(response.ReferralId)}[/] (patient {Markup.Escape(response.PatientId)}) "
                + $"written to {Markup.Escape(path)}: {Markup.Escape(string.Join(", ", response.ResourceCounts))}");
            return ExitCodes.Ok;
        }, cancellation));
        group.Add(export);
        return group;
    }
}
