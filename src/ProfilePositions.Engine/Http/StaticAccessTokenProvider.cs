using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions.Authentication;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// Hands the user's -AccessToken to Kiota, only for the Graph host of the connection and only over https
    /// (or plain http to a loopback address, for the sandbox).
    /// </summary>
    internal sealed class StaticAccessTokenProvider : IAccessTokenProvider
    {
        private readonly string _token;

        public StaticAccessTokenProvider(string token, Uri graphRoot)
        {
            _token = token;
            AllowedHostsValidator = new AllowedHostsValidator(new[] { graphRoot.Host });
        }

        public AllowedHostsValidator AllowedHostsValidator { get; }

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            var allowed = uri != null && AllowedHostsValidator.IsUrlHostValid(uri) && TransportRules.MaySendToken(uri);
            return Task.FromResult(allowed ? _token : string.Empty);
        }
    }

    internal static class TransportRules
    {
        /// <summary>A bearer token travels only over https, or over plain http to this machine.</summary>
        public static bool MaySendToken(Uri uri) =>
            string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase)
            || (string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.OrdinalIgnoreCase) && IsLoopback(uri));

        public static bool IsLoopback(Uri uri)
        {
            if (uri.IsLoopback)
            {
                return true;
            }

            var host = uri.Host.Trim('[', ']');
            return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
        }
    }
}
