using System.Security.Cryptography.X509Certificates;

namespace IrSuite.Interop;

/// <summary>Validates a server certificate against one trusted authority (a development CA or a self-signed cert).</summary>
public static class CertificateTrust
{
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
