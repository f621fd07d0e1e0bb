using System;
using System.Collections.Generic;
using System.Text;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// One answer as the response reader takes it, whether it came as a plain HTTP response or as an item of a $batch
    /// envelope: status, headers (case-insensitive) and body text. A body read as UTF-8 bytes (an envelope, a $batch
    /// item) is decoded to text only when something asks for the text; a successful answer is parsed from the bytes.
    /// </summary>
    internal sealed class RawResponse
    {
        private static readonly byte[] Preamble = { 0xEF, 0xBB, 0xBF };
        private readonly byte[]? _utf8;
        private string? _body;

        public RawResponse(int status, IReadOnlyDictionary<string, string> headers, string body)
        {
            Status = status;
            Headers = headers;
            _body = body ?? string.Empty;
        }

        /// <param name="utf8Body">The body as UTF-8, as it came (a byte order mark is skipped, as decoding it would).</param>
        public RawResponse(int status, IReadOnlyDictionary<string, string> headers, byte[] utf8Body)
        {
            Status = status;
            Headers = headers;
            _utf8 = utf8Body ?? Array.Empty<byte>();
        }

        public int Status { get; }

        public IReadOnlyDictionary<string, string> Headers { get; }

        /// <summary>The body text (decoded from UTF-8 on first use when it came as bytes).</summary>
        public string Body => _body ??= Encoding.UTF8.GetString(_utf8!, Skip(_utf8!), _utf8!.Length - Skip(_utf8!));

        /// <summary>The body as UTF-8 without a byte order mark, when it was read as bytes; else default.</summary>
        public ReadOnlyMemory<byte> Utf8Body => _utf8 == null ? default : new ReadOnlyMemory<byte>(_utf8, Skip(_utf8), _utf8.Length - Skip(_utf8));

        /// <summary>Whether the body was read as UTF-8 bytes (see <see cref="Utf8Body"/>).</summary>
        public bool HasUtf8Body => _utf8 != null;

        /// <summary>The same as !string.IsNullOrWhiteSpace(Body), without decoding a body that came as bytes.</summary>
        public bool HasContent
        {
            get
            {
                if (_utf8 == null)
                {
                    return !string.IsNullOrWhiteSpace(_body);
                }

                for (var i = Skip(_utf8); i < _utf8.Length; i++)
                {
                    var b = _utf8[i];
                    if (b >= 0x80)
                    {
                        // Unicode white space beyond ASCII: let the text decide.
                        return !string.IsNullOrWhiteSpace(Body);
                    }

                    if (!char.IsWhiteSpace((char)b))
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        public bool IsSuccess => Status >= 200 && Status <= 299;

        public string? Header(string name)
        {
            foreach (var pair in Headers)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase) && pair.Value.Length > 0)
                {
                    return pair.Value;
                }
            }

            return null;
        }

        public static Dictionary<string, string> NewHeaders() => new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        private static int Skip(byte[] bytes) =>
            bytes.Length >= 3 && bytes[0] == Preamble[0] && bytes[1] == Preamble[1] && bytes[2] == Preamble[2] ? 3 : 0;
    }
}
