using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;

namespace IrSuite.ServiceDefaults.Security;

/// <summary>Whether the gRPC listener asks clients for a certificate (decision 0012).</summary>
public enum ClientCertificateRequirement
{
    /// <summary>Server TLS only: callers are identified by their bearer token alone.</summary>
    None,

    /// <summary>Mutual TLS: a client without a certificate chaining to <c>Grpc:Tls:ClientCaFile</c> is refused at the handshake.</summary>
    Require,
}

/// <summary>
/// Configuration section <c>Grpc:Tls</c>: the listener's certificate and key (PEM files, e.g. a mounted Secret), and
/// whether clients must present a certificate of the given CA.
/// </summary>
public sealed class ServerTlsOptions
{
    public const string Section = "Grpc:Tls";

    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public ClientCertificateRequirement ClientCertificates { get; set; } = ClientCertificateRequirement.None;

    /// <summary>The CA client certificates must chain to (only that CA: custom root trust, not the system store).</summary>
    public string? ClientCaFile { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(CertificateFile);

    public static ServerTlsOptions FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ServerTlsOptions>() ?? new ServerTlsOptions();
}

/// <summary>
/// Configuration section <c>Services:Tls</c>: how this service reaches its peers over https:// (the CA their server
/// certificates must chain to) and the client certificate it presents when they require mutual TLS.
/// </summary>
public sealed class ClientTlsOptions
{
    public const string Section = "Services:Tls";

    public string? CaFile { get; set; }

    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    public static ClientTlsOptions FromConfiguration(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ClientTlsOptions>() ?? new ClientTlsOptions();
}

/// <summary>
/// TLS for the gRPC listener and for peer channels. Certificates are checked against the deployment's own CA with
/// <see cref="X509ChainTrustMode.CustomRootTrust"/>: a certificate some public CA in the machine's store issued for the
/// same name must not be accepted as a peer service or a client, and the development CA must not need installing into
/// the system store.
/// </summary>
public static class Tls
{
    private const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>
    /// Fails the start when the gRPC listener would accept plain-text (h2c) connections from other machines: h2c is only
    /// for loopback (the embedded default, tests); anything else needs <c>Grpc:Tls:CertificateFile</c>.
    /// </summary>
    public static void EnsureAllowed(IPEndPoint endpoint, ServerTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled && !IPAddress.IsLoopback(endpoint.Address))
        {
            throw new InvalidOperationException(
                $"Grpc:Address {endpoint} is not a loopback address and Grpc:Tls:CertificateFile is not set: refusing to serve "
                + "gRPC without TLS beyond this machine. Configure Grpc:Tls:CertificateFile and Grpc:Tls:KeyFile (PEM), or "
                + "listen on 127.0.0.1 (decision 0012).");
        }

        if (options.Enabled && string.IsNullOrEmpty(options.KeyFile))
        {
            throw new InvalidOperationException("Grpc:Tls:CertificateFile is set but Grpc:Tls:KeyFile is not.");
        }

        if (options.ClientCertificates == ClientCertificateRequirement.Require && (!options.Enabled || string.IsNullOrEmpty(options.ClientCaFile)))
        {
            throw new InvalidOperationException(
                "Grpc:Tls:ClientCertificates=Require needs Grpc:Tls:CertificateFile, Grpc:Tls:KeyFile and Grpc:Tls:ClientCaFile.");
        }
    }

    /// <summary>
    /// Kestrel's https settings for the listener: the certificate, and with <see cref="ClientCertificateRequirement.Require"/>
    /// a client certificate that chains to the client CA at <paramref name="time"/>'s now and allows client authentication.
    /// </summary>
    public static Action<HttpsConnectionAdapterOptions> ServerHttps(ServerTlsOptions options, Func<TimeProvider> time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        var certificate = X509Certificate2.CreateFromPemFile(options.CertificateFile!, options.KeyFile);
        var clientRoots = options.ClientCertificates == ClientCertificateRequirement.Require ? LoadCertificates(options.ClientCaFile!) : null;
        return https =>
        {
            https.ServerCertificate = certificate;
            https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
            if (clientRoots is not null)
            {
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                https.CheckCertificateRevocation = false;
                https.ClientCertificateValidation = (client, _, _) =>
                    ChainsTo(client, clientRoots, ClientAuthOid, time().GetUtcNow());
            }
        };
    }

    /// <summary>
    /// Sets up a peer channel's handler: server certificates must chain to <see cref="ClientTlsOptions.CaFile"/> and name
    /// the host dialled (SslStream's own host name check stays on), and the client certificate, when configured, is
    /// presented. Returns null when nothing is configured (the system trust store then applies to https:// peers).
    /// </summary>
    public static Action<SocketsHttpHandler>? ClientHandler(ClientTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.CaFile) && string.IsNullOrEmpty(options.ClientCertificateFile))
        {
            return null;
        }

        return ClientHandler(options.CaFile, options.ClientCertificateFile, options.ClientKeyFile);
    }

    /// <summary>The same from file names (tests, tools): any of them may be null.</summary>
    public static Action<SocketsHttpHandler> ClientHandler(string? caFile, string? clientCertificateFile = null, string? clientKeyFile = null)
    {
        var roots = string.IsNullOrEmpty(caFile) ? null : LoadCertificates(caFile);
        var client = string.IsNullOrEmpty(clientCertificateFile) ? null : X509Certificate2.CreateFromPemFile(clientCertificateFile, clientKeyFile);
        return handler =>
        {
            if (roots is not null)
            {
                var policy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    RevocationMode = X509RevocationMode.NoCheck,
                };
                policy.CustomTrustStore.AddRange(roots);
                policy.ApplicationPolicy.Add(new Oid(ServerAuthOid));
                handler.SslOptions.CertificateChainPolicy = policy;
            }

            if (client is not null)
            {
                handler.SslOptions.ClientCertificates = [client];
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
            }
        };
    }

    /// <summary>Whether <paramref name="certificate"/> chains to one of <paramref name="roots"/> (and only them) for <paramref name="usageOid"/>.</summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots, string usageOid, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(roots);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(usageOid));
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate) && HasUsage(certificate, usageOid);
    }

    private static bool HasUsage(X509Certificate2 certificate, string usageOid)
    {
        // The chain's application policy already checks this; an explicit look keeps a leaf without any EKU extension
        // (which chain building treats as "any usage") from passing as a client or server of the suite.
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        return usages is not null && usages.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == usageOid);
    }

    private static X509Certificate2Collection LoadCertificates(string pemFile)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPemFile(pemFile);
        if (collection.Count == 0)
        {
            throw new InvalidOperationException($"No certificate in {pemFile}.");
        }

        return collection;
    }
}
