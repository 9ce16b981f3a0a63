using System.CommandLine;
using System.Globalization;
using Google.Protobuf.Reflection;
using IrSuite.Irctl.Cli;
using IrSuite.Irctl.Connection;
using IrSuite.Irctl.Output;
using IrSuite.Procedure.V1;
using Spectre.Console;
using Spectre.Console.Rendering;
using static IrSuite.Irctl.Cli.CommandKit;

namespace IrSuite.Irctl.Commands;

/// <summary><c>irctl procedure ...</c>: the IR room (ir.procedure.v1): worklist, WHO checklist, levels, dose, end of case, recall.</summary>
public static class ProcedureCommands
{
    private static readonly ServiceDescriptor Api = ProcedureReflection.Descriptor.Services[0];

    public static Command Build(CommandKit kit)
    {
        var group = new Command("procedure", "The procedure room: worklist, WHO sign-in / time-out / sign-out, levels, dose, completion, report, recall");
        group.Add(Worklist(kit));
        group.Add(SignIn(kit));
        group.Add(TimeOut(kit));
        group.Add(Level(kit));
        group.Add(AbandonLevel(kit));
        group.Add(Dose(kit));
        group.Add(SignOut(kit));
        group.Add(Complete(kit));
        group.Add(Discontinue(kit));
        group.Add(Summary(kit));
        group.Add(Report(kit));
        group.Add(Recall(kit));
        return group;
    }

