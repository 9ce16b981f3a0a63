using System.Security.Cryptography.X509Certificates;
using IrSuite.Grpc.Client;

namespace IrSuite.Irctl.Connection;

/// <summary>Where and how to connect, after flags, environment and config file are merged.</summary>
public sealed record ConnectionSettings(string Address, string AddressSource, ResolvedToken? Token, string? CaFile, string? ClientCertificate, string? ClientKey)
{
    /// <summary>Opens a channel presenting the token on every call.</summary>
    public GrpcChannel OpenChannel()
    {
        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--address must be an absolute http:// or https:// address, not '{Address}'");
        }

        var options = new GrpcChannelOptions();
        if (Token is { } token)
        {
            var header = "Bearer " + token.Value;
            if (header.Any(c => c is < ' ' or > '~'))
            {
                throw new UsageException($"the token from {token.Source} has characters a header cannot carry");
            }

            options.CallMetadata = m => m.Add("authorization", header);
        }

        if (uri.Scheme == "https")
        {
            options.ConfigureHandler = TlsHandler();
        }
        else if (CaFile is not null || ClientCertificate is not null)
        {
            throw new UsageException("--ca-file and --client-cert need an https:// address");
        }

        return GrpcChannel.ForAddress(uri, options);
    }

    private Action<System.Net.Http.SocketsHttpHandler>? TlsHandler()
    {
        X509Certificate2Collection? roots = null;
        if (CaFile is not null)
        {
            if (!File.Exists(CaFile))
            {
                throw new UsageException($"CA file {CaFile} does not exist");
            }

            roots = [];
            roots.ImportFromPemFile(CaFile);
        }

        X509Certificate2? client = null;
        if (ClientCertificate is not null)
        {
            if (!File.Exists(ClientCertificate))
            {
                throw new UsageException($"client certificate {ClientCertificate} does not exist");
            }

            client = X509Certificate2.CreateFromPemFile(ClientCertificate, ClientKey);
        }

        if (roots is null && client is null)
        {
            return null;
        }

        return handler =>
        {
            if (roots is not null)
            {
                var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
                policy.CustomTrustStore.AddRange(roots);
                handler.SslOptions.CertificateChainPolicy = policy;
            }

            if (client is not null)
            {
                handler.SslOptions.ClientCertificates = [client];
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
            }
        };
    }
}
