using System.Net;
using System.Net.Http.Headers;
using IrSuite.Board.V1;
using IrSuite.Scheduling.Board;
using IrSuite.ServiceDefaults.Security;
using IrSuite.SuiteHost.Demo;
using IrSuite.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Board.Tests;

/// <summary>The board page's listener: the embedded page, and the server-sent events feed behind the bearer token and role matrix.</summary>
public sealed class BoardEventsTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new(DateTimeOffset.UtcNow);
    private InProcessSuite _suite = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _suite = await InProcessSuite.StartAsync(_time);
        // Redirects are asserted, not followed.
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://{_suite.Services.GetRequiredService<BoardHttpEndpoint>().Endpoint}"),
        };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _suite.DisposeAsync();
    }

    [Fact]
    public async Task Page_Served_SelfContainedWithoutExternalResources()
    {
        using var page = await _http.GetAsync("/board/");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await _http.GetAsync("/board/board.js");
        using var root = await _http.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Department board", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("http-equiv", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal(HttpStatusCode.Found, root.StatusCode);
        Assert.Equal("/board/", root.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Events_WithoutToken_Unauthorized()
    {
        using var response = await _http.GetAsync("/board/events", HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData(Roles.OrSystem)]
    [InlineData(Roles.Auditor)]
    public async Task Events_RoleWithoutAccess_Forbidden(string role)
    {
        using var response = await OpenEventsAsync(TestIdentity.Token("caller-2", role));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Events_Nurse_SnapshotWithServerTimeAndPseudonymsOnly()
    {
        var walker = new PathwayWalker(PathwayEndpoints.AllOn(_suite.Channel), _time);
        var prepared = await walker.PrepareAsync(4, new PatientProfile { Levels = ["L3"] });

        using var response = await OpenEventsAsync(TestIdentity.Token("nurse-3", Roles.Nurse));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var (name, data) = await ReadEventAsync(reader);

        Assert.Equal("snapshot", name);
        var update = BoardUpdate.Parser.ParseJson(data);
        Assert.Equal(_time.GetUtcNow(), update.ServerTime.ToDateTimeOffset());
        var entry = Assert.Single(update.Snapshot.Entries);
        Assert.Equal(prepared.Referral.PatientId, entry.PatientId);
        // Health data rule: the pseudonym, never the identity scheduling holds.
        Assert.DoesNotContain(prepared.Referral.Patient.FamilyName, data, StringComparison.Ordinal);
        Assert.DoesNotContain(prepared.Referral.Patient.MedicalRecordNumber, data, StringComparison.Ordinal);
        Assert.DoesNotContain(prepared.Referral.Patient.BirthDate, data, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(15));
        while (true)
        {
            var (next, body) = await ReadEventAsync(reader);
            if (next == "heartbeat")
            {
                Assert.Equal(_time.GetUtcNow(), BoardUpdate.Parser.ParseJson(body).ServerTime.ToDateTimeOffset());
                break;
            }
        }
    }

    [Fact]
    public async Task Events_TokenExpiresWhileOpen_ExpiredEventThenTheFeedEnds()
    {
        var token = TestIdentity.TokenAt(_time.GetUtcNow(), TimeSpan.FromMinutes(10), "nurse-expiring", Roles.Nurse);
        using var response = await OpenEventsAsync(token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("snapshot", (await ReadEventAsync(reader)).Name);

        _time.Advance(TimeSpan.FromMinutes(11));
        var names = new List<string>();
        while (names.LastOrDefault() != "expired")
        {
            names.Add((await ReadEventAsync(reader)).Name);
        }

        Assert.All(names.SkipLast(1), n => Assert.Equal("heartbeat", n));
        using var timeout = new CancellationTokenSource(BoardApi.Timeout);
        Assert.Null(await reader.ReadLineAsync(timeout.Token));
    }

    private async Task<HttpResponseMessage> OpenEventsAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/board/events");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>One server-sent event: its name and its data, read up to the blank line that ends it (within a bound).</summary>
    private static async Task<(string Name, string Data)> ReadEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(BoardApi.Timeout);
        string name = "", data = "";
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && data.Length > 0)
            {
                return (name, data);
            }

            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line[6..];
            }
        }

        throw new InvalidOperationException("The event stream ended.");
    }
}
