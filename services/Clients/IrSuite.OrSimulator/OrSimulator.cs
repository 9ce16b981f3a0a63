using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;

namespace IrSuite.OrSimulator;

/// <summary>
/// Plays an operating-room system against a running suite (decision 0016): reads the room's modality worklist, then for
/// each accession (or the chosen one) reports the performed procedure step IN_PROGRESS then COMPLETED with a plausible
/// fluoroscopy time and dose-area product, on one ReportProcedureSteps stream, and prints every acknowledgement.
/// <c>--duplicates</c> resends each report (same message id) and the completion once more under a new id;
/// <c>--shuffle</c> delivers in a seeded random order with every COMPLETED before its IN_PROGRESS.
/// Exit code: 0 when every report was acknowledged and none refused, 1 otherwise, 2 on a usage error.
/// </summary>
public static class OrSimulator
{
    public const string Usage = """
        IrSuite.OrSimulator --address URL --room ROOM --date YYYY-MM-DD [--token JWT] [--accession ACC]
                            [--duplicates] [--shuffle] [--seed N] [--timeout 30s]
            --token defaults to the IRSUITE_TOKEN environment variable (a token with role or-system)
        """;

    public static async Task<int> Main(string[] args) => await RunAsync(args, Console.Out, Console.Error, CancellationToken.None);

    /// <summary>The whole program with its own writers (tests run it in-process).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!SimulatorOptions.TryParse(args, Environment.GetEnvironmentVariable("IRSUITE_TOKEN"), out var options, out var problem))
        {
            await error.WriteLineAsync("error: " + problem);
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var channelOptions = new GrpcChannelOptions
        {
            CallMetadata = m => m.Add("authorization", "Bearer " + options.Token),
            // One stream carries every report: retrying it whole would be wrong, the acks say what to resend.
            Retry = new GrpcRetryOptions { MaxRetryAttempts = 0, EnableCircuitBreaker = false },
        };
        using var channel = GrpcChannel.ForAddress(new Uri(options.Address), channelOptions);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        try
        {
            var worklist = await channel.UnaryAsync(
                Methods.GetModalityWorklist,
                new GetModalityWorklistRequest { Room = options.Room, Date = options.Date },
                new CallOptions(cancellationToken: timeout.Token).WithTimeout(options.Timeout));
            await output.WriteLineAsync($"worklist {options.Room} {options.Date}: {worklist.Items.Count} item(s)");
            foreach (var item in worklist.Items)
            {
                await output.WriteLineAsync(
                    $"  {item.AccessionNumber} {item.RequestedProcedureDescription} patient {item.PatientId} start "
                    + $"{item.ScheduledStart.ToDateTimeOffset():yyyy-MM-ddTHH:mmZ} station {item.ScheduledStationAeTitle} pregnancy {item.DicomPregnancyStatus} "
                    + $"allergies [{string.Join(' ', item.AllergyClasses)}] step {Short(item.StepStatus)}");
            }

            var chosen = worklist.Items.Where(i => options.Accession is null || i.AccessionNumber == options.Accession).ToList();
            if (chosen.Count == 0)
            {
                await error.WriteLineAsync(options.Accession is null ? "error: the worklist is empty" : $"error: {options.Accession} is not on the worklist");
                return 1;
            }

            var reports = Plan(chosen, options, TimeProvider.System.GetUtcNow());
            var summary = await SendAsync(channel, reports, output, options, timeout.Token);
            await output.WriteLineAsync(
                $"summary: sent {reports.Count}, acked {summary.Acked}, applied {summary.Applied}, duplicate {summary.Duplicate}, "
                + $"stale {summary.Stale}, rejected {summary.Rejected}, stream {summary.Status}");
            return summary.Acked == reports.Count && summary.Rejected == 0 && summary.Status == "OK" ? 0 : 1;
        }
        catch (RpcException ex)
        {
            await error.WriteLineAsync($"error: {ex.StatusCode} {ex.Status.Detail}");
            return 1;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await error.WriteLineAsync($"error: no answer within {options.Timeout.TotalSeconds} s");
            return 1;
        }
    }

