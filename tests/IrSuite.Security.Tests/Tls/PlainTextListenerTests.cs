using System.Net;
using IrSuite.ServiceDefaults.Security;
using IrSuite.TestSupport;

namespace IrSuite.Security.Tests.Tls;

/// <summary>h2c is for loopback only: a listener reachable from other machines without TLS refuses to start.</summary>
public sealed class PlainTextListenerTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("[::]")]
    [InlineData("10.1.2.3")]
    public void NonLoopbackAddressWithoutTls_RefusesToBuild(string host)
    {
        var port = PeerProcess.FreePort();
        var error = Assert.Throws<InvalidOperationException>(() => SuiteHost.SuiteHost.Build([], builder =>
        {
            builder.Configuration["Grpc:Address"] = $"{host}:{port}";
            builder.Configuration["Health:HttpAddress"] = "127.0.0.1:0";
        }));

        Assert.Contains("not a loopback address", error.Message, StringComparison.Ordinal);
        Assert.Contains("Grpc:Tls:CertificateFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoopbackWithoutTls_AndAnyAddressWithTls_AreAllowed()
    {
        ServiceDefaults.Security.Tls.EnsureAllowed(IPEndPoint.Parse("127.0.0.1:5100"), new ServerTlsOptions());
        ServiceDefaults.Security.Tls.EnsureAllowed(IPEndPoint.Parse("[::1]:5100"), new ServerTlsOptions());
        ServiceDefaults.Security.Tls.EnsureAllowed(IPEndPoint.Parse("0.0.0.0:8080"), new ServerTlsOptions { CertificateFile = "tls.crt", KeyFile = "tls.key" });

        var partial = Assert.Throws<InvalidOperationException>(() => ServiceDefaults.Security.Tls.EnsureAllowed(
            IPEndPoint.Parse("0.0.0.0:8080"), new ServerTlsOptions { CertificateFile = "tls.crt" }));
        Assert.Contains("Grpc:Tls:KeyFile", partial.Message, StringComparison.Ordinal);
        var mtlsWithoutCa = Assert.Throws<InvalidOperationException>(() => ServiceDefaults.Security.Tls.EnsureAllowed(
            IPEndPoint.Parse("0.0.0.0:8080"),
            new ServerTlsOptions { CertificateFile = "tls.crt", KeyFile = "tls.key", ClientCertificates = ClientCertificateRequirement.Require }));
        Assert.Contains("Grpc:Tls:ClientCaFile", mtlsWithoutCa.Message, StringComparison.Ordinal);
    }
}
