using System;
using System.Collections.Generic;
using System.Linq;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>A Microsoft cloud: where Graph answers and where users sign in (graph-api.md §3.8).</summary>
    public sealed class CloudEnvironment
    {
        private static readonly CloudEnvironment[] BuiltIn =
        {
            new CloudEnvironment("Global", new Uri("https://graph.microsoft.com"), new Uri("https://login.microsoftonline.com")),
            new CloudEnvironment("USGov", new Uri("https://graph.microsoft.us"), new Uri("https://login.microsoftonline.us")),
            new CloudEnvironment("USGovDoD", new Uri("https://dod-graph.microsoft.us"), new Uri("https://login.microsoftonline.us")),
            new CloudEnvironment("China", new Uri("https://microsoftgraph.chinacloudapi.cn"), new Uri("https://login.chinacloudapi.cn")),
        };

        private CloudEnvironment(string name, Uri graphEndpoint, Uri authorityHost)
        {
            Name = name;
            GraphEndpoint = graphEndpoint;
            AuthorityHost = authorityHost;
        }

        /// <summary>Global, USGov, USGovDoD, China, or Custom when -GraphEndpoint was given.</summary>
        public string Name { get; }

        /// <summary>The Graph root, without the version segment.</summary>
        public Uri GraphEndpoint { get; }

        public Uri AuthorityHost { get; }

        /// <summary>The names -Environment accepts (for completion and validation).</summary>
        public static IReadOnlyList<string> Names { get; } = BuiltIn.Select(environment => environment.Name).ToArray();

        public static CloudEnvironment Find(string? name)
        {
            var wanted = string.IsNullOrWhiteSpace(name) ? "Global" : name!.Trim();
            foreach (var environment in BuiltIn)
            {
                if (string.Equals(environment.Name, wanted, StringComparison.OrdinalIgnoreCase))
                {
                    return environment;
                }
            }

            throw new ConnectionException("UnknownEnvironment", "'" + wanted + "' is not a known environment. Use one of " + string.Join(", ", Names) + ", or -GraphEndpoint (with -AuthorityHost) for any other cloud.");
        }

        /// <summary>
        /// The environment a connect request asks for: a named cloud, or Custom when -GraphEndpoint is given (its
        /// sign-in host is -AuthorityHost, else the named environment's). Refuses plain http to a remote host.
        /// </summary>
        public static CloudEnvironment Resolve(ConnectRequest request)
        {
            var named = Find(request.Environment);
            var authority = request.AuthorityHost == null ? named.AuthorityHost : CheckEndpoint(request.AuthorityHost, "AuthorityHost");
            if (request.GraphEndpoint == null)
            {
                return request.AuthorityHost == null ? named : new CloudEnvironment(named.Name, named.GraphEndpoint, authority);
            }

            var graph = CheckEndpoint(request.GraphEndpoint, "GraphEndpoint");
            return new CloudEnvironment("Custom", NormaliseGraphRoot(graph), authority);
        }

        /// <summary>The engine adds /beta, so a root given as .../beta or .../v1.0 is trimmed back to the root.</summary>
        internal static Uri NormaliseGraphRoot(Uri endpoint)
        {
            var text = endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
            foreach (var version in new[] { "/beta", "/v1.0" })
            {
                if (text.EndsWith(version, StringComparison.OrdinalIgnoreCase))
                {
                    text = text.Substring(0, text.Length - version.Length);
                }
            }

            return new Uri(text + "/");
        }

        private static Uri CheckEndpoint(Uri endpoint, string parameter)
        {
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            {
                throw new ConnectionException("InvalidEndpoint", "-" + parameter + " must be an absolute http(s) address, such as https://graph.microsoft.com; got '" + endpoint.OriginalString + "'.");
            }

            if (!TransportRules.MaySendToken(endpoint))
            {
                throw new ConnectionException(
                    "InsecureEndpoint",
                    "-" + parameter + " " + endpoint.GetLeftPart(UriPartial.Authority) + " uses plain http to a remote host. A bearer token is never sent unencrypted: use https, or a loopback address (127.0.0.1, ::1, localhost) for the local sandbox.");
            }

            return endpoint;
        }
    }
}
