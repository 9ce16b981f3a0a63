using Google.Protobuf.WellKnownTypes;
using IrSuite.Discharge.Domain;
using IrSuite.Discharge.Grpc;
using IrSuite.Discharge.V1;
using IrSuite.Procedure.V1;

namespace IrSuite.Discharge.Tests;

public sealed class MappingTests
{
    [Fact]
    public void ToOutline_Case_TreatedLevelsTotalCementComplicationsAndEnd()
    {
        var endedAt = new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);
        var procedureCase = new ProcedureCase { EndedAt = Timestamp.FromDateTimeOffset(endedAt) };
        procedureCase.ScheduledLevels.Add(new[] { "T12", "L1", "L2" });
        procedureCase.Treatments.Add(new LevelTreatment { Level = "T12", CementVolumeMl = 2.1 });
        procedureCase.Treatments.Add(new LevelTreatment { Level = "L1", CementVolumeMl = 3.2 });
        procedureCase.Complications.Add(new Complication { Code = "CEMENT_LEAK", CirseGrade = 1 });
        procedureCase.Complications.Add(new Complication { Code = "HAEMATOMA", CirseGrade = 2 });

        var outline = ProcedureRecordClient.ToOutline(procedureCase);

        Assert.Equal(["T12", "L1"], outline.Levels);
        Assert.Equal(5.3, outline.TotalCementMl);
        Assert.Equal(["CEMENT_LEAK", "HAEMATOMA"], outline.Complications);
        Assert.Equal(endedAt, outline.EndedAt);
    }

    [Fact]
    public void ToOutline_EmptyCase_NoLevelsNoCementNoEnd()
    {
        var outline = ProcedureRecordClient.ToOutline(new ProcedureCase());

        Assert.Empty(outline.Levels);
        Assert.Equal(0, outline.TotalCementMl);
        Assert.Empty(outline.Complications);
        Assert.Null(outline.EndedAt);
    }

    [Theory]
    [InlineData(Destination.Home, DischargeDestination.Home)]
    [InlineData(Destination.Ward, DischargeDestination.Ward)]
    public void Destination_RoundTrips(Destination proto, DischargeDestination domain)
    {
        Assert.Equal(domain, DischargeGrpcService.ToDomain(proto));
        Assert.Equal(proto, DischargeGrpcService.ToProto(domain));
    }

    [Theory]
    [InlineData(Destination.Unspecified)]
    [InlineData((Destination)99)]
    public void Destination_UnspecifiedOrUnknown_IsNone(Destination proto) => Assert.Null(DischargeGrpcService.ToDomain(proto));

    [Fact]
    public void ToSummary_NotDischarged_Throws()
    {
        var observation = PatientObservation.Start(Guid.NewGuid(), Guid.NewGuid(), DateTimeOffset.UnixEpoch, TimeSpan.FromHours(2));

        Assert.Throws<ArgumentException>(() => DischargeGrpcService.ToSummary(observation));
    }
}
