using System.Collections.Concurrent;
using Dapper;
using IrSuite.Anesthesia.V1;
using IrSuite.Audit.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.Data.Sqlite;

namespace IrSuite.Security.Tests.Audit;

/// <summary>
/// The audit trail over real gRPC on the embedded suite (decision 0013): one patient walked through the whole pathway
/// leaves exactly one record per call (counted on the wire by the client), with the caller's subject, roles and trace
/// id; refusals are recorded with their status and change nothing; the four chains verify; a changed or deleted row in
/// a database file is found; only auditors may read the trail.
/// </summary>
public sealed class AuditTrailTests : IAsyncLifetime
{
    private static readonly Method<QueryAuditTrailRequest, QueryAuditTrailResponse> Query =
        Method<QueryAuditTrailRequest, QueryAuditTrailResponse>.Create(AuditReflection.Descriptor.Services[0], "QueryAuditTrail");

    private static readonly Method<VerifyAuditChainRequest, VerifyAuditChainResponse> Verify =
        Method<VerifyAuditChainRequest, VerifyAuditChainResponse>.Create(AuditReflection.Descriptor.Services[0], "VerifyAuditChain");

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero));
    private InProcessSuite _suite = null!;
    private GrpcChannel _auditor = null!;

    public async Task InitializeAsync()
    {
        _suite = await InProcessSuite.StartAsync(_time);
        _auditor = _suite.ChannelAs("auditor-1", Roles.Auditor);
    }

    public async Task DisposeAsync()
    {
        _auditor.Dispose();
        await _suite.DisposeAsync();
    }

    [Fact]
    public async Task WholePathway_EveryCallLeavesExactlyOneRecord_WithActorRolesTraceAndPatient_ChainsVerify()
    {
        var counter = new CountingHandler();
        using var channel = GrpcChannel.ForAddress(_suite.Address, new GrpcChannelOptions
        {
            HttpHandler = counter,
            CallMetadata = m => m.Add("authorization", "Bearer " + TestIdentity.Token()),
        });
        var walker = ManualClockWalker.Create(channel, _time);

        var result = await walker.WalkAsync(1, ["L1"]);

        var records = await AllAsync(new QueryAuditTrailRequest { Actor = TestIdentity.DefaultSubject });
        var expected = counter.Calls.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        var recorded = records.GroupBy(r => "/" + r.Action).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), recorded.OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.All(records, r =>
        {
            Assert.Equal("anesthesiologist,nurse,radiologist,scheduler", r.ActorRoles);
            Assert.Equal(32, r.TraceId.Length);
            Assert.True(r.PatientId.Length == 0 || r.PatientId == result.Referral.PatientId, $"{r.Action} names another patient");
        });
        Assert.Contains(records, r => r.Action.EndsWith("/SignClearance", StringComparison.Ordinal) && r.Access == "write" && r.Outcome == "OK" && r.PatientId == result.Referral.PatientId);
        Assert.Contains(records, r => r.Action.EndsWith("/DischargePatient", StringComparison.Ordinal) && r.Service == "discharge" && r.Resource == result.Referral.ReferralId);

        // The same records, seen from the patient's side: the service's own calls (GetPlan, GetProcedureSummary) too.
        var aboutPatient = await AllAsync(new QueryAuditTrailRequest { PatientId = result.Referral.PatientId });
        Assert.Contains(aboutPatient, r => r.Actor == "irsuite" && r.ActorRoles == "service");
        var chains = await _auditor.UnaryAsync(Verify, new VerifyAuditChainRequest());
        Assert.Equal(["anesthesia-consultation", "discharge", "procedure-record", "scheduling"], chains.Chains.Select(c => c.Service));
        Assert.All(chains.Chains, c => Assert.True(c.Valid && c.RecordsChecked > 0, $"{c.Service}: {c.Problem} at {c.FirstBrokenSeq}"));
    }

    [Fact]
    public async Task RefusedCalls_RecordedWithTheirStatus_NothingChanged()
    {
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_suite.Channel), _time);
        var referral = (await walker.PrepareAsync(2, Local("L2"))).Referral;
        using var nurse = _suite.ChannelAs("nurse-7", Roles.Nurse);
        var sign = Method<SignClearanceRequest, AnesthesiaPlan>.Create(AnesthesiaReflection.Descriptor.Services[0], "SignClearance");
        var getPlan = Method<GetPlanRequest, AnesthesiaPlan>.Create(AnesthesiaReflection.Descriptor.Services[0], "GetPlan");
        // The anaesthesia case is opened by ReferralAccepted, over the bus.
        await Poll.UntilAsync(async () =>
        {
            try
            {
                return await _suite.Channel.UnaryAsync(getPlan, new GetPlanRequest { ReferralId = referral.ReferralId }) is not null;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        });
        var before = await _suite.Channel.UnaryAsync(getPlan, new GetPlanRequest { ReferralId = referral.ReferralId });

        var denied = await Assert.ThrowsAsync<RpcException>(() => nurse.UnaryAsync(sign, new SignClearanceRequest { ReferralId = referral.ReferralId, Decision = ClearanceDecision.Fit }));
        var gated = await Assert.ThrowsAsync<RpcException>(() => _suite.Channel.UnaryAsync(sign, new SignClearanceRequest { ReferralId = referral.ReferralId, Decision = ClearanceDecision.Fit }));

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, gated.StatusCode); // no assessment yet
        Assert.Equal(before, await _suite.Channel.UnaryAsync(getPlan, new GetPlanRequest { ReferralId = referral.ReferralId }));
        var byNurse = Assert.Single(await AllAsync(new QueryAuditTrailRequest { Actor = "nurse-7" }));
        // Refused before its request is even read: the record names who tried what, not which record.
        Assert.Equal(("PERMISSION_DENIED", "write", "nurse", ""), (byNurse.Outcome, byNurse.Access, byNurse.ActorRoles, byNurse.Resource));
        var signs = (await AllAsync(new QueryAuditTrailRequest { Actor = TestIdentity.DefaultSubject })).Where(r => r.Action.EndsWith("/SignClearance", StringComparison.Ordinal)).ToList();
        var gatedRecord = Assert.Single(signs);
        Assert.Equal(("FAILED_PRECONDITION", referral.ReferralId), (gatedRecord.Outcome, gatedRecord.Resource));
    }

    [Fact]
    public async Task AuditService_AuditorsOnly_PatientOrActorRequired()
    {
        var denied = await Assert.ThrowsAsync<RpcException>(() => _suite.Channel.UnaryAsync(Verify, new VerifyAuditChainRequest()));
        var invalid = await Assert.ThrowsAsync<RpcException>(() => _auditor.UnaryAsync(Query, new QueryAuditTrailRequest()));

        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("patient_id", invalid.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAuditTrail_PagesThroughEveryRecordOnce()
    {
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_suite.Channel), _time);
        await walker.PrepareAsync(3, Local("L3"));
        var all = await AllAsync(new QueryAuditTrailRequest { Actor = TestIdentity.DefaultSubject, PageSize = 500 });

        var paged = await AllAsync(new QueryAuditTrailRequest { Actor = TestIdentity.DefaultSubject, PageSize = 2 });

        Assert.True(all.Count > 2);
        Assert.Equal(all.Select(r => (r.Service, r.Seq)), paged.Select(r => (r.Service, r.Seq)));
    }

    [Fact]
    public async Task TamperedOrDeletedRowInTheDatabaseFile_FoundByVerify()
    {
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_suite.Channel), _time);
        await walker.PrepareAsync(4, Local("L4"));
        Assert.All((await _auditor.UnaryAsync(Verify, new VerifyAuditChainRequest())).Chains, c => Assert.True(c.Valid));
        var file = Path.Combine(_suite.DataDirectory, "scheduling.db");

        // The trigger refuses the change; an attacker with the file drops it first.
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync();
            await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync("UPDATE audit_record SET actor = 'someone-else' WHERE seq = 2"));
            await connection.ExecuteAsync("DROP TRIGGER audit_record_no_update; UPDATE audit_record SET actor = 'someone-else' WHERE seq = 2");
        }

        var tampered = (await _auditor.UnaryAsync(Verify, new VerifyAuditChainRequest())).Chains.Single(c => c.Service == "scheduling");
        Assert.False(tampered.Valid);
        Assert.Equal(2, tampered.FirstBrokenSeq);

        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync("UPDATE audit_record SET actor = @actor WHERE seq = 2", new { actor = TestIdentity.DefaultSubject });
            Assert.True((await _auditor.UnaryAsync(Verify, new VerifyAuditChainRequest())).Chains.Single(c => c.Service == "scheduling").Valid);
            await connection.ExecuteAsync("DROP TRIGGER audit_record_no_delete; DELETE FROM audit_record WHERE seq = 3");
        }

        var deleted = (await _auditor.UnaryAsync(Verify, new VerifyAuditChainRequest())).Chains.Single(c => c.Service == "scheduling");
        Assert.False(deleted.Valid);
        Assert.Equal(3, deleted.FirstBrokenSeq);
    }

    private static PatientProfile Local(string level) => new() { Levels = [level], Sedation = IrSuite.Common.V1.SedationMode.Local };

    private async Task<List<IrSuite.Audit.V1.AuditRecord>> AllAsync(QueryAuditTrailRequest request)
    {
        var records = new List<IrSuite.Audit.V1.AuditRecord>();
        var page = request.Clone();
        while (true)
        {
            var response = await _auditor.UnaryAsync(Query, page);
            records.AddRange(response.Records);
            if (response.NextPageToken.Length == 0)
            {
                return records;
            }

            page.PageToken = response.NextPageToken;
        }
    }

    /// <summary>Counts the calls (HTTP/2 request paths) a channel sends.</summary>
    private sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public ConcurrentQueue<string> Calls { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls.Enqueue(request.RequestUri!.AbsolutePath);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
