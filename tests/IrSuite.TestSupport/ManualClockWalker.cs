using IrSuite.Discharge.V1;
using IrSuite.Grpc;
using IrSuite.Grpc.Client;
using IrSuite.SuiteHost.Demo;

namespace IrSuite.TestSupport;

/// <summary>The demo's pathway walker driven on a test's manual clock, against a suite reached through one channel.</summary>
public static class ManualClockWalker
{
    private static readonly Method<GetObservationStatusRequest, ObservationStatus> ObservationStatus =
        Method<GetObservationStatusRequest, ObservationStatus>.Create(DischargeReflection.Descriptor.Services[0], "GetObservationStatus");

    /// <summary>
    /// A walker whose waits move <paramref name="time"/> instead of passing: the 2 h observation is the clock moved by
    /// 2 h, then a read of discharge's status until its durable timer (run on that clock) has fired, within 30 s.
    /// </summary>
    public static PathwayWalker Create(GrpcChannel channel, ManualTimeProvider time) => new(PathwayEndpoints.AllOn(channel), time)
    {
        AdvanceClock = by =>
        {
            time.Advance(by);
            return Task.CompletedTask;
        },
        WaitForObservationMinimum = async referralId =>
        {
            time.Advance(TimeSpan.FromHours(2));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!(await channel.UnaryAsync(ObservationStatus, new GetObservationStatusRequest { ReferralId = referralId })).MinimumElapsed)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The observation minimum of {referralId} did not elapse within 30 s.");
                }

                await Task.Delay(20);
            }
        },
    };
}
