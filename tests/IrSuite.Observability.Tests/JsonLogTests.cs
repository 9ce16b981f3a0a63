using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using IrSuite.Grpc.Client;
using IrSuite.Scheduling.V1;
using IrSuite.TestSupport;
using CommonV1 = IrSuite.Common.V1;

namespace IrSuite.Observability.Tests;

/// <summary>The scheduling host as a process, logging JSON by default: one object a line, trace ids in scope, no identity.</summary>
public sealed class JsonLogTests
{
    private const string FamilyName = "Quetzalmorgan";
    private const string GivenName = "Xiomarette";
    private const string BirthDate = "1941-07-23";

    [Fact]
    public async Task SubmitReferral_JsonConsole_LinesCarryTraceIdAndNeverThePatientsIdentity()
    {
        var data = Directory.CreateTempSubdirectory("irsuite-obs-log-").FullName;
        var port = PeerProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["Grpc__Address"] = $"127.0.0.1:{port}",
            ["Health__HttpAddress"] = "127.0.0.1:0",
            ["Board__HttpAddress"] = "127.0.0.1:0",
            ["Data__Directory"] = data,
            ["Logging__LogLevel__Default"] = "Debug",
            ["Logging__LogLevel__Microsoft"] = "Information",
            ["Logging__LogLevel__MassTransit"] = "Information",
        };
        foreach (var (key, value) in TestIdentity.Environment)
        {
            environment[key] = value;
        }

        try
        {
            await using var host = await PeerProcess.StartServerAsync(
                PeerProcess.DotNet, [PeerProcess.OwnProgram("IrSuite.Scheduling.Host")], environment, readyLine: "Application started");
            using var channel = TestIdentity.Channel($"http://127.0.0.1:{port}");
            using var caller = new Activity("test-caller").SetIdFormat(ActivityIdFormat.W3C).Start();
            var traceId = caller.TraceId.ToString();
            var referral = await channel.UnaryAsync(
                IrSuite.Grpc.Method<SubmitReferralRequest, Referral>.Create(SchedulingReflection.Descriptor.Services[0], "SubmitReferral"),
                new SubmitReferralRequest
                {
                    Patient = new PatientIdentity { FamilyName = FamilyName, GivenName = GivenName, BirthDate = BirthDate, MedicalRecordNumber = "MRN-OBS-42" },
                    Referrer = new Referrer { Name = "Dr Referrer", Organisation = "Rheumatology" },
                    Indication = Indication.OsteoporoticFracture,
                    Levels = { "L1" },
                    Imaging = { new ImagingStudy { Modality = ImagingModality.Mri, PerformedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddDays(-3)), AccessionNumber = "ACC-1" } },
                    Medications = { new CommonV1.Medication { Name = "paracetamol", Kind = CommonV1.MedicationKind.Other, Dosage = "1 g x3/day" } },
                    Pregnancy = CommonV1.PregnancyStatus.NotApplicable,
                },
                new CallOptions().WithTimeout(TimeSpan.FromSeconds(15)));
            caller.Stop();
            Assert.NotEmpty(referral.ReferralId);

            // The console logger writes on its own thread: wait for the request's lines.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!host.Output.Contains(traceId, StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "No log line carried the caller's trace id:\n" + host.Output);
                await Task.Delay(20);
            }

            var lines = host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var requestLines = 0;
            foreach (var line in lines)
            {
                using var json = JsonDocument.Parse(line); // every line is one JSON object
                var root = json.RootElement;
                Assert.True(root.TryGetProperty("LogLevel", out _) && root.TryGetProperty("Category", out _), line);
                if (line.Contains(traceId, StringComparison.Ordinal))
                {
                    var scope = root.GetProperty("Scopes").EnumerateArray().First(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("TraceId", out _));
                    Assert.Equal(traceId, scope.GetProperty("TraceId").GetString());
                    Assert.Equal(16, scope.GetProperty("SpanId").GetString()!.Length);
                    requestLines++;
                }
            }

            Assert.True(requestLines > 0);
            Assert.DoesNotContain(FamilyName, host.Output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(GivenName, host.Output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(BirthDate, host.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("MRN-OBS-42", host.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