    /// <summary>Two reports per accession (IN_PROGRESS, COMPLETED), then the duplicates and the order asked for.</summary>
    internal static List<ReportProcedureStepsRequest> Plan(IReadOnlyList<ModalityWorklistItem> items, SimulatorOptions options, DateTimeOffset now)
    {
        var random = new Random(options.Seed);
        var reports = new List<ReportProcedureStepsRequest>();
        foreach (var item in items)
        {
            var fluoroscopy = Math.Round(120 + (random.NextDouble() * 480), 1); // 2-10 min: a one- or two-level vertebroplasty
            var dap = Math.Round(5 + (random.NextDouble() * 45), 2); // Gy.cm2
            var kar = Math.Round(dap * 6, 1); // mGy, a typical Ka,r/DAP ratio for a C-arm at the spine
            var started = now.AddSeconds(-(fluoroscopy * 6));
            var stepId = "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(bigEndian: true), isUnsigned: true, isBigEndian: true)
                .ToString(CultureInfo.InvariantCulture);
            reports.Add(new ReportProcedureStepsRequest
            {
                MessageId = Guid.NewGuid().ToString(),
                AccessionNumber = item.AccessionNumber,
                StepId = stepId,
                Status = ProcedureStepStatus.InProgress,
                OccurredAt = Timestamp.FromDateTimeOffset(started),
                StationAeTitle = item.ScheduledStationAeTitle,
            });
            reports.Add(new ReportProcedureStepsRequest
            {
                MessageId = Guid.NewGuid().ToString(),
                AccessionNumber = item.AccessionNumber,
                StepId = stepId,
                Status = ProcedureStepStatus.Completed,
                OccurredAt = Timestamp.FromDateTimeOffset(now),
                StartedAt = Timestamp.FromDateTimeOffset(started),
                FluoroscopySeconds = fluoroscopy,
                DoseAreaProductGyCm2 = dap,
                ReferenceAirKermaMgy = kar,
                StationAeTitle = item.ScheduledStationAeTitle,
            });
        }

        if (options.Duplicates)
        {
            var originals = reports.ToList();
            reports.AddRange(originals.Select(r => r.Clone()));
            // The same completion content under a new message id (an OR system that lost its own send log).
            reports.AddRange(originals.Where(r => r.Status == ProcedureStepStatus.Completed).Select(r =>
            {
                var again = r.Clone();
                again.MessageId = Guid.NewGuid().ToString();
                return again;
            }));
        }

        if (options.Shuffle)
        {
            random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(reports));
            // Out of order for sure: each step's first COMPLETED goes before its first IN_PROGRESS.
            foreach (var step in reports.Select(r => r.StepId).Distinct(StringComparer.Ordinal).ToList())
            {
                var firstStart = reports.FindIndex(r => r.StepId == step && r.Status == ProcedureStepStatus.InProgress);
                var firstEnd = reports.FindIndex(r => r.StepId == step && r.Status == ProcedureStepStatus.Completed);
                if (firstStart < firstEnd)
                {
                    (reports[firstStart], reports[firstEnd]) = (reports[firstEnd], reports[firstStart]);
                }
            }
        }

