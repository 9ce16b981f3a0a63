using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using IrSuite.TestSupport;

namespace IrSuite.Interop.Tests;

/// <summary>A throwaway self-signed server certificate for localhost, written as PEM for the python peers.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("irsuite-tls-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        CertFile = Path.Combine(Directory, "server.crt");
        KeyFile = Path.Combine(Directory, "server.key");
        File.WriteAllText(CertFile, certificate.ExportCertificatePem());
        File.WriteAllText(KeyFile, key.ExportPkcs8PrivateKeyPem());
    }

    public string Directory { get; }

    public string CertFile { get; }

    public string KeyFile { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
