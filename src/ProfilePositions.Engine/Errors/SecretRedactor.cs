using System;
using System.Collections.Generic;

namespace ProfilePositions.Engine.Errors
{
    /// <summary>
    /// Last line of defence: any text the engine hands out (errors, log lines) passes through here, and the tokens
    /// of the current connection are replaced, in case a server or library ever echoes one back.
    /// </summary>
    internal static class SecretRedactor
    {
        private const string Mask = "[redacted]";
        private static readonly object Gate = new object();
        private static readonly List<string> Secrets = new List<string>();

        public static void Register(string? secret)
        {
            // Short strings would mask ordinary words; tokens are long.
            if (secret == null || secret.Length < 16)
            {
                return;
            }

            lock (Gate)
            {
                if (!Secrets.Contains(secret))
                {
                    Secrets.Add(secret);
                }
            }
        }

        public static void Clear()
        {
            lock (Gate)
            {
                Secrets.Clear();
            }
        }

        public static string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            lock (Gate)
            {
                var result = text!;
                foreach (var secret in Secrets)
                {
                    if (result.IndexOf(secret, StringComparison.Ordinal) >= 0)
                    {
                        result = result.Replace(secret, Mask);
                    }

                    // A JWT's signature alone is as good as secret when pasted next to its header and payload.
                    var lastDot = secret.LastIndexOf('.');
                    if (lastDot > 0 && secret.Length - lastDot > 16)
                    {
                        var signature = secret.Substring(lastDot + 1);
                        if (result.IndexOf(signature, StringComparison.Ordinal) >= 0)
                        {
                            result = result.Replace(signature, Mask);
                        }
                    }
                }

                return result;
            }
        }
    }
}