        return reports;
    }

    private static async Task<Summary> SendAsync(
        GrpcChannel channel, IReadOnlyList<ReportProcedureStepsRequest> reports, TextWriter output, SimulatorOptions options, CancellationToken cancellationToken)
    {
        using var call = channel.DuplexStreamingCall(Methods.ReportProcedureSteps, new CallOptions(cancellationToken: cancellationToken).WithTimeout(options.Timeout));
        var summary = new Summary();
        var reader = Task.Run(
            async () =>
            {
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    var ack = call.ResponseStream.Current;
                    summary.Count(ack.Outcome);
                    var report = ack.Sequence >= 1 && ack.Sequence <= reports.Count ? reports[(int)ack.Sequence - 1] : null;
                    await output.WriteLineAsync(
                        $"ack #{ack.Sequence} {ack.AccessionNumber} {Short(report?.Status ?? ProcedureStepStatus.Unspecified)} message {ack.MessageId}: "
                        + $"{Short(ack.Outcome)}{(ack.Reason.Length > 0 ? " " + ack.Reason : "")}"
                        + $"{(ack.InvalidFields.Count > 0 ? " [" + string.Join(", ", ack.InvalidFields) + "]" : "")} step now {Short(ack.StepStatus)}");
                }
            },
            cancellationToken);
        foreach (var report in reports)
        {
            await call.RequestStream.WriteAsync(report, cancellationToken);
        }

        await call.RequestStream.CompleteAsync();
        try
        {
            await reader;
            summary.Status = "OK";
        }
        catch (RpcException ex)
        {
            summary.Status = ex.StatusCode.ToString();
        }

        return summary;
    }

    private static string Short(ProcedureStepStatus status) => status switch
    {
        ProcedureStepStatus.InProgress => "IN_PROGRESS",
        ProcedureStepStatus.Completed => "COMPLETED",
        ProcedureStepStatus.Discontinued => "DISCONTINUED",
        _ => "NONE",
    };

    private static string Short(StepReportOutcome outcome) => outcome switch
    {
        StepReportOutcome.Applied => "APPLIED",
        StepReportOutcome.Duplicate => "DUPLICATE",
        StepReportOutcome.Stale => "STALE",
        StepReportOutcome.Rejected => "REJECTED",
        _ => "UNSPECIFIED",
    };

    private sealed class Summary
    {
        public int Acked { get; private set; }

        public int Applied { get; private set; }

        public int Duplicate { get; private set; }

        public int Stale { get; private set; }

        public int Rejected { get; private set; }

        public string Status { get; set; } = "UNKNOWN";

        public void Count(StepReportOutcome outcome)
        {
            Acked++;
            switch (outcome)
            {
                case StepReportOutcome.Applied: Applied++; break;
                case StepReportOutcome.Duplicate: Duplicate++; break;
                case StepReportOutcome.Stale: Stale++; break;
                default: Rejected++; break;
            }
        }
    }

    private static class Methods
    {
        private static readonly Google.Protobuf.Reflection.ServiceDescriptor Service = ProcedureReflection.Descriptor.Services[0];

        public static readonly Method<GetModalityWorklistRequest, GetModalityWorklistResponse> GetModalityWorklist =
            Method<GetModalityWorklistRequest, GetModalityWorklistResponse>.Create(Service, "GetModalityWorklist");

        public static readonly Method<ReportProcedureStepsRequest, ReportProcedureStepsResponse> ReportProcedureSteps =
            Method<ReportProcedureStepsRequest, ReportProcedureStepsResponse>.Create(Service, "ReportProcedureSteps");
    }
}

/// <summary>The simulator's command line.</summary>
internal sealed record SimulatorOptions(
    string Address, string Token, string Room, string Date, string? Accession, bool Duplicates, bool Shuffle, int Seed, TimeSpan Timeout)
{
    public static bool TryParse(string[] args, string? environmentToken, out SimulatorOptions options, out string problem)
    {
        string? address = null, token = environmentToken, room = null, date = null, accession = null;
        bool duplicates = false, shuffle = false;
        var seed = 1;
        var timeout = TimeSpan.FromSeconds(30);
        options = null!;
        problem = "";
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--address" when value is not null: address = value; i++; break;
                case "--token" when value is not null: token = value; i++; break;
                case "--room" when value is not null: room = value; i++; break;
                case "--date" when value is not null: date = value; i++; break;
                case "--accession" when value is not null: accession = value; i++; break;
                case "--seed" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var s): seed = s; i++; break;
                case "--timeout" when value is not null && value.EndsWith('s')
                    && int.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0:
                    timeout = TimeSpan.FromSeconds(t); i++; break;
                case "--duplicates": duplicates = true; break;
                case "--shuffle": shuffle = true; break;
                default: problem = $"unknown or incomplete option '{args[i]}'"; return false;
            }
        }

        if (address is null || !Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            problem = "--address http(s)://host:port is required";
            return false;
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            problem = "a token is required: --token or IRSUITE_TOKEN";
            return false;
        }

        if (string.IsNullOrWhiteSpace(room) || date is null
            || !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            problem = "--room and --date YYYY-MM-DD are required";
            return false;
        }

        options = new SimulatorOptions(address, token.Trim(), room, date, accession, duplicates, shuffle, seed, timeout);
        return true;
    }
}
