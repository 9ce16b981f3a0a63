using System.Globalization;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Procedure.V1;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;

namespace IrSuite.EndToEnd.Tests;

/// <summary>
/// The OR simulator as its own process against the embedded suite (decision 0016): a booking made in scheduling reaches
/// procedure-record's modality worklist through the bus, and the simulator's reports (duplicated, out of order) end as
/// one completed step with its dose on the case.
/// </summary>
public sealed class OrSimulatorTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync() => _suite = await InProcessSuite.StartAsync(_time);

    public async Task DisposeAsync() => await _suite.DisposeAsync();

    [Fact]
    public async Task OrSimulatorProcess_BookedCaseWithDuplicatesAndShuffle_StepCompletedOnTheCase()
    {
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_suite.Channel), _time)
        {
            AdvanceClock = by =>
            {
                _time.Advance(by);
                return Task.CompletedTask;
            },
        };
        var prepared = await walker.PrepareAsync(3, new PatientProfile { Levels = ["T12", "L1"], Sedation = Common.V1.SedationMode.Local });
        var start = walker.DefaultSlot(3);
        await walker.BookProcedureAsync(prepared, start);
        var day = start.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var procedure = ProcedureReflection.Descriptor.Services[0];
        var worklist = Method<GetModalityWorklistRequest, GetModalityWorklistResponse>.Create(procedure, "GetModalityWorklist");
        var summary = Method<GetProcedureSummaryRequest, ProcedureCase>.Create(procedure, "GetProcedureSummary");
        using var orSystem = _suite.ChannelAs("or-room-1", Roles.OrSystem);
        var item = (await Eventually.ValueAsync(
            () => orSystem.UnaryAsync(worklist, new GetModalityWorklistRequest { Room = "IR-1", Date = day }),
            w => w.Items.Count == 1)).Items[0];
        Assert.Equal(prepared.Referral.ReferralId, item.ReferralId);
        Assert.Equal(prepared.Referral.PatientId, item.PatientId);
        Assert.Equal(["T12", "L1"], item.Levels);

        var (exitCode, output) = await PeerProcess.RunAsync(
            PeerProcess.DotNet,
            TimeSpan.FromSeconds(60),
            [PeerProcess.OwnProgram("IrSuite.OrSimulator"), "--address", _suite.Address, "--room", "IR-1", "--date", day, "--duplicates", "--shuffle"],
            new Dictionary<string, string> { ["IRSUITE_TOKEN"] = TestIdentity.Token("or-room-1", Roles.OrSystem) });

        Assert.True(exitCode == 0, output);
        Assert.Contains("summary: sent 5, acked 5, applied 1, duplicate 3, stale 1, rejected 0, stream OK", output, StringComparison.Ordinal);
        var record = await _suite.Channel.UnaryAsync(summary, new GetProcedureSummaryRequest { ReferralId = item.ReferralId });
        Assert.Equal(item.AccessionNumber, record.AccessionNumber);
        var step = Assert.Single(record.ModalitySteps);
        Assert.Equal(ProcedureStepStatus.Completed, step.Status);
        Assert.Equal("or-room-1", step.ReportedBy);
        Assert.Equal("NO_RECORDED_DOSE", record.ModalityDoseCheck.Result);
    }
}
