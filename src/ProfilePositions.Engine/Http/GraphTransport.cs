using System;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// Sends plain requests through the connection's request adapter and hands back the answer as it came, without
    /// interpreting it: status, headers and body, or a <see cref="TransportFailure"/> that says whether the request may
    /// have reached Graph. Each attempt has its own timeout.
    /// </summary>
    internal sealed class GraphTransport : IRequestSender
    {
        private readonly IRequestAdapter _adapter;
        private readonly SecretRedactor _redactor;

        public GraphTransport(IRequestAdapter adapter, SecretRedactor redactor)
        {
            _adapter = adapter;
            _redactor = redactor;
        }

        /// <summary>How long one attempt may wait for its answer (-TimeoutSec).</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        public IRequestAdapter Adapter => _adapter;

        public Task<RawResponse> SendAsync(PositionRequest request, int attempt, EngineEvents events, CancellationToken cancellationToken) =>
            SendAsync(request.Build(_adapter, attempt, events), request.ToString(), cancellationToken);

        /// <summary>Sends a Kiota request; <paramref name="what"/> names it in messages ("POST https://...").</summary>
        /// <param name="utf8WhenOk">A 200 answer in UTF-8 keeps its body as bytes (a $batch envelope, parsed from them).</param>
        public async Task<RawResponse> SendAsync(RequestInformation request, string what, CancellationToken cancellationToken, bool utf8WhenOk = false)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var capture = new NativeResponseHandler();
            request.AddRequestOptions(new IRequestOption[] { new ResponseHandlerOption { ResponseHandler = capture } });
            try
            {
                await _adapter.SendNoContentAsync(request, null, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is IOException)
            {
                var kind = TransportFailure.Classify(ex);
                throw new TransportFailure(kind, Describe(kind, what + SystemProxy.Describe(request.URI), ex), ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TransportFailure(TransportFailureKind.TimedOut, "Graph did not answer " + what + " within " + Seconds(Timeout) + " seconds (-TimeoutSec).", ex);
            }
            catch (SignInRequiredException)
            {
                // Already says what happened and what to do; it stops the run.
                throw;
            }
            catch (Exception ex) when (IsCredentialFailure(ex))
            {
                throw new ConnectionException("AuthenticationRequired", "Could not get a token for Microsoft Graph: " + _redactor.Redact(ex.Message) + " Run Connect-ProfileGraph again.", ex);
            }

            using var response = capture.Value as HttpResponseMessage ?? throw new InvalidOperationException("The request adapter returned no response.");
            var status = (int)response.StatusCode;
            string? text = null;
            byte[]? bytes = null;
            try
            {
                if (utf8WhenOk && status == 200 && response.Content != null && Batching.BatchDispatcher.IsUtf8(response.Content.Headers.ContentType?.CharSet))
                {
                    bytes = await ReadBytesAsync(response.Content).ConfigureAwait(false);
                    if (bytes.Length >= 2 && ((bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE)))
                    {
                        // A UTF-16 or UTF-32 byte order mark without a charset: decoded by its mark, as HttpContent
                        // decodes it, from the bytes already read (the body cannot be read twice).
                        text = DecodeByByteOrderMark(bytes);
                        bytes = null;
                    }
                }
                else
                {
                    text = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new TransportFailure(TransportFailureKind.CutOff, "The response to " + what + " (status " + status.ToString(CultureInfo.InvariantCulture) + ") was cut off: " + ex.Message + ".", ex);
            }

            var headers = RawResponse.NewHeaders();
            foreach (var header in response.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            if (response.Content != null)
            {
                foreach (var header in response.Content.Headers)
                {
                    headers[header.Key] = string.Join(",", header.Value);
                }
            }

            return bytes != null ? new RawResponse(status, headers, bytes) : new RawResponse(status, headers, text!);
        }

        /// <summary>
        /// The body's bytes. With a Content-Length they are read straight into one array of that size; HttpContent would
        /// first fill a growing buffer and then copy it.
        /// </summary>
        private static async Task<byte[]> ReadBytesAsync(HttpContent content)
        {
            var length = content.Headers.ContentLength;
            if (length == null || length <= 0 || length > 64 * 1024 * 1024)
            {
                return await content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }

            using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
            return await ReadExactlyAsync(stream, (int)length.Value).ConfigureAwait(false);
        }

        /// <summary>Text whose byte order mark (UTF-16 or UTF-32) says its encoding; UTF-8 without one.</summary>
        internal static string DecodeByByteOrderMark(byte[] bytes)
        {
            using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        /// <summary><paramref name="length"/> bytes of a stream in one array of that size; an IOException when it ends sooner.</summary>
        internal static async Task<byte[]> ReadExactlyAsync(Stream stream, int length)
        {
            var bytes = new byte[length];
            var read = 0;
            while (read < bytes.Length)
            {
                var count = await stream.ReadAsync(bytes, read, bytes.Length - read).ConfigureAwait(false);
                if (count == 0)
                {
                    throw new IOException("The response ended after " + read.ToString(CultureInfo.InvariantCulture) + " of its " + bytes.Length.ToString(CultureInfo.InvariantCulture) + " bytes.");
                }

                read += count;
            }

            return bytes;
        }

        private static string Describe(TransportFailureKind kind, string what, Exception ex)
        {
            var inner = ex.InnerException?.Message;
            var detail = ex.Message + (inner == null ? string.Empty : " (" + inner + ")");
            return kind == TransportFailureKind.NotSent
                ? "Could not reach Microsoft Graph for " + what + ": " + detail + ". Nothing was sent."
                : "The connection to Microsoft Graph was lost during " + what + ": " + detail + ".";
        }

        internal static string Seconds(TimeSpan wait) => wait.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

        private static bool IsCredentialFailure(Exception ex)
        {
            for (var current = ex; current != null; current = current.InnerException)
            {
                if (current is Azure.Identity.AuthenticationFailedException || current is Azure.Identity.CredentialUnavailableException || current is Azure.Identity.AuthenticationRequiredException)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
