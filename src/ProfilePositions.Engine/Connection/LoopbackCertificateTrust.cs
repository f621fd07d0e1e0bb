using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// Test-only: trusts one self-signed certificate (the local sandbox's, read from its PEM file) for https endpoints on
    /// this machine, and nothing else. A remote host, or another certificate, is checked the usual way; the host name is
    /// still checked. Real clouds never get a handler of this kind: it is used only for a loopback authority or Graph root.
    /// </summary>
    internal sealed class LoopbackCertificateTrust
    {
        private readonly byte[] _certificate;

        private LoopbackCertificateTrust(byte[] certificate)
        {
            _certificate = certificate;
        }

        /// <summary>The trust for <paramref name="pemPath"/>, or null when no path is given (the usual case).</summary>
        public static LoopbackCertificateTrust? From(string? pemPath)
        {
            if (string.IsNullOrWhiteSpace(pemPath))
            {
                return null;
            }

            try
            {
                return new LoopbackCertificateTrust(ReadPem(File.ReadAllText(pemPath!.Trim())));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is FormatException || ex is ArgumentException || ex is System.Security.Cryptography.CryptographicException)
            {
                throw new ConnectionException(
                    "LoopbackCertificateUnreadable",
                    ConnectRequest.TrustLoopbackCertificateVariable + " names '" + pemPath + "', which is not a readable PEM certificate (" + ex.Message.TrimEnd('.') + "). " +
                    "Point it at the file the sandbox printed as 'HTTPS certificate:', or remove the variable.",
                    ex);
            }
        }

        /// <summary>Whether this trust is used for an endpoint: https to this machine only.</summary>
        public static bool AppliesTo(Uri endpoint) =>
            string.Equals(endpoint.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase) && TransportRules.IsLoopback(endpoint);

        /// <summary>
        /// An HTTP handler like the one Microsoft.Graph.Core makes (no automatic redirects or decompression, the system
        /// proxy) that also accepts the trusted certificate from a loopback host.
        /// </summary>
        public HttpClientHandler CreateHandler() => new HttpClientHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ServerCertificateCustomValidationCallback = (request, certificate, chain, errors) => Accepts(request.RequestUri, certificate, errors),
        };

        internal bool Accepts(Uri? requestUri, X509Certificate2? presented, SslPolicyErrors errors)
        {
            if (errors == SslPolicyErrors.None)
            {
                return true;
            }

            // Only an untrusted chain is forgiven, only on loopback, and only for the one certificate: a name mismatch is not.
            return requestUri != null
                && TransportRules.IsLoopback(requestUri)
                && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                && presented != null
                && presented.RawData.SequenceEqual(_certificate);
        }

        /// <summary>The DER bytes of the first certificate in a PEM text (netstandard2.0 has no PEM reader).</summary>
        internal static byte[] ReadPem(string pem)
        {
            const string Begin = "-----BEGIN CERTIFICATE-----";
            const string End = "-----END CERTIFICATE-----";
            var start = pem.IndexOf(Begin, StringComparison.Ordinal);
            var end = start < 0 ? -1 : pem.IndexOf(End, start, StringComparison.Ordinal);
            if (start < 0 || end < 0)
            {
                throw new FormatException("no BEGIN CERTIFICATE block");
            }

            var body = pem.Substring(start + Begin.Length, end - start - Begin.Length);
            var der = Convert.FromBase64String(new string(body.Where(c => !char.IsWhiteSpace(c)).ToArray()));
            using (var certificate = new X509Certificate2(der))
            {
                return certificate.RawData;
            }
        }
    }
}