    private static Command Worklist(CommandKit kit)
    {
        var date = Text("--date", "The day, YYYY-MM-DD (default today, UTC)");
        var room = Text("--room", "Only this room, e.g. IR-1");
        var command = new Command("worklist", "Scheduled cases of a day (GetWorklist)") { date, room };
        kit.Unary<GetWorklistRequest, GetWorklistResponse>(command, Api, "GetWorklist", i => new GetWorklistRequest
        {
            Date = i.Value(date) ?? i.Environment.Clock.GetUtcNow().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Room = i.Value(room) ?? string.Empty,
        }, response =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("start", "room", "referral", "patient", "levels", "sedation", "status");
            foreach (var c in response.Cases)
            {
                table.AddRow(c.ScheduledStart is null ? string.Empty : Formats.Time(c.ScheduledStart), Markup.Escape(c.Room), c.ReferralId, c.PatientId,
                    string.Join(" ", c.ScheduledLevels), Markup.Escape(c.SedationMode), ProtoEnums.Name(c.Status));
            }

            return table.Caption($"{response.Cases.Count} case(s)");
        });
        return command;
    }

    private static Command SignIn(CommandKit kit)
    {
        var id = ReferralId();
        var all = Flag("--all-confirmed", "Every sign-in item is confirmed (instead of the per-item flags)");
        var items = new (Option<bool> Option, Action<SignInRequest> Set)[]
        {
            (Flag("--identity-and-consent", "Identity, site, procedure and consent confirmed with the patient"), r => r.IdentityAndConsentConfirmed = true),
            (Flag("--allergies-reviewed", "Known allergies reviewed"), r => r.AllergiesReviewed = true),
            (Flag("--anesthesia-check", "Anaesthesia machine and medication check done"), r => r.AnesthesiaCheckDone = true),
            (Flag("--site-marked", "Site marked, or marking not applicable"), r => r.SiteMarkedOrNotApplicable = true),
            (Flag("--pulse-oximeter", "Pulse oximeter on and working"), r => r.PulseOximeterOn = true),
            (Flag("--airway-risk-assessed", "Difficult airway / aspiration risk assessed"), r => r.AirwayRiskAssessed = true),
            (Flag("--blood-loss-risk-assessed", "Risk of more than 500 mL blood loss assessed"), r => r.BloodLossRiskAssessed = true),
        };
        var clear = Time("--last-clear-liquids", "Last clear-liquid intake");
        var light = Time("--last-light-meal", "Last light meal");
        var fatty = Time("--last-fatty-meal", "Last fatty or fried meal");
        var command = new Command("sign-in", "WHO sign-in, before sedation (SignIn)") { id, all, clear, light, fatty };
        foreach (var item in items)
        {
            command.Add(item.Option);
        }

        kit.Unary<SignInRequest, ProcedureCase>(command, Api, "SignIn", i =>
        {
            var request = new SignInRequest { ReferralId = i.Parse.GetValue(id), LastClearLiquidsAt = i.Time(clear), LastLightMealAt = i.Time(light), LastFattyMealAt = i.Time(fatty) };
            foreach (var item in items.Where(item => i.Value(all) || i.Value(item.Option)))
            {
                item.Set(request);
            }

            return request;
        }, CaseView);
        return command;
    }

    private static Command TimeOut(CommandKit kit)
    {
        var id = ReferralId();
        var levels = Many("--level", "Level the team confirms (must match the scheduled levels)", required: true);
        var all = Flag("--all-confirmed", "Every time-out item is confirmed (instead of the per-item flags)");
        var items = new (Option<bool> Option, Action<TimeOutRequest> Set)[]
        {
            (Flag("--team-introduced", "Every team member introduced by name and role"), r => r.TeamIntroduced = true),
            (Flag("--patient-site-procedure", "Patient, site and procedure confirmed by the team"), r => r.PatientSiteProcedureConfirmed = true),
            (Flag("--critical-events-reviewed", "Anticipated critical events reviewed"), r => r.CriticalEventsReviewed = true),
            (Flag("--imaging-displayed", "Essential imaging displayed"), r => r.ImagingDisplayed = true),
        };
        var antibiotic = Text("--antibiotic", "Antibiotic prophylaxis given, e.g. \"cefazolin 1 g IV\" (checked at the first time-out)");
        var antibioticAt = Time("--antibiotic-given-at", "When the antibiotic was given");
        var equipment = Text("--equipment", "C-arm / angiography unit used");
        var command = new Command("time-out", "WHO time-out before the trocar; the caller is the operating radiologist (TimeOut)") { id, levels, all, antibiotic, antibioticAt, equipment };
        foreach (var item in items)
        {
            command.Add(item.Option);
        }

        kit.Unary<TimeOutRequest, ProcedureCase>(command, Api, "TimeOut", i =>
        {
            var request = new TimeOutRequest
            {
                ReferralId = i.Parse.GetValue(id),
                ConfirmedLevels = { i.Value(levels) ?? [] },
                AntibioticDrug = i.Value(antibiotic) ?? string.Empty,
                AntibioticGivenAt = i.Time(antibioticAt),
                EquipmentId = i.Value(equipment) ?? string.Empty,
            };
            foreach (var item in items.Where(item => i.Value(all) || i.Value(item.Option)))
            {
                item.Set(request);
            }

            return request;
        }, CaseView);
        return command;
    }

    private static Command Level(CommandKit kit)
    {
        var id = ReferralId();
        var level = new Argument<string>("level") { Description = "Vertebral level confirmed at the time-out, e.g. L1" };
        var approach = Enum("--approach", "Trocar approach", Approach.Unspecified, required: true);
        var gauge = Whole("--gauge", "Trocar gauge", 11);
        var volume = Number("--cement-ml", "Cement injected, mL (greater than 0, at most 20)", required: true);
        var product = Text("--product", "Cement product", required: true);
        var lot = Text("--lot", "Cement lot number", required: true);
        var expiry = Text("--expiry", "Cement lot expiry, YYYY-MM-DD", required: true);
        var udi = Text("--udi-di", "Cement UDI-DI");
        var leakage = Enum("--leakage", "Cement leak", Leakage.None);
        var symptomatic = Flag("--symptomatic", "The leak causes symptoms (raises an escalation)");
        var command = new Command("level", "Record trocar and cement at one level (RecordLevelTreatment)") { id, level, approach, gauge, volume, product, lot, expiry, udi, leakage, symptomatic };
        kit.Unary<RecordLevelTreatmentRequest, ProcedureCase>(command, Api, "RecordLevelTreatment", i => new RecordLevelTreatmentRequest
        {
            ReferralId = i.Parse.GetValue(id),
            Level = i.Parse.GetValue(level),
            Approach = i.Value(approach),
            TrocarGauge = i.Value(gauge),
            CementVolumeMl = i.Value(volume) ?? 0,
            CementProduct = i.Value(product) ?? string.Empty,
            CementLot = i.Value(lot) ?? string.Empty,
            CementExpiry = i.Value(expiry) ?? string.Empty,
            UdiDi = i.Value(udi) ?? string.Empty,
            Leakage = i.Value(leakage),
            LeakageSymptomatic = i.Value(symptomatic),
        }, CaseView);
        return command;
    }

    private static Command AbandonLevel(CommandKit kit)
    {
        var id = ReferralId();
        var level = new Argument<string>("level") { Description = "Vertebral level confirmed at the time-out" };
        var reason = Text("--reason", "Reason code, e.g. PEDICLE_NOT_ACCESSIBLE", required: true);
        var command = new Command("abandon-level", "Record that a confirmed level is deliberately not treated (AbandonLevel)") { id, level, reason };
        kit.Unary<AbandonLevelRequest, ProcedureCase>(command, Api, "AbandonLevel",
            i => new AbandonLevelRequest { ReferralId = i.Parse.GetValue(id), Level = i.Parse.GetValue(level), Reason = i.Value(reason) ?? string.Empty }, CaseView);
        return command;
    }

    private static Command Dose(CommandKit kit)
    {
        var id = ReferralId();
        var dap = Number("--dap", "Dose-area product, Gy·cm²", required: true);
        var kerma = Number("--air-kerma", "Reference-point air kerma, mGy", required: true);
        var fluoroscopy = Number("--fluoro-seconds", "Fluoroscopy time, seconds", required: true);
        var ct = Number("--ct-dlp", "Control CT dose-length product, mGy·cm (a control CT was done)");
        var command = new Command("dose", "Record the radiation dose (RecordDose)") { id, dap, kerma, fluoroscopy, ct };
        kit.Unary<RecordDoseRequest, ProcedureCase>(command, Api, "RecordDose", i => new RecordDoseRequest
        {
            ReferralId = i.Parse.GetValue(id),
            DoseAreaProductGyCm2 = i.Value(dap) ?? 0,
            ReferenceAirKermaMgy = i.Value(kerma) ?? 0,
            FluoroscopySeconds = i.Value(fluoroscopy) ?? 0,
            CtDlpMgyCm = i.Value(ct) ?? 0,
            ControlCtDone = i.Value(ct) is not null,
        }, CaseView);
        return command;
    }

    private static Command SignOut(CommandKit kit)
    {
        var id = ReferralId();
        var levels = Many("--treated-level", "Level the team confirms as treated (must equal the recorded treatments)", required: true);
        var all = Flag("--all-confirmed", "Every sign-out item is confirmed (instead of the per-item flags)");
        var items = new (Option<bool> Option, Action<SignOutRequest> Set)[]
        {
            (Flag("--record-confirmed", "Procedure, levels and cement recorded and confirmed"), r => r.RecordConfirmed = true),
            (Flag("--handover-done", "Concerns handed over to recovery"), r => r.HandoverDone = true),
            (Flag("--counts-correct", "Instrument, needle and sponge counts correct"), r => r.InstrumentCountsCorrect = true),
            (Flag("--specimens-labelled", "Specimens labelled (or none taken)"), r => r.SpecimensLabelled = true),
            (Flag("--equipment-problems-addressed", "Equipment problems addressed (or none)"), r => r.EquipmentProblemsAddressed = true),
        };
        var command = new Command("sign-out", "WHO sign-out before the patient leaves the room (SignOut)") { id, levels, all };
        foreach (var item in items)
        {
            command.Add(item.Option);
        }

        kit.Unary<SignOutRequest, ProcedureCase>(command, Api, "SignOut", i =>
        {
            var request = new SignOutRequest { ReferralId = i.Parse.GetValue(id), TreatedLevels = { i.Value(levels) ?? [] } };
            foreach (var item in items.Where(item => i.Value(all) || i.Value(item.Option)))
            {
                item.Set(request);
            }

            return request;
        }, CaseView);
        return command;
    }

    private static Command Complete(CommandKit kit)
    {
        var id = ReferralId();
        var complications = Many("--complication", "Complication CODE:CIRSE_GRADE, e.g. CEMENT_LEAK_SYMPTOMATIC:2");
        var command = new Command("complete", "End the case; the observation clock starts (CompleteCase)") { id, complications };
        kit.Unary<CompleteCaseRequest, ProcedureCase>(command, Api, "CompleteCase", i => new CompleteCaseRequest
        {
            ReferralId = i.Parse.GetValue(id),
            Complications =
            {
                (i.Value(complications) ?? []).Select(text =>
                {
                    var parts = text.Split(':', 2);
                    return parts.Length == 2 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var grade)
                        ? new Complication { Code = parts[0].Trim(), CirseGrade = grade }
                        : throw new UsageException($"--complication '{text}': expected CODE:CIRSE_GRADE");
                }),
            },
        }, CaseView);
        return command;
    }

    private static Command Discontinue(CommandKit kit)
    {
        var id = ReferralId();
        var reason = Text("--reason", "PATIENT_UNSTABLE, PATIENT_REFUSED, NO_SAFE_ACCESS, EQUIPMENT_FAILURE, CEMENT_LEAK, ANESTHESIA_EVENT or OTHER", required: true);
        var command = new Command("discontinue", "Stop the case before completion (DiscontinueCase)") { id, reason };
        kit.Unary<DiscontinueCaseRequest, ProcedureCase>(command, Api, "DiscontinueCase",
            i => new DiscontinueCaseRequest { ReferralId = i.Parse.GetValue(id), Reason = i.Value(reason) ?? string.Empty }, CaseView);
        return command;
    }

    private static Command Summary(CommandKit kit)
    {
        var id = ReferralId();
        var command = new Command("summary", "The procedure summary: levels, cement, dose, complications (GetProcedureSummary)") { id };
        kit.Unary<GetProcedureSummaryRequest, ProcedureCase>(command, Api, "GetProcedureSummary", i => new GetProcedureSummaryRequest { ReferralId = i.Parse.GetValue(id) }, CaseView);
        return command;
    }

    private static Command Report(CommandKit kit)
    {
        var id = ReferralId();
        var html = Text("--html", "Also write the printable HTML report to this file");
        var command = new Command("report", "The procedure report of a completed or discontinued case (GetProcedureReport)") { id, html };
        var method = IrSuite.Grpc.Method<GetProcedureReportRequest, ProcedureReport>.Create(Api, "GetProcedureReport");
        command.SetAction((parse, cancellation) => kit.RunAsync(parse, async i =>
        {
            var report = await i.CallAsync(method, new GetProcedureReportRequest { ReferralId = parse.GetValue(id) });
            if (i.Value(html) is { Length: > 0 } file)
            {
                await File.WriteAllTextAsync(file, report.Html, cancellation);
            }

            i.Print(report, m =>
            {
                var r = (ProcedureReport)m;
                var text = new Markup($"operators {Markup.Escape(string.Join(", ", r.OperatorIds))}, equipment {Markup.Escape(r.EquipmentId)}"
                    + (i.Value(html) is { Length: > 0 } path ? $", HTML written to {Markup.Escape(path)}" : $", HTML {r.Html.Length} characters (--html FILE to save it)"));
                return new Rows(CaseView(r.Case), text);
            });
            return ExitCodes.Ok;
        }, cancellation));
        return command;
    }

    private static Command Recall(CommandKit kit)
    {
        var lot = new Argument<string>("lot") { Description = "Cement lot number, exactly as printed" };
        var product = Text("--product", "Only this product");
        var command = new Command("recall", "Every case and level that received a cement lot (FindCementLotRecipients)") { lot, product };
        kit.Unary<FindCementLotRecipientsRequest, FindCementLotRecipientsResponse>(command, Api, "FindCementLotRecipients",
            i => new FindCementLotRecipientsRequest { Lot = i.Parse.GetValue(lot), Product = i.Value(product) ?? string.Empty },
            response =>
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("date", "referral", "patient", "level", "product", "lot");
                foreach (var r in response.Recipients)
                {
                    table.AddRow(r.Date, r.ReferralId, r.PatientId, r.Level, Markup.Escape(r.Product), Markup.Escape(r.Lot));
                }

                return table.Caption($"{response.Recipients.Count} recipient level(s)");
            });
        return command;
    }

    private static IRenderable CaseView(ProcedureCase c) => MessageView.Tree(c, $"Case {c.ReferralId}: {ProtoEnums.Name(c.Status)}");
}
