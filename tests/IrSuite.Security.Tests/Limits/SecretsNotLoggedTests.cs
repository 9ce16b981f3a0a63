using System.Collections.Concurrent;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.Protocol.V1;
using IrSuite.Security.Tests.Infrastructure;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;
using Microsoft.Extensions.Logging;

namespace IrSuite.Security.Tests.Limits;

/// <summary>
/// Tokens, private keys and passwords never reach the logs: every log entry at Trace level, message and structured values,
/// is captured while the suite starts with a broker password and a service signing key in its configuration, and serves
/// calls with valid, expired, forged and malformed tokens.
/// </summary>
public sealed class SecretsNotLoggedTests
{
    private const string BrokerPassword = "ZQXSECRETbrokerPASSWORD91";

    [Fact]
    public async Task TokensKeysAndPasswords_NeverLogged_AtTraceLevel()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        var logs = new CapturingLogs();
        using var serviceKey = SigningKey.Generate();
        var serviceJwk = serviceKey.ToPrivateJwk();
        var privatePart = System.Text.Json.Nodes.JsonNode.Parse(serviceJwk)!["d"]!.GetValue<string>();
        await using (var suite = await InProcessSuite.StartAsync(clock, builder =>
        {
            builder.Configuration["Bus:Password"] = BrokerPassword;
            builder.Configuration["Bus:Username"] = "irsuite";
            builder.Configuration["Auth:Service:SigningKey"] = serviceJwk;
            builder.Configuration["Auth:Service:Issuer"] = "irsuite-services";
            builder.Logging.CaptureFrom(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
        }))
        {
            var valid = TestIdentity.TokenAt(clock.GetUtcNow(), TimeSpan.FromHours(1), "nurse-9", Roles.Nurse);
            var expired = TestIdentity.TokenAt(clock.GetUtcNow().AddHours(-3), TimeSpan.FromHours(1), "nurse-9", Roles.Nurse);
            var forged = valid[..^4] + "AAAA";
            var method = Method<GetSiteProtocolRequest, SiteProtocolInfo>.Create(ProtocolReflection.Descriptor.Services[0], "GetSiteProtocol");
            using var channel = suite.AnonymousChannel();
            foreach (var token in new[] { valid, expired, forged, "not-a-jwt-" + valid[..20] })
            {
                try
                {
                    await channel.UnaryAsync(method, new GetSiteProtocolRequest(), new CallOptions(new Metadata().Add("authorization", "Bearer " + token)));
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
                {
                    // expected for all but the valid one
                }
            }

            // A call the handler answers with an error (NOT_FOUND) goes through the handler's logging too.
            var plan = Method<IrSuite.Anesthesia.V1.GetPlanRequest, IrSuite.Anesthesia.V1.AnesthesiaPlan>.Create(
                IrSuite.Anesthesia.V1.AnesthesiaReflection.Descriptor.Services[0], "GetPlan");
            await Assert.ThrowsAsync<RpcException>(() => suite.Channel.UnaryAsync(plan, new IrSuite.Anesthesia.V1.GetPlanRequest { ReferralId = Guid.NewGuid().ToString() }));

            Assert.NotEmpty(logs.Entries);
            foreach (var secret in new[] { BrokerPassword, privatePart, valid, valid.Split('.')[2], expired.Split('.')[2], forged, TestIdentity.PrivateJwk })
            {
                Assert.DoesNotContain(logs.Entries, e => e.Contains(secret, StringComparison.Ordinal));
            }
        }
    }

    private sealed class CapturingLogs : ILoggerProvider
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                owner.Entries.Enqueue(category + " scope " + Describe(state));
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                owner.Entries.Enqueue($"{category} {formatter(state, exception)} {Describe(state)} {exception}");
            }

            private static string Describe(object? state) => state is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join(";", values.Select(v => v.Key + "=" + v.Value))
                : state?.ToString() ?? "";
        }
    }
}
