using System;
using System.Net;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// Which proxy a request to a host goes through, as the module's HTTP handlers choose it: they leave the proxy unset,
    /// so .NET's default proxy applies, which is WebRequest.DefaultWebProxy (on PowerShell 7 the same object as
    /// HttpClient.DefaultProxy: HTTPS_PROXY / HTTP_PROXY / NO_PROXY when set, else the system settings; on Windows
    /// PowerShell 5.1 the system settings). Used only to say so in verbose lines and errors; it never changes a request.
    /// </summary>
    internal static class SystemProxy
    {
        /// <summary>"http://proxy.contoso.com:8080" for a request to <paramref name="target"/> that goes through a proxy; null when it goes direct.</summary>
        public static string? For(Uri? target)
        {
            if (target == null)
            {
                return null;
            }

            try
            {
                var proxy = WebRequest.DefaultWebProxy;
                if (proxy == null || proxy.IsBypassed(target))
                {
                    return null;
                }

                var via = proxy.GetProxy(target);
                if (via == null || (string.Equals(via.Host, target.Host, StringComparison.OrdinalIgnoreCase) && via.Port == target.Port))
                {
                    return null;
                }

                // Never the user name or password a proxy URL may carry (http://user:secret@proxy:8080).
                return via.Scheme + "://" + via.Host + ":" + via.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>" (through the proxy X, from HTTPS_PROXY/HTTP_PROXY or the system settings)" when one is used; empty otherwise.</summary>
        public static string Describe(Uri? target)
        {
            var via = For(target);
            return via == null ? string.Empty : " (through the proxy " + via + ", from HTTPS_PROXY/HTTP_PROXY or the system proxy settings; hosts listed in NO_PROXY go direct)";
        }
    }
}
