using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using IrSuite.Board.V1;
using IrSuite.Scheduling.Data;
using IrSuite.ServiceDefaults.Audit;
using IrSuite.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IrSuite.Scheduling.Board;

/// <summary>
/// The board's web page on its own HTTP/1.1 listener (<c>Board:HttpAddress</c>; default the gRPC host and port + 200):
/// <c>/board/</c> serves the page (embedded HTML, CSS and script, no external resource), <c>/board/events</c> the live
/// feed as server-sent events, authenticated by <c>Authorization: Bearer</c> and the role matrix's row of
/// <c>WatchBoard</c>. Plain HTTP only on loopback; elsewhere it needs <c>Grpc:Tls</c>'s certificate (decision 0015).
/// </summary>
public sealed class BoardHttpEndpoint
{
    public const string PagePath = "/board/";
    public const string EventsPath = "/board/events";

    /// <summary>The role matrix row the feed is authorised by: whoever may watch the board over gRPC may open the page.</summary>
    public const string WatchKey = "ir.board.v1.DepartmentBoardService/WatchBoard";

    private const string EventsAction = "GET " + EventsPath;

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default);

    private static readonly IReadOnlyDictionary<string, (string Resource, string ContentType)> Assets = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        [PagePath] = ("index.html", "text/html; charset=utf-8"),
        ["/board/board.css"] = ("board.css", "text/css; charset=utf-8"),
        ["/board/board.js"] = ("board.js", "text/javascript; charset=utf-8"),
    };

    // Marks the connections accepted on the board's listener, so requests are routed without knowing the port in advance
    // (port 0 is bound by Kestrel itself: no probe-and-release race with other listeners).
    private static readonly object ConnectionMarker = new();

    private readonly IPEndPoint _configured;
    private readonly ServerTlsOptions _tls;
    private ListenOptions? _listen;

    private BoardHttpEndpoint(IPEndPoint endpoint, ServerTlsOptions tls)
    {
        _configured = endpoint;
        _tls = tls;
    }

    /// <summary>Where the page listens: once the host started, the bound endpoint (the real port when configured with 0).</summary>
    public IPEndPoint Endpoint => _listen?.IPEndPoint ?? _configured;

    /// <summary>http:// or https:// and the endpoint, with the page's path.</summary>
    public string PageUrl => $"{(_tls.Enabled ? "https" : "http")}://{Endpoint}{PagePath}";

    /// <summary>The endpoint from <c>Board:HttpAddress</c>, or the gRPC host with its port + 200 (port 0: any free port); fails when it would serve plain HTTP beyond loopback.</summary>
    public static BoardHttpEndpoint Resolve(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var tls = ServerTlsOptions.FromConfiguration(configuration);
        var options = configuration.GetSection(BoardOptions.Section).Get<BoardOptions>() ?? new BoardOptions();
        IPEndPoint endpoint;
        if (options.HttpAddress is { Length: > 0 } configured)
        {
            endpoint = IPEndPoint.Parse(configured);
        }
        else
        {
            var grpc = IPEndPoint.Parse(configuration["Grpc:Address"] ?? $"127.0.0.1:{SchedulingModule.DefaultPort}");
            endpoint = new IPEndPoint(grpc.Address, grpc.Port == 0 ? 0 : grpc.Port + 200);
        }

        if (!tls.Enabled && !IPAddress.IsLoopback(endpoint.Address))
        {
            throw new InvalidOperationException(
                $"Board:HttpAddress {endpoint} is not a loopback address and Grpc:Tls:CertificateFile is not set: refusing to serve "
                + "the department board without TLS beyond this machine (decision 0015).");
        }

        return new BoardHttpEndpoint(endpoint, tls);
    }

    internal void Listen(KestrelServerOptions kestrel) =>
        kestrel.Listen(_configured, listen =>
        {
            _listen = listen;
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => connection =>
            {
                connection.Items[ConnectionMarker] = ConnectionMarker;
                return next(connection);
            });
            if (_tls.Enabled)
            {
                // The page is opened by browsers, which present no client certificate: server TLS only, the bearer
                // token identifies the caller.
                var serverOnly = new ServerTlsOptions { CertificateFile = _tls.CertificateFile, KeyFile = _tls.KeyFile };
                listen.UseHttps(Tls.ServerHttps(serverOnly, () => kestrel.ApplicationServices.GetRequiredService<TimeProvider>()));
            }
        });

    /// <summary>Puts the board's handler in front of the host's pipeline, for requests on the board's port only.</summary>
    internal sealed class StartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            var services = app.ApplicationServices;
            app.Use((http, nextMiddleware) => IsBoardConnection(http) ? AnswerAsync(http, services) : nextMiddleware(http));
            next(app);
        };
    }

    private static bool IsBoardConnection(HttpContext http) =>
        http.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(ConnectionMarker) == true;

    private static async Task AnswerAsync(HttpContext http, IServiceProvider services)
    {
        var request = http.Request;
        var response = http.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
        if (!HttpMethods.IsGet(request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            return;
        }

        var path = request.Path.Value ?? "";
        if (path is "" or "/" or "/board")
        {
            response.StatusCode = StatusCodes.Status302Found;
            response.Headers.Location = PagePath;
            return;
        }

        if (path == EventsPath)
        {
            await StreamAsync(http, services);
            return;
        }

        if (!Assets.TryGetValue(path, out var asset))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await using var stream = typeof(BoardHttpEndpoint).Assembly.GetManifestResourceStream("IrSuite.Scheduling.Board.wwwroot." + asset.Resource)
            ?? throw new InvalidOperationException($"The board's {asset.Resource} is not embedded.");
        response.ContentType = asset.ContentType;
        response.ContentLength = stream.Length;
        await stream.CopyToAsync(response.Body, http.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext http, IServiceProvider services)
    {
        var response = http.Response;
        var database = services.GetRequiredService<SchedulingDatabase>();
        var time = services.GetRequiredService<TimeProvider>();
        var header = http.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        CallerIdentity? caller = null;
        string? failure;
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header.Length == Scheme.Length)
        {
            failure = "A bearer token is required (Authorization: Bearer <token>).";
        }
        else
        {
            (caller, failure) = await services.GetRequiredService<TokenValidator>().ValidateAsync(header[Scheme.Length..].Trim());
        }

        if (caller is null)
        {
            await AuditAsync(database, time, CallerIdentity.Anonymous, [(null, null)], "UNAUTHENTICATED");
            response.StatusCode = StatusCodes.Status401Unauthorized;
            response.Headers.WWWAuthenticate = "Bearer";
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync(failure ?? "Unauthenticated.", http.RequestAborted);
            return;
        }

        if (!AccessPolicy.Allows(WatchKey, caller.Roles))
        {
            await AuditAsync(database, time, caller, [(null, null)], "PERMISSION_DENIED");
            response.StatusCode = StatusCodes.Status403Forbidden;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync($"Roles {caller.RoleList} may not watch the department board.", http.RequestAborted);
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers["X-Accel-Buffering"] = "no";
        var feed = services.GetRequiredService<BoardFeed>();
        var recorded = new HashSet<(string?, string?)>();
        var opened = false;
        try
        {
            await foreach (var update in feed.WatchAsync(new HashSet<BoardStage>(), caller.AcceptedUntil, http.RequestAborted))
            {
                // Each patient is recorded the first time this watcher is shown it, before it is sent (decision 0013).
                var subjects = Subjects(update).Where(recorded.Add).ToList();
                if (!opened && subjects.Count == 0)
                {
                    subjects.Add((null, null));
                }

                opened = true;
                if (subjects.Count > 0)
                {
                    await AuditAsync(database, time, caller, subjects, "OK");
                }

                await response.WriteAsync($"event: {update.ChangeCase.ToString().ToLowerInvariant()}\ndata: {Json.Format(update)}\n\n", http.RequestAborted);
                await response.Body.FlushAsync(http.RequestAborted);
            }

            if (feed.HasExpired(caller.AcceptedUntil))
            {
                // The page asks for a new token instead of reconnecting with the expired one.
                await response.WriteAsync("event: expired\ndata: {}\n\n", http.RequestAborted);
                await response.Body.FlushAsync(http.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The page was closed or reloaded.
        }
        catch (IOException)
        {
            // The connection dropped.
        }
    }

    private static IEnumerable<(string?, string?)> Subjects(BoardUpdate update) => update.ChangeCase switch
    {
        BoardUpdate.ChangeOneofCase.Snapshot => update.Snapshot.Entries.Select(e => ((string?)e.PatientId, (string?)e.ReferralId)),
        BoardUpdate.ChangeOneofCase.Upserted => [(update.Upserted.PatientId, update.Upserted.ReferralId)],
        _ => [],
    };

    private static Task AuditAsync(SchedulingDatabase database, TimeProvider time, CallerIdentity caller, IReadOnlyList<(string? Patient, string? Referral)> subjects, string outcome)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var trace = Activity.Current?.TraceId.ToHexString();
        return database.AuditLog.AppendAsync(subjects.Select(s => new AuditRecord
        {
            OccurredAtMs = now,
            Actor = caller.Subject,
            ActorRoles = caller.RoleList,
            Action = EventsAction,
            Access = AuditAccess.Read,
            PatientId = s.Patient,
            Resource = s.Referral,
            Outcome = outcome,
            TraceId = trace,
        }).ToList());
    }
}
