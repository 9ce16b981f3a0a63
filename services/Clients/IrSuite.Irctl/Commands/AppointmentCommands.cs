using System.CommandLine;
using IrSuite.Common.V1;
using IrSuite.Irctl.Cli;
using IrSuite.Scheduling.V1;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl appointment book|cancel</c>: consults, the procedure slot (room and recovery bed), follow-up.</summary>
public static class AppointmentCommands
{
    public static Command Build(CommandKit kit)
    {
        var group = new Command("appointment", "Book and cancel appointments (a procedure booking passes the readiness gate)");

        var id = ReferralId();
        var kind = Enum("--kind", "Appointment kind", AppointmentKind.Procedure);
        var start = Time("--start", "Start time", required: true);
        var duration = Whole("--duration", "Length, minutes", 60);
        var room = Text("--room", "IR room (procedure), e.g. IR-1");
        var bed = Text("--bed", "Recovery bed (procedure); default the first free one");
        var admission = Enum("--admission", "Day case or hospital stay (procedure); default the site protocol's", AdmissionType.Unspecified);
        var book = new Command("book", "Book an appointment (BookAppointment); a refused procedure booking lists every missing readiness item") { id, kind, start, duration, room, bed, admission };
        kit.Unary<BookAppointmentRequest, Appointment>(book, ReferralCommands.Api, "BookAppointment", i => new BookAppointmentRequest
        {
            ReferralId = i.Parse.GetValue(id),
            Kind = i.Value(kind),
            Start = i.Time(start),
            DurationMinutes = i.Value(duration),
            Room = i.Value(room) ?? string.Empty,
            RecoveryBed = i.Value(bed) ?? string.Empty,
            Admission = i.Value(admission),
        });
        group.Add(book);

        var appointment = new Argument<string>("appointment-id") { Description = "The appointment" };
        var reason = Text("--reason", "Why (short, non-identifying)", required: true);
        var cancel = new Command("cancel", "Cancel an appointment and free its room and bed (CancelAppointment)") { appointment, reason };
        kit.Unary<CancelAppointmentRequest, Appointment>(cancel, ReferralCommands.Api, "CancelAppointment",
            i => new CancelAppointmentRequest { AppointmentId = i.Parse.GetValue(appointment), Reason = i.Value(reason) ?? string.Empty });
        group.Add(cancel);
        return group;
    }
}
