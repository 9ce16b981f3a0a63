using IrSuite.Grpc.Server;
using IrSuite.Protocol.V1;

namespace IrSuite.ServiceDefaults.Clinical;

/// <summary>ir.protocol.v1.SiteProtocolService: the protocol in force, so staff and ops can see what is enforced.</summary>
public sealed class SiteProtocolGrpcService(SiteProtocol protocol)
{
    public Task<SiteProtocolInfo> GetSiteProtocol(GetSiteProtocolRequest request, ServerCallContext context) =>
        Task.FromResult(new SiteProtocolInfo
        {
            Site = protocol.Site,
            Version = protocol.Version,
            AppliedVersion = protocol.AppliedVersion,
            SignedOffBy = protocol.SignedOffBy,
            ProtocolJson = SiteProtocolFingerprint.CanonicalJson(protocol),
        });
}
