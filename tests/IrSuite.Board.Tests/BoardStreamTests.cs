using IrSuite.Audit.V1;
using IrSuite.Board.V1;
using IrSuite.Grpc;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Board.Tests;

/// <summary>WatchBoard and GetBoard over real gRPC (HTTP/2) on the embedded suite with a manual clock.</summary>
public sealed class BoardStreamTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private InProcessSuite _suite = null!;

    public async Task InitializeAsync() => _suite = await InProcessSuite.StartAsync(_time);

    public async Task DisposeAsync() => await _suite.DisposeAsync();

    [Fact]
    public async Task WatchBoard_PatientWalkedThroughThePathway_SnapshotThenChangesInOrderThenHeartbeat()
    {
        using var nurse = _suite.ChannelAs("nurse-7", Roles.Nurse);
        await using var watch = BoardWatch.Open(nurse);

        var first = await watch.NextAsync();
        Assert.Equal(BoardUpdate.ChangeOneofCase.Snapshot, first.ChangeCase);
        Assert.Empty(first.Snapshot.Entries);
        Assert.Equal(_time.GetUtcNow(), first.ServerTime.ToDateTimeOffset());
        Assert.Equal(TimeSpan.FromHours(2), first.Snapshot.ObservationMinimum.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(15), first.Snapshot.HeartbeatInterval.ToTimeSpan());

        var walker = Walker();
        var result = await walker.WalkAsync(1, ["L1"]);
        var referralId = result.Referral.ReferralId;
        await watch.WaitForAsync(u => u.Upserted?.ReferralId == referralId && u.Upserted.Stage == BoardStage.Discharged);

        // The patient's changes, in the order they were sent: the stage never goes back, and every step was seen.
        var changes = watch.Received.Where(u => u.Upserted?.ReferralId == referralId).Select(u => u.Upserted).ToList();
        var stages = changes.Select(e => e.Stage).ToList();
        Assert.Equal(stages.Order(), stages);
        Assert.Subset(stages.ToHashSet(), new HashSet<BoardStage>
        {
            BoardStage.Scheduled, BoardStage.InObservation, BoardStage.ReadyForDischarge, BoardStage.Discharged,
        });
        Assert.All(changes, e => Assert.Equal(result.Referral.PatientId, e.PatientId));
        var observed = changes.First(e => e.Stage == BoardStage.InObservation);
        Assert.Equal(observed.Observation.StartedAt.ToDateTimeOffset().AddHours(2), observed.Observation.MinimumUntil.ToDateTimeOffset());
        var discharged = changes[^1];
        Assert.Equal("HOME", discharged.DischargeDestination);
        Assert.Equal(["L1"], discharged.Levels);
        Assert.Equal("IR-1", discharged.Slot.Room);

        // A heartbeat with the server's (injected) time when the clock moves past the interval.
        var target = _time.GetUtcNow().AddSeconds(15);
        _time.Advance(TimeSpan.FromSeconds(15));
        var beat = await watch.WaitForAsync(u => u.ChangeCase == BoardUpdate.ChangeOneofCase.Heartbeat && u.ServerTime.ToDateTimeOffset() >= target);
        Assert.Equal(target, beat.ServerTime.ToDateTimeOffset());
    }

    [Fact]
    public async Task WatchBoard_StreamOfAWatcher_AuditedOncePerPatientAndNotAtItsEnd()
    {
        var walker = Walker();
        var prepared = await walker.PrepareAsync(2, new PatientProfile { Levels = ["T12"] });
        using (var nurse = _suite.ChannelAs("nurse-audit", Roles.Nurse))
        {
            await using var watch = BoardWatch.Open(nurse);
            var snapshot = await watch.NextAsync();
            Assert.Contains(snapshot.Snapshot.Entries, e => e.ReferralId == prepared.Referral.ReferralId);
        }

        using var auditor = _suite.ChannelAs("auditor-1", Roles.Auditor);
        var query = Method<QueryAuditTrailRequest, QueryAuditTrailResponse>.Create(AuditReflection.Descriptor.Services[0], "QueryAuditTrail");
        var records = (await auditor.UnaryAsync(query, new QueryAuditTrailRequest { Actor = "nurse-audit" })).Records;
        var watched = Assert.Single(records, r => r.Action == "ir.board.v1.DepartmentBoardService/WatchBoard");
        Assert.Equal(prepared.Referral.PatientId, watched.PatientId);
        Assert.Equal(prepared.Referral.ReferralId, watched.Resource);
        Assert.Equal("read", watched.Access);
        Assert.Equal("OK", watched.Outcome);
    }

    [Theory]
    [InlineData(Roles.Scheduler)]
    [InlineData(Roles.Radiologist)]
    [InlineData(Roles.Anesthesiologist)]
    [InlineData(Roles.Nurse)]
    [InlineData(Roles.Ops)]
    public async Task Board_DepartmentRoles_ReadAndWatch(string role)
    {
        using var channel = _suite.ChannelAs("staff-1", role);

        var board = await BoardApi.ReadAsync(channel);
        await using var watch = BoardWatch.Open(channel);
        var first = await watch.NextAsync();

        Assert.Equal(_time.GetUtcNow(), board.ServerTime.ToDateTimeOffset());
        Assert.Equal(BoardUpdate.ChangeOneofCase.Snapshot, first.ChangeCase);
    }

    [Theory]
    [InlineData(Roles.OrSystem)]
    [InlineData(Roles.Service)]
    [InlineData(Roles.Auditor)]
    public async Task Board_RoleWithoutAccess_PermissionDenied(string role)
    {
        using var channel = _suite.ChannelAs("caller-1", role);

        var read = await Assert.ThrowsAsync<RpcException>(() => BoardApi.ReadAsync(channel));
        await using var watch = BoardWatch.Open(channel);
        var streamed = await Assert.ThrowsAsync<RpcException>(watch.NextAsync);

        Assert.Equal(StatusCode.PermissionDenied, read.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, streamed.StatusCode);
    }

    [Fact]
    public async Task Board_WithoutToken_Unauthenticated()
    {
        using var channel = _suite.AnonymousChannel();

        var read = await Assert.ThrowsAsync<RpcException>(() => BoardApi.ReadAsync(channel));
        await using var watch = BoardWatch.Open(channel);
        var streamed = await Assert.ThrowsAsync<RpcException>(watch.NextAsync);

        Assert.Equal(StatusCode.Unauthenticated, read.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, streamed.StatusCode);
    }

    [Fact]
    public async Task WatchBoard_UnknownStage_InvalidArgumentNamingTheField()
    {
        using var channel = _suite.ChannelAs("nurse-1", Roles.Nurse);
        await using var watch = BoardWatch.Open(channel, new WatchBoardRequest { Stages = { (BoardStage)42 } });

        var refused = await Assert.ThrowsAsync<RpcException>(watch.NextAsync);

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("stages[0]", refused.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task WatchBoard_StageFilter_PatientLeavingTheStagesIsRemoved()
    {
        var walker = Walker();
        var prepared = await walker.PrepareAsync(3, new PatientProfile { Levels = ["L2"] });
        using var nurse = _suite.ChannelAs("nurse-2", Roles.Nurse);
        await using var watch = BoardWatch.Open(nurse, new WatchBoardRequest { Stages = { BoardStage.ReadyToSchedule } });
        var snapshot = await watch.NextAsync();
        Assert.Contains(snapshot.Snapshot.Entries, e => e.ReferralId == prepared.Referral.ReferralId);

        await walker.BookProcedureAsync(prepared, walker.DefaultSlot(3));

        var removed = await watch.WaitForAsync(u => u.ChangeCase == BoardUpdate.ChangeOneofCase.Removed);
        Assert.Equal(prepared.Referral.ReferralId, removed.Removed.ReferralId);
    }

    [Fact]
    public async Task WatchBoard_HostStopping_StreamEndsUnavailableSoTheWatcherReconnects()
    {
        using var nurse = _suite.ChannelAs("nurse-4", Roles.Nurse);
        await using var watch = BoardWatch.Open(nurse);
        await watch.NextAsync();

        _suite.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().StopApplication();

        var ended = await Assert.ThrowsAsync<RpcException>(watch.NextAsync);
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
    }

    [Fact]
    public async Task WatchBoard_TokenExpiresWhileWatching_StreamEndsUnauthenticatedAtTheExpiry()
    {
        var token = TestIdentity.TokenAt(_time.GetUtcNow(), TimeSpan.FromMinutes(10), "nurse-expiring", Roles.Nurse);
        using var channel = _suite.AnonymousChannel();
        using var call = channel.ServerStreamingCall(BoardApi.WatchBoard, new WatchBoardRequest(),
            new IrSuite.Grpc.Client.CallOptions(new Metadata().Add("authorization", "Bearer " + token), DateTime.UtcNow + BoardApi.Timeout));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(BoardUpdate.ChangeOneofCase.Snapshot, call.ResponseStream.Current.ChangeCase);

        // Heartbeats go on while the token is accepted (its expiry plus the clock skew the hosts allow).
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(BoardUpdate.ChangeOneofCase.Heartbeat, call.ResponseStream.Current.ChangeCase);

        _time.Advance(TimeSpan.FromMinutes(6));
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
                Assert.Equal(BoardUpdate.ChangeOneofCase.Heartbeat, call.ResponseStream.Current.ChangeCase);
            }
        });
        Assert.Equal(StatusCode.Unauthenticated, ended.StatusCode);
        Assert.Contains("expired", ended.Status.Detail, StringComparison.Ordinal);
    }

    private PathwayWalker Walker() => new(PathwayEndpoints.AllOn(_suite.Channel), _time)
    {
        AdvanceClock = by =>
        {
            _time.Advance(by);
            return Task.CompletedTask;
        },
        WaitForObservationMinimum = async referralId =>
        {
            _time.Advance(TimeSpan.FromHours(2));
            await BoardApi.EntryAsync(_suite.Channel, referralId, e => e.Stage == BoardStage.ReadyForDischarge);
        },
    };
}
