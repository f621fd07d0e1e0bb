using System;
using System.Collections.Generic;

namespace ProfilePositions.Engine.Errors
{
    /// <summary>
    /// Last line of defence for one connection: any text the engine hands out for it (errors, log lines) passes through
    /// here, and that connection's tokens are replaced, in case a server or library ever echoes one back. One instance per
    /// connection, so forgetting one connection never stops another one's tokens from being masked.
    /// </summary>
    internal sealed class SecretRedactor
    {
        private const string Mask = "[redacted]";
        private readonly object _gate = new object();
        private readonly List<string> _secrets = new List<string>();

        public void Register(string? secret)
        {
            // Short strings would mask ordinary words; tokens are long.
            if (secret == null || secret.Length < 16)
            {
                return;
            }

            lock (_gate)
            {
                if (!_secrets.Contains(secret))
                {
                    _secrets.Add(secret);
                }
            }
        }

        public void Clear()
        {
            lock (_gate)
            {
                _secrets.Clear();
            }
        }

        public string Redact(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return text ?? string.Empty;
            }

            lock (_gate)
            {
                var result = text!;
                foreach (var secret in _secrets)
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
