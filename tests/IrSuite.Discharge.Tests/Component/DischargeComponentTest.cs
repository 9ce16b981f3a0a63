using Google.Protobuf.WellKnownTypes;
using IrSuite.Contracts.Procedure;
using IrSuite.Discharge.Tests.Infrastructure;
using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.Procedure.V1;

using IrSuite.TestSupport;

namespace IrSuite.Discharge.Tests.Component;

/// <summary>A fresh service (database, bus, clock) per test; fails the test on any Error-level log.</summary>
public abstract class DischargeComponentTest : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 11, 23, 8, 0, 0, TimeSpan.Zero);

    private readonly List<DischargeHost> _hosts = [];

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("irsuite-discharge-").FullName;

    protected ManualTimeProvider Clock { get; } = new(Start);

    protected DischargeHost Host { get; private set; } = null!;

    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    public virtual async Task InitializeAsync() => Host = await StartHostAsync(Settings);

    public async Task DisposeAsync()
    {
        var errors = _hosts.SelectMany(h => h.Errors.Entries).ToList();
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        Assert.Empty(errors);
    }

    /// <param name="database">Sub-directory of the database; another one gives an independent service.</param>
    protected async Task<DischargeHost> StartHostAsync(
        IReadOnlyDictionary<string, string?>? settings = null, bool procedureRecordReachable = true, string database = "main")
    {
        var host = await DischargeHost.StartAsync(Clock, Path.Combine(Directory, database), settings, procedureRecordReachable);
        _hosts.Add(host);
        return host;
    }

    protected async Task StopHostAsync(DischargeHost host)
    {
        Assert.Empty(host.Errors.Entries);
        _hosts.Remove(host);
        await host.DisposeAsync();
    }

    protected static ProcedureCompleted Completed(Guid referralId, Guid patientId, DateTimeOffset endedAt) =>
        new(referralId, patientId, ["L1", "L2"], 1, 1, endedAt, endedAt);

    /// <summary>Opens an observation that started now (the procedure just ended) and teaches the fake procedure-record the case.</summary>
    protected async Task<(Guid ReferralId, Guid PatientId)> OpenObservationAsync(DischargeHost? host = null)
    {
        host ??= Host;
        var referralId = Guid.NewGuid();
        var patientId = Guid.NewGuid();
        host.ProcedureRecord.Cases[referralId.ToString()] = ProcedureCase(referralId, patientId, Clock.GetUtcNow());
        await host.CompleteProcedureAsync(Completed(referralId, patientId, Clock.GetUtcNow()));
        return (referralId, patientId);
    }

    protected static ProcedureCase ProcedureCase(Guid referralId, Guid patientId, DateTimeOffset endedAt)
    {
        var procedureCase = new ProcedureCase
        {
            ReferralId = referralId.ToString(),
            PatientId = patientId.ToString(),
            Status = CaseStatus.Completed,
            EndedAt = Timestamp.FromDateTimeOffset(endedAt),
            Room = "IR-1",
            OperatorId = "op-7",
        };
        procedureCase.ScheduledLevels.Add(["L1", "L2"]);
        procedureCase.ConfirmedLevels.Add(["L1", "L2"]);
        procedureCase.Treatments.Add(new LevelTreatment { Level = "L1", CementVolumeMl = 4.5, CementLot = "LOT-1", Leakage = Leakage.None });
        procedureCase.Treatments.Add(new LevelTreatment { Level = "L2", CementVolumeMl = 3.0, CementLot = "LOT-1", Leakage = Leakage.Disc });
        procedureCase.Complications.Add(new Complication { Code = "HAEMATOMA", CirseGrade = 1 });
        return procedureCase;
    }

    protected static RecordObservationRequest GoodObservation(Guid referralId) => new()
    {
        ReferralId = referralId.ToString(),
        Vitals = new Vitals { HeartRate = 74, SystolicBp = 128, DiastolicBp = 78, Spo2 = 97, RespiratoryRate = 14, TemperatureC = 36.9 },
        PainScore = 2,
        LegsNeuroNormal = true,
        PunctureSiteOk = true,
        Aldrete = new AldreteItems { Activity = 2, Respiration = 2, Circulation = 2, Consciousness = 2, OxygenSaturation = 2 },
        Padss = new PadssItems { VitalSigns = 2, Ambulation = 2, NauseaVomiting = 2, Pain = 2, SurgicalBleeding = 2 },
    };

    protected static DischargePatientRequest HomeDischarge(Guid referralId) => new()
    {
        ReferralId = referralId.ToString(),
        Destination = Destination.Home,
        EscortPresent = true,
    };

    protected static async Task<RpcException> AssertGateAsync(Task call, string rule)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(rule, ex.GetDetail<Google.Rpc.ErrorInfo>()?.Type);
        return ex;
    }

    /// <summary>FAILED_PRECONDITION naming exactly <paramref name="rules"/> (one violation each, in order; ErrorInfo the first).</summary>
    protected static async Task<RpcException> AssertGatesAsync(Task call, params string[] rules)
    {
        var ex = await AssertGateAsync(call, rules[0]);
        Assert.Equal(rules, ex.GetDetail<Google.Rpc.PreconditionFailure>()!.Violations.Select(v => v.Subject));
        return ex;
    }

    /// <summary>Opens an observation from a completion carrying the issue-4 fields.</summary>
    protected async Task<(Guid ReferralId, Guid PatientId)> OpenObservationAsync(Func<ProcedureCompleted, ProcedureCompleted> shape, DischargeHost? host = null)
    {
        host ??= Host;
        var referralId = Guid.NewGuid();
        var patientId = Guid.NewGuid();
        host.ProcedureRecord.Cases[referralId.ToString()] = ProcedureCase(referralId, patientId, Clock.GetUtcNow());
        await host.CompleteProcedureAsync(shape(Completed(referralId, patientId, Clock.GetUtcNow())));
        return (referralId, patientId);
    }

    /// <summary>The default instruction texts of the site protocol, in order.</summary>
    protected static readonly IReadOnlyList<string> DefaultInstructionTexts =
    [
        "No driving for 24 hours.",
        "Rest and limit activity for 48 hours.",
        "No heavy lifting for 2 weeks.",
        "Call the department at once for fever, chills or unusual pain.",
        "Report any skin redness or hair loss at the X-ray site in the following weeks.",
    ];

    protected static async Task<IReadOnlyList<string>> AssertInvalidAsync(Task call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetDetail<Google.Rpc.BadRequest>();
        Assert.NotNull(badRequest);
        return badRequest.FieldViolations.Select(v => v.Field).ToList();
    }

    protected static async Task AssertNotFoundAsync(Task call)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => call);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }
}
