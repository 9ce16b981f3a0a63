using System.CommandLine;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Output;
using IrSuite.Scheduling.V1;
using Spectre.Console;
using Spectre.Console.Rendering;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl pathway ...</c>: the patient's whole pathway and the readiness of a procedure booking.</summary>
public static class PathwayCommands
{
    public static Command Build(CommandKit kit)
    {
        var group = new Command("pathway", "The patient's pathway: timeline of every step, readiness for booking");

        var id = ReferralId();
        var timeline = new Command("timeline", "Referral, appointments and every recorded step in order (GetPathway)") { id };
        kit.Unary<GetPathwayRequest, Pathway>(timeline, ReferralCommands.Api, "GetPathway", i => new GetPathwayRequest { ReferralId = i.Parse.GetValue(id) }, PathwayView);
        group.Add(timeline);

        var readinessId = ReferralId();
        var start = Time("--proposed-start", "Proposed slot start; without it, slot-dependent items read NEEDS_SLOT");
        var readiness = new Command("readiness", "Every readiness item of a procedure booking, met or missing with its rule code (GetReadiness)") { readinessId, start };
        kit.Unary<GetReadinessRequest, Readiness>(readiness, ReferralCommands.Api, "GetReadiness",
            i => new GetReadinessRequest { ReferralId = i.Parse.GetValue(readinessId), ProposedStart = i.Time(start) }, ReadinessView);
        group.Add(readiness);
        return group;
    }

    private static IRenderable PathwayView(Pathway pathway)
    {
        var r = pathway.Referral;
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]Referral {Markup.Escape(r.ReferralId)}[/]  patient {Markup.Escape(r.PatientId)}  [green]{ProtoEnums.Name(r.Status)}[/]  "
                + $"{ProtoEnums.Name(r.Indication)}  levels {Markup.Escape(string.Join(" ", r.Levels))}"),
        };
        if (pathway.Appointments.Count > 0)
        {
            var appointments = new Table().Border(TableBorder.Rounded).Title("appointments").AddColumns("appointment", "kind", "start", "min", "room", "bed", "state");
            foreach (var a in pathway.Appointments)
            {
                appointments.AddRow(a.AppointmentId, ProtoEnums.Name(a.Kind), a.Start is null ? string.Empty : Formats.Time(a.Start), a.DurationMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(a.Room), Markup.Escape(a.RecoveryBed), a.Cancelled ? "[red]cancelled[/]" : "booked");
            }

            rows.Add(appointments);
        }

        var steps = new Table().Border(TableBorder.Rounded).Title("timeline").AddColumns("when", "step", "service", "summary");
        foreach (var e in pathway.Timeline)
        {
            steps.AddRow(e.OccurredAt is null ? string.Empty : Formats.Time(e.OccurredAt), $"[bold]{Markup.Escape(e.Event)}[/]", Markup.Escape(e.Source), Markup.Escape(e.Summary));
        }

        rows.Add(steps);
        if (pathway.FollowUp is { } followUp)
        {
            rows.Add(new Markup($"follow-up: {Formats.Time(followUp.Start)} ({Markup.Escape(followUp.AppointmentId)})"));
        }

        if (pathway.FractureLiaison is { } liaison)
        {
            rows.Add(new Markup($"fracture liaison: due by {Formats.Time(liaison.DueBy)}"));
        }

        return new Rows(rows);
    }

    private static IRenderable ReadinessView(Readiness readiness)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("item", "state", "rule", "description");
        foreach (var item in readiness.Items)
        {
            var state = ProtoEnums.Name(item.State);
            var color = item.State switch { ReadinessState.Met => "green", ReadinessState.Missing => "red", _ => "grey" };
            table.AddRow(Markup.Escape(item.Item), $"[{color}]{state}[/]", Markup.Escape(item.Code), Markup.Escape(item.Description));
        }

        var heading = readiness.Ready ? "[green bold]ready to book[/]" : "[red bold]not ready[/]";
        var earliest = readiness.EarliestStart is null ? string.Empty : $"  earliest start {Formats.Time(readiness.EarliestStart)}";
        return new Rows(new Markup($"{heading}  sedation {ProtoEnums.Name(readiness.Sedation)}{earliest}"), table);
    }
}
