using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Scheduling.V1;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IrSuite.Security.Tests.Privacy;

/// <summary>
/// The PHI marker test (decision 0014): a patient with recognisable identity markers walks the whole pathway, and
/// invalid or gated requests carry markers in their free-text fields; no marker may reach a log (message or state),
/// a span (name, tags, events, status), a bus message or a gRPC error (message, details, trailers).
/// </summary>
public sealed class PhiMarkerTests : IAsyncLifetime
{
    private const string Family = "ZQXPHIFAMILY";
    private const string Given = "ZQXPHIGIVEN";
    private const string Mrn = "ZQXMRN2710775123456";
    private const string Free = "ZQXPHIFREETEXT";

    /// <summary>Every marker, the birth date 1931-07-14 in the formats a serializer or formatter might print.</summary>
    private static readonly string[] Markers =
        [Family, Given, Mrn, Free, "1931-07-14", "14/07/1931", "07/14/1931", "14.07.1931", "19310714", "1931-07-14T00:00:00"];

    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly CapturingLoggerProvider _logs = new();
    private readonly ConcurrentQueue<string> _spans = new();
    private readonly BusRecorder _bus = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private ActivityListener _listener = null!;
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(Describe(a)),
        };
        ActivitySource.AddActivityListener(_listener);
        _suite = await InProcessSuite.StartAsync(_time, builder =>
        {
            builder.Logging.AddProvider(_logs);
            builder.Logging.CaptureFrom(LogLevel.Trace);
        });
        var bus = _suite.Services.GetRequiredService<IBus>();
        bus.ConnectPublishObserver(_bus);
        bus.ConnectConsumeObserver(_bus);
    }

    public async Task DisposeAsync()
    {
        await _suite.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task WholePathwayAndRefusedCalls_NoMarkerInLogsSpansBusOrErrors()
    {
        var channel = _suite.Channel;
        var walker = ManualClockWalker.Create(channel, _time);

        var result = await walker.WalkAsync(1, new PatientProfile
        {
            Levels = ["L1"],
            Identity = Identity(),
            Allergies = [Free + "-allergy"],
            // General anaesthesia for one level is not the suggested mode: the deviation reason, free text, is required
            // and carries the patient's name as a clinician might type it, as does the comorbidity.
            Sedation = Common.V1.SedationMode.General,
            ClinicalNote = Free + " note: " + Given + " " + Family + " prefers to sleep",
        });
        Assert.Equal(ReferralStatus.Discharged, result.Pathway.Referral.Status);
        // The marked free text did reach the anaesthesia record (so it was there to leak).
        var getPlan = Method<IrSuite.Anesthesia.V1.GetPlanRequest, IrSuite.Anesthesia.V1.AnesthesiaPlan>.Create(
            IrSuite.Anesthesia.V1.AnesthesiaReflection.Descriptor.Services[0], "GetPlan");
        var plan = await channel.UnaryAsync(getPlan, new IrSuite.Anesthesia.V1.GetPlanRequest { ReferralId = result.Referral.ReferralId });
        Assert.Contains(Family, plan.DeviationReason, StringComparison.Ordinal);
        Assert.NotEmpty(_bus.Messages);

        // The FHIR export (decision 0017) hands the identity to a scheduler in the bundle, never to logs or spans, and
        // leaves the free-text allergy out (only its class is exported).
        var export = Method<IrSuite.Fhir.V1.ExportCaseRequest, IrSuite.Fhir.V1.ExportCaseResponse>.Create(IrSuite.Fhir.V1.FhirReflection.Descriptor.Services[0], "ExportCase");
        var bundle = (await channel.UnaryAsync(export, new IrSuite.Fhir.V1.ExportCaseRequest { ReferralId = result.Referral.ReferralId })).BundleJson;
        Assert.Contains(Family, bundle, StringComparison.Ordinal);
        Assert.DoesNotContain(Free, bundle, StringComparison.Ordinal);
        await RefusedAsync(() => channel.UnaryAsync(export, new IrSuite.Fhir.V1.ExportCaseRequest { ReferralId = Free }));

        await RefusedCallsAsync(channel);

        var leaks = Leaks("log", _logs.Entries)
            .Concat(Leaks("span", _spans))
            .Concat(Leaks("bus", _bus.Messages))
            .Concat(Leaks("error", _errors))
            .ToList();
        Assert.True(leaks.Count == 0, "PHI markers leaked:\n" + string.Join("\n", leaks.Take(20)));
        Assert.NotEmpty(_logs.Entries);
        Assert.NotEmpty(_spans);
        Assert.NotEmpty(_errors);
    }

    private async Task RefusedCallsAsync(GrpcChannel channel)
    {
        var scheduling = SchedulingReflection.Descriptor.Services[0];
        var submit = Method<SubmitReferralRequest, Referral>.Create(scheduling, "SubmitReferral");
        var consult = Method<RecordIrConsultRequest, Referral>.Create(scheduling, "RecordIrConsult");
        var book = Method<BookAppointmentRequest, Appointment>.Create(scheduling, "BookAppointment");

        // Validation: an unknown level and an unknown allergy-like free text beside the identity markers.
        await RefusedAsync(() => channel.UnaryAsync(submit, Referral(Free + "-level")));
        // Validation: a malformed birth date carrying a marker.
        var badDate = Referral("L2");
        badDate.Patient.BirthDate = "14/07/1931 " + Free;
        await RefusedAsync(() => channel.UnaryAsync(submit, badDate));

        // Gates: a declined consult with a free-text reason is accepted, then booking it is refused.
        var referral = await channel.UnaryAsync(submit, Referral("L2"));
        await channel.UnaryAsync(consult, new RecordIrConsultRequest
        {
            ReferralId = referral.ReferralId, Accepted = false, DeclineReason = Free + " declined for " + Family,
        });
        await RefusedAsync(() => channel.UnaryAsync(book, new BookAppointmentRequest
        {
            ReferralId = referral.ReferralId, Kind = AppointmentKind.Procedure, Start = Timestamp.FromDateTimeOffset(_time.GetUtcNow().AddDays(3)),
            DurationMinutes = 60, Room = Free + "-room", RecoveryBed = Free + "-bed",
        }));

        // Validation: a free-text discontinue reason (it must be a code) naming the patient.
        var discontinue = Method<IrSuite.Procedure.V1.DiscontinueCaseRequest, IrSuite.Procedure.V1.ProcedureCase>.Create(
            IrSuite.Procedure.V1.ProcedureReflection.Descriptor.Services[0], "DiscontinueCase");
        await RefusedAsync(() => channel.UnaryAsync(discontinue, new IrSuite.Procedure.V1.DiscontinueCaseRequest
        {
            ReferralId = referral.ReferralId, Reason = Free + " " + Family + " became unstable",
        }));

        // Unknown referral id carrying a marker.
        await RefusedAsync(() => channel.UnaryAsync(consult, new RecordIrConsultRequest { ReferralId = Free, Accepted = true }));
    }

    private async Task RefusedAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        _errors.Enqueue(refused.Status.Detail);
        foreach (var trailer in refused.Trailers)
        {
            _errors.Enqueue(trailer.Key + "=" + (trailer.IsBinary ? System.Text.Encoding.UTF8.GetString(trailer.ValueBytes) : trailer.Value));
        }

        var details = refused.Trailers.GetValueBytes("grpc-status-details-bin");
        if (details is not null)
        {
            _errors.Enqueue(Google.Rpc.Status.Parser.ParseFrom(details).ToString());
        }
    }

    private static PatientIdentity Identity() => new()
    {
        FamilyName = Family, GivenName = Given, BirthDate = "1931-07-14", MedicalRecordNumber = Mrn,
    };

    private static SubmitReferralRequest Referral(params string[] levels) => new()
    {
        Patient = Identity(),
        Referrer = new Referrer { Name = "Dr " + Free, Organisation = Free + " clinic" },
        Indication = Indication.OsteoporoticFracture,
        Levels = { levels },
        Allergies = { Free + "-allergy" },
        Pregnancy = Common.V1.PregnancyStatus.NotApplicable,
    };

    private static IEnumerable<string> Leaks(string where, IEnumerable<string> texts) =>
        from text in texts
        from marker in Markers
        where text.Contains(marker, StringComparison.OrdinalIgnoreCase)
        select $"{where}: [{marker}] {text}";

    private static string Describe(Activity activity)
    {
        var parts = new List<string> { activity.OperationName, activity.DisplayName, activity.StatusDescription ?? "" };
        parts.AddRange(activity.TagObjects.Select(t => $"{t.Key}={t.Value}"));
        foreach (var e in activity.Events)
        {
            parts.Add(e.Name);
            parts.AddRange(e.Tags.Select(t => $"{t.Key}={t.Value}"));
        }

        return string.Join(" | ", parts);
    }

    /// <summary>Records every log entry: the formatted message, the structured state values and the exception.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public IEnumerable<string> Entries => _entries;

        public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, _entries);

        public void Dispose()
        {
        }

        private sealed class Capturing(string category, ConcurrentQueue<string> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                entries.Enqueue($"{category} scope: {state} {StateValues(state)}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {StateValues(state)} {exception}");

            private static string StateValues<TState>(TState state) =>
                state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        }
    }

    /// <summary>Serialises every published and consumed message (and any consume fault) with System.Text.Json.</summary>
    private sealed class BusRecorder : IPublishObserver, IConsumeObserver
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IEnumerable<string> Messages => _messages;

        public Task PrePublish<T>(PublishContext<T> context)
            where T : class => Record(context.Message);

        public Task PostPublish<T>(PublishContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception)
            where T : class => Record(exception.ToString());

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Record(context.Message);

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class => Record(exception.ToString());

        private Task Record(object message)
        {
            _messages.Enqueue(message.GetType().Name + " " + JsonSerializer.Serialize(message, message.GetType()));
            return Task.CompletedTask;
        }
    }
}
