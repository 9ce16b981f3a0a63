using Dapper;
using Google.Rpc;
using IrSuite.Grpc;

namespace IrSuite.AnesthesiaConsultation.Tests.Infrastructure;

/// <summary>Assertions on the gRPC error details and on the outbox.</summary>
public static class RpcAssert
{
    /// <summary>FAILED_PRECONDITION with the rules, in order, as PreconditionFailure subjects; ErrorInfo.Type the first one.</summary>
    public static void Gate(RpcException ex, params string[] rules)
    {
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(rules[0], ex.GetDetail<ErrorInfo>()?.Type);
        Assert.Equal(rules, ex.GetDetail<PreconditionFailure>()!.Violations.Select(v => v.Subject));
    }

    /// <summary>INVALID_ARGUMENT whose BadRequest names exactly these fields.</summary>
    public static void Invalid(RpcException ex, params string[] fields)
    {
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var badRequest = ex.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(fields.Order(StringComparer.Ordinal), badRequest.FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
    }

    /// <summary>The message types in the outbox, in order.</summary>
    public static async Task<List<string>> OutboxTypesAsync(AnesthesiaServiceHost host)
    {
        await using var connection = await host.Database.OpenAsync();
        return (await connection.QueryAsync<string>("SELECT message_type FROM outbox_message ORDER BY seq")).ToList();
    }
}
