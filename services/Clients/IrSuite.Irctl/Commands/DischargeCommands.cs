using System.CommandLine;
using System.Globalization;
using Google.Protobuf.Reflection;
using IrSuite.Discharge.V1;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using IrSuite.Irctl.Output;
using Spectre.Console;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl discharge ...</c>: observation rounds, the recovery board, escalations and the discharge (ir.discharge.v1).</summary>
public static class DischargeCommands
{
    private static readonly ServiceDescriptor Api = DischargeReflection.Descriptor.Services[0];

    public static Command Build(CommandKit kit)
    {
        var group = new Command("discharge", "Recovery: observation rounds, status, board, escalation review, discharge and its summary");
        group.Add(Observe(kit));

        var statusId = ReferralId();
        var status = new Command("status", "Time left in the minimum observation and the discharge criteria met (GetObservationStatus)") { statusId };
        kit.Unary<GetObservationStatusRequest, ObservationStatus>(status, Api, "GetObservationStatus", i => new GetObservationStatusRequest { ReferralId = i.Parse.GetValue(statusId) });
        group.Add(status);

        var board = new Command("board", "Patients in observation, for the recovery room (ListObservations)");
        kit.Unary<ListObservationsRequest, ListObservationsResponse>(board, Api, "ListObservations", _ => new ListObservationsRequest(), response =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("referral", "patient", "time left", "next check", "overdue", "escalation", "neuro watch");
            foreach (var row in response.Observations)
            {
                table.AddRow(row.ReferralId, row.PatientId, row.TimeLeft is null ? string.Empty : Formats.Span(row.TimeLeft),
                    row.NextCheckDue is null ? string.Empty : Formats.Time(row.NextCheckDue), row.OverdueCount.ToString(CultureInfo.InvariantCulture),
                    row.EscalationOpen ? "[red]OPEN[/]" : string.Empty, row.CloseNeuroWatch ? "[yellow]yes[/]" : string.Empty);
            }

            return table.Caption($"{response.Observations.Count} in observation");
        });
        group.Add(board);

        var resolveId = ReferralId();
        var outcome = Enum("--outcome", "The review's outcome", EscalationOutcome.Unspecified, required: true);
        var resolve = new Command("resolve-escalation", "Close the open escalation after review; the caller is the reviewer (ResolveEscalation)") { resolveId, outcome };
        kit.Unary<ResolveEscalationRequest, ObservationStatus>(resolve, Api, "ResolveEscalation",
            i => new ResolveEscalationRequest { ReferralId = i.Parse.GetValue(resolveId), Outcome = i.Value(outcome) });
        group.Add(resolve);

        var patientId = ReferralId();
        var destination = Enum("--destination", "Where the patient goes", Destination.Unspecified, required: true);
        var escort = Flag("--escort-present", "An adult escort is present (required to go home)");
        var patient = new Command("patient", "Discharge the patient; refused before the minimum observation (DischargePatient)") { patientId, destination, escort };
        kit.Unary<DischargePatientRequest, DischargeSummary>(patient, Api, "DischargePatient",
            i => new DischargePatientRequest { ReferralId = i.Parse.GetValue(patientId), Destination = i.Value(destination), EscortPresent = i.Value(escort) });
        group.Add(patient);

