using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ProfilePositions.Sandbox.Identity;

/// <summary>
/// The self-signed TLS certificate of the HTTPS listener: ECDSA P-256, valid for 127.0.0.1, ::1 and localhost, shaped
/// like the ASP.NET Core development certificate (end entity, server authentication) so a client can either pin it or
/// use it as its only trust anchor.
/// </summary>
internal static class SandboxCertificate
{
    public const string SubjectName = "CN=ProfilePositions Sandbox";

    private static readonly TimeSpan Validity = TimeSpan.FromDays(365);

    /// <summary>A new certificate with its private key, usable by Kestrel on every platform.</summary>
    public static X509Certificate2 Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SubjectName, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build(critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        var now = DateTimeOffset.UtcNow;
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.Add(Validity));
        return Usable(created);
    }

    /// <summary>Loads a certificate saved with <see cref="ToPem"/>; null when it is unreadable or expires within a day.</summary>
    public static X509Certificate2? FromPem(string certificatePem, string privateKeyPem)
    {
        try
        {
            using var loaded = X509Certificate2.CreateFromPem(certificatePem, privateKeyPem);
            if (loaded.NotAfter.ToUniversalTime() < DateTime.UtcNow.AddDays(1))
            {
                return null;
            }

            return Usable(loaded);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public static (string Certificate, string PrivateKey) ToPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The sandbox certificate has no ECDSA private key.");
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>Writes the public certificate (no key) as PEM, the file a client trusts for this sandbox.</summary>
    public static void WritePublicPem(X509Certificate2 certificate, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        File.WriteAllText(temporary, certificate.ExportCertificatePem() + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    // An ephemeral key works for SslStream on Linux but not on Windows; a PKCS#12 round trip works everywhere.
    private static X509Certificate2 Usable(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
}
