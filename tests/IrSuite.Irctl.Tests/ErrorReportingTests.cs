using System.Text.Json;

namespace IrSuite.Irctl.Tests;

/// <summary>Failed calls: status code, rich details readable on stderr (or one JSON object there), distinct exit codes.</summary>
[Collection(SuiteCollection.Name)]
public sealed class ErrorReportingTests(SuiteFixture fixture)
{
    private static readonly string[] BadReferral =
    [
        "referral", "submit", "--family-name", "Bad", "--given-name", "Input", "--birth-date", "1950-01-01", "--mrn", "MRN-BAD-1",
        "--referrer", "Dr R", "--level", "Q9", "--pregnancy", "not-applicable",
    ];

    [Fact]
    public async Task InvalidArgument_FieldViolations_ListedOnStderrWithExitCode3()
    {
        using var irctl = fixture.Runner();

        var result = await irctl.RunAsync(BadReferral);

        Assert.Equal(3, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("INVALID_ARGUMENT", result.Error, StringComparison.Ordinal);
        Assert.Contains("invalid fields", result.Error, StringComparison.Ordinal);
        Assert.Contains("levels", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidArgument_JsonOutput_OneJsonObjectOnStderrWithTheBadRequest()
    {
        using var irctl = fixture.Runner();

        var result = await irctl.RunAsync([.. BadReferral, "--output", "json"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Empty(result.Out);
        var error = result.ErrorJson.GetProperty("error");
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("code").GetString());
        Assert.Equal(3, error.GetProperty("exit_code").GetInt32());
        var detail = error.GetProperty("status").GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.BadRequest");
        Assert.Contains(detail.GetProperty("fieldViolations").EnumerateArray(), v => v.GetProperty("field").GetString()!.StartsWith("levels", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedPrecondition_BookingBeforeConsult_RuleCodesListedWithExitCode4()
    {
        using var irctl = fixture.Runner();
        var id = await SubmitAsync(irctl);

        var result = await irctl.RunAsync("appointment", "book", id, "--kind", "procedure", "--start", "+3d", "--room", "IR-1");
        var json = await irctl.RunAsync("appointment", "book", id, "--kind", "procedure", "--start", "+3d", "--room", "IR-1", "-o", "json");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("FAILED_PRECONDITION", result.Error, StringComparison.Ordinal);
        Assert.Contains("refused by", result.Error, StringComparison.Ordinal);
        Assert.Contains("CONSENT_REQUIRED", result.Error, StringComparison.Ordinal);
        Assert.Equal(4, json.ExitCode);
        var violations = json.ErrorJson.GetProperty("error").GetProperty("status").GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.PreconditionFailure")
            .GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("subject").GetString()).ToList();
        Assert.Contains("CONSENT_REQUIRED", violations);
    }

    [Fact]
    public async Task NotFound_UnknownReferral_ExitCode5()
    {
        using var irctl = fixture.Runner();

        var result = await irctl.RunAsync("referral", "get", Guid.NewGuid().ToString());

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("NOT_FOUND", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unauthenticated_NoToken_ExitCode6AndHowToGetOne()
    {
        using var irctl = fixture.Runner(withToken: false);

        var result = await irctl.RunAsync("referral", "list");
        var json = await irctl.RunAsync("referral", "list", "-o", "json");

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("UNAUTHENTICATED", result.Error, StringComparison.Ordinal);
        Assert.Contains("-- token --role", result.Error, StringComparison.Ordinal);
        Assert.Equal(6, json.ExitCode);
        Assert.Contains("IRCTL_TOKEN", json.ErrorJson.GetProperty("error").GetProperty("hint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermissionDenied_RoleWithoutTheRpc_ExitCode6()
    {
        using var irctl = fixture.Runner();
        var auditor = IrSuite.TestSupport.TestIdentity.Token("auditor-1", "auditor");

        var result = await irctl.RunAsync("--token", auditor, "procedure", "discontinue", Guid.NewGuid().ToString(), "--reason", "OTHER");

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("PERMISSION_DENIED", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_UnknownOptionOrBadValue_ExitCode2WithoutCallingTheSuite()
    {
        using var irctl = fixture.Runner();

        var unknownOption = await irctl.RunAsync("referral", "list", "--no-such-option");
        var badEnum = await irctl.RunAsync("referral", "consult", "x", "--accept", "--sedation", "deep");
        var badTime = await irctl.RunAsync("referral", "labs", "x", "--inr", "1", "--platelets", "200", "--taken-at", "yesterday-ish");
        var noGroup = await irctl.RunAsync("procedure");

        Assert.All([unknownOption, badEnum, badTime, noGroup], r => Assert.Equal(2, r.ExitCode));
        Assert.Contains("local-with-sedation", badEnum.Error, StringComparison.Ordinal);
        Assert.Contains("--taken-at", badTime.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unavailable_NothingListening_ExitCode7()
    {
        using var irctl = fixture.Runner();
        irctl.Variables["IRCTL_ADDRESS"] = $"http://127.0.0.1:{IrSuite.TestSupport.PeerProcess.FreePort()}";

        var result = await irctl.RunAsync("referral", "consult", Guid.NewGuid().ToString(), "--decline", "--decline-reason", "x");

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("UNAVAILABLE", result.Error, StringComparison.Ordinal);
    }

    internal static async Task<string> SubmitAsync(IrctlRunner irctl, params string[] extra)
    {
        var result = await irctl.OkAsync(
        [
            "referral", "submit", "--family-name", "Err", "--given-name", "Case", "--birth-date", "1950-01-01", "--mrn", "MRN-E" + Guid.NewGuid().ToString("N")[..6],
            "--referrer", "Dr R", "--level", "L3", "--pregnancy", "not-applicable", .. extra, "-o", "json",
        ]);
        return result.Json.GetProperty("referralId").GetString()!;
    }
}