        group.Add(Summary(kit));
        return group;
    }

    private static Command Observe(CommandKit kit)
    {
        var id = ReferralId();
        var heartRate = Whole("--hr", "Heart rate, /min", 0);
        var systolic = Whole("--sbp", "Systolic blood pressure, mmHg", 0);
        var diastolic = Whole("--dbp", "Diastolic blood pressure, mmHg", 0);
        var spo2 = Whole("--spo2", "Oxygen saturation, %", 0);
        var respiratory = Whole("--rr", "Respiratory rate, /min", 0);
        var temperature = Number("--temp", "Temperature, °C");
        var pain = Whole("--pain", "Pain, 0-10", 0);
        var legs = Flag("--legs-normal", "Leg strength and sensation unchanged from before the procedure");
        var puncture = Flag("--puncture-site-ok", "Puncture site clean, no haematoma");
        var aldrete = Text("--aldrete", "Modified Aldrete items activity,respiration,circulation,consciousness,oxygen (each 0-2), e.g. 2,2,2,2,2");
        var padss = Text("--padss", "PADSS items vitals,ambulation,nausea,pain,bleeding (each 0-2), e.g. 2,2,2,2,2");
        var command = new Command("observe", "Record one observation round: vitals, pain, legs, puncture site, Aldrete, PADSS (RecordObservation)")
        {
            id, heartRate, systolic, diastolic, spo2, respiratory, temperature, pain, legs, puncture, aldrete, padss,
        };
        kit.Unary<RecordObservationRequest, ObservationStatus>(command, Api, "RecordObservation", i =>
        {
            var request = new RecordObservationRequest
            {
                ReferralId = i.Parse.GetValue(id),
                Vitals = new Vitals
                {
                    HeartRate = i.Value(heartRate),
                    SystolicBp = i.Value(systolic),
                    DiastolicBp = i.Value(diastolic),
                    Spo2 = i.Value(spo2),
                    RespiratoryRate = i.Value(respiratory),
                    TemperatureC = i.Value(temperature) ?? 0,
                },
                PainScore = i.Value(pain),
                LegsNeuroNormal = i.Value(legs),
                PunctureSiteOk = i.Value(puncture),
            };
            if (i.Value(aldrete) is { Length: > 0 } a)
            {
                var s = Scores(a, "--aldrete");
                request.Aldrete = new AldreteItems { Activity = s[0], Respiration = s[1], Circulation = s[2], Consciousness = s[3], OxygenSaturation = s[4] };
            }

            if (i.Value(padss) is { Length: > 0 } p)
            {
                var s = Scores(p, "--padss");
                request.Padss = new PadssItems { VitalSigns = s[0], Ambulation = s[1], NauseaVomiting = s[2], Pain = s[3], SurgicalBleeding = s[4] };
            }

            return request;
        });
        return command;
    }

    private static Command Summary(CommandKit kit)
    {
        var id = ReferralId();
        var html = Text("--html", "Write the printable discharge summary (GetDischargeSummaryDocument) to this file");
        var command = new Command("summary", "The discharge summary with the procedure and the instructions (GetDischargeSummary)") { id, html };
        var summary = IrSuite.Grpc.Method<GetDischargeSummaryRequest, DischargeSummary>.Create(Api, "GetDischargeSummary");
        var document = IrSuite.Grpc.Method<GetDischargeSummaryDocumentRequest, DischargeSummaryDocument>.Create(Api, "GetDischargeSummaryDocument");
        command.SetAction((parse, cancellation) => kit.RunAsync(parse, async i =>
        {
            var referral = parse.GetValue(id);
            if (i.Value(html) is { Length: > 0 } file)
            {
                var result = await i.CallAsync(document, new GetDischargeSummaryDocumentRequest { ReferralId = referral });
                await File.WriteAllTextAsync(file, result.Content, cancellation);
                i.Print(result, m => MessageView.Tree(((DischargeSummaryDocument)m).Summary, $"Discharge summary (HTML written to {file})"));
                return ExitCodes.Ok;
            }

            i.Print(await i.CallAsync(summary, new GetDischargeSummaryRequest { ReferralId = referral }));
            return ExitCodes.Ok;
        }, cancellation));
        return command;
    }

    private static int[] Scores(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var scores = new int[5];
        if (parts.Length != 5 || !parts.Select((p, n) => int.TryParse(p, NumberStyles.Integer, CultureInfo.InvariantCulture, out scores[n])).All(ok => ok))
        {
            throw new UsageException($"{option} '{text}': expected five comma-separated item scores, e.g. 2,2,2,2,2");
        }

        return scores;
    }
}
