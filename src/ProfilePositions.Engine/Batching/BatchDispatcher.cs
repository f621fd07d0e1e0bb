using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Runtime;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Batching
{
    /// <summary>
    /// Sends the attempts of one command's operations in JSON $batch envelopes (up to -BatchSize items, built with
    /// Microsoft.Graph.Core's BatchRequestContent from each operation's own RequestInformation and read with its
    /// BatchResponseContent), with up to -ThrottleLimit envelopes in flight. An envelope of one item goes out as the plain
    /// request it is. Every item gets its own answer, whatever happened to the envelope: a 429 envelope throttles each of
    /// its items, a failed envelope leaves each item's outcome unknown, a lost connection is each item's. So the retry
    /// policy above decides per item, and retried items come back here to be grouped into new envelopes.
    /// Throttling is met as a whole: after any 429, nothing more is sent until its Retry-After has passed (Graph counts
    /// early requests against the caller), and the number of envelopes in flight halves, then grows back by one after
    /// eight envelopes without one, so that nobody has to tune -ThrottleLimit to avoid a throttling storm.
    /// </summary>
    internal sealed class BatchDispatcher : IRequestSender, IDisposable
    {
        private const int RecoverAfter = 8;

        private readonly GraphTransport _transport;
        private readonly IRequestAdapter _stepAdapter;
        private readonly string _versionRoot;
        private readonly string _batchUrl;
        private readonly RetryPolicy _policy;
        private readonly BulkCounters _counters;
        private readonly int _batchSize;
        private readonly int _throttleLimit;
        private readonly TimeSpan _linger;
        private readonly object _gate = new object();
        private readonly LinkedList<Pending> _queue = new LinkedList<Pending>();
        private readonly SemaphoreSlim _wake = new SemaphoreSlim(0);
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly TimeProvider _time;
        private readonly DateTimeOffset _started;
        private Task? _loop;
        private int _inFlight;
        private int _limit;
        private int _cleanEnvelopes;
        private TimeSpan _pausedUntil;
        private bool _flushing;

        /// <param name="stepAdapter">Builds the steps: an adapter that adds no Authorization header, so no token is ever
        /// written into an envelope's body (the envelope itself is authenticated).</param>
        public BatchDispatcher(GraphTransport transport, IRequestAdapter stepAdapter, Uri graphRoot, RetryPolicy policy, BulkCounters counters, int batchSize, int throttleLimit, TimeSpan linger)
        {
            _transport = transport;
            _stepAdapter = stepAdapter;
            _versionRoot = GraphPaths.Root(graphRoot) + "/" + GraphPaths.ApiVersion;
            _batchUrl = _versionRoot + "/$batch";
            _policy = policy;
            _counters = counters;
            _batchSize = Math.Max(1, Math.Min(20, batchSize));
            _throttleLimit = Math.Max(1, throttleLimit);
            _limit = _throttleLimit;
            _linger = linger;
            _time = policy.Time;
            _started = _time.GetUtcNow();
            _counters.Limit(_limit);
        }

        public Task<RawResponse> SendAsync(PositionRequest request, int attempt, EngineEvents events, CancellationToken cancellationToken)
        {
            var pending = new Pending(request, attempt, events, Now);
            bool wake;
            if (cancellationToken.CanBeCanceled)
            {
                var registration = cancellationToken.Register(() => pending.Completion.TrySetCanceled());
                pending.Completion.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            lock (_gate)
            {
                if (_stopping.IsCancellationRequested)
                {
                    throw new ObjectDisposedException(nameof(BatchDispatcher));
                }

                if (_halted != null)
                {
                    // Not sent: the run is stopping, and the item takes the error that stops it.
                    pending.Completion.TrySetException(_halted);
                    return pending.Completion.Task;
                }

                _queue.AddLast(pending);
                _loop ??= Task.Run(LoopAsync);

                // The loop needs waking only when this item changes what it waits for: the first item starts the linger,
                // a full envelope ends it. Waking it for every item costs a thread-pool hop per item.
                wake = _queue.Count == 1 || _queue.Count % _batchSize == 0;
            }

            if (wake)
            {
                _wake.Release();
            }

            return pending.Completion.Task;
        }

        /// <summary>
        /// Sends what is queued now, without waiting for a full envelope: the command has no more input, or it waits for
        /// an answer before it can read more. Lasts until the queue is empty.
        /// </summary>
        public void Flush()
        {
            lock (_gate)
            {
                _flushing = true;
            }

            _wake.Release();
        }

        /// <summary>
        /// Sends nothing more: an answer showed that every later request would fail the same way (a token Graph refuses,
        /// a sign-in that cannot be renewed). What is queued, and whatever comes later, fails with <paramref name="reason"/>
        /// without being sent; envelopes in flight still get their answers. The first call wins.
        /// </summary>
        public void Halt(Exception reason)
        {
            List<Pending> dropped;
            lock (_gate)
            {
                if (_halted != null)
                {
                    return;
                }

                _halted = reason;
                dropped = _queue.ToList();
                _queue.Clear();
            }

            foreach (var pending in dropped)
            {
                pending.Completion.TrySetException(reason);
            }

            _wake.Release();
        }

        private Exception? _halted;

        public void Dispose()
        {
            lock (_gate)
            {
                _stopping.Cancel();
                foreach (var pending in _queue)
                {
                    pending.Completion.TrySetCanceled();
                }

                _queue.Clear();
            }

            _wake.Release();
        }

        /// <summary>Time since the session began, on the policy's clock (tests move it without sleeping).</summary>
        private TimeSpan Now => _time.GetUtcNow() - _started;

        private async Task LoopAsync()
        {
            while (!_stopping.IsCancellationRequested)
            {
                List<Pending>? group = null;
                var wait = Timeout.InfiniteTimeSpan;
                lock (_gate)
                {
                    while (_queue.First != null && _queue.First.Value.Completion.Task.IsCompleted)
                    {
                        _queue.RemoveFirst();
                    }

                    var now = Now;
                    if (_queue.Count == 0)
                    {
                        // What was queued when the command flushed has gone; later input fills envelopes again.
                        _flushing = false;
                        wait = Timeout.InfiniteTimeSpan;
                    }
                    else if (now < _pausedUntil)
                    {
                        wait = _pausedUntil - now;
                    }
                    else if (_inFlight >= _limit)
                    {
                        wait = Timeout.InfiniteTimeSpan;
                    }
                    else if (_queue.Count < _batchSize && !_flushing && now - _queue.First!.Value.Queued < _linger)
                    {
                        // A few more moments fill the envelope, while there is still input coming.
                        wait = _linger - (now - _queue.First.Value.Queued);
                    }
                    else
                    {
                        group = new List<Pending>(Math.Min(_batchSize, _queue.Count));
                        while (group.Count < _batchSize && _queue.First != null)
                        {
                            var next = _queue.First.Value;
                            _queue.RemoveFirst();
                            if (!next.Completion.Task.IsCompleted)
                            {
                                group.Add(next);
                                if (next.Request.Method != Method.GET)
                                {
                                    next.Mark?.NoteWriteSent();
                                }
                            }
                        }

                        _inFlight++;
                    }
                }

                if (group != null)
                {
                    _ = SendGroupAsync(group);
                    continue;
                }

                try
                {
                    await _wake.WaitAsync(wait, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task SendGroupAsync(List<Pending> group)
        {
            var throttled = TimeSpan.Zero;
            var wasThrottled = false;
            var outcomes = new List<Action>(group.Count);
            try
            {
                if (group.Count == 1)
                {
                    var single = group[0];
                    _counters.Sent(envelope: false);
                    var response = await _transport.SendAsync(single.Request, single.Attempt, single.Events, _stopping.Token).ConfigureAwait(false);
                    Note(response, ref wasThrottled, ref throttled);
                    outcomes.Add(() => single.Completion.TrySetResult(response));
                }
                else if (group.Count > 1)
                {
                    var answers = await SendEnvelopeAsync(group).ConfigureAwait(false);
                    foreach (var pending in group)
                    {
                        if (answers.TryGetValue(pending.Id, out var answer))
                        {
                            Note(answer, ref wasThrottled, ref throttled);
                            outcomes.Add(() => pending.Completion.TrySetResult(answer));
                        }
                        else
                        {
                            outcomes.Add(() => pending.Completion.TrySetException(new TransportFailure(TransportFailureKind.ConnectionLost, "The $batch answer has no item for " + pending.Request + ", so its outcome is unknown.", null)));
                        }
                    }
                }
            }
            catch (TransportFailure failure)
            {
                outcomes.Clear();
                outcomes.AddRange(group.Select(pending => (Action)(() => pending.Completion.TrySetException(new TransportFailure(failure.Kind, failure.Message, failure)))));
            }
            catch (OperationCanceledException)
            {
                outcomes.Clear();
                outcomes.AddRange(group.Select(pending => (Action)(() => pending.Completion.TrySetCanceled())));
            }
            catch (Exception exception)
            {
                outcomes.Clear();
                outcomes.AddRange(group.Select(pending => (Action)(() => pending.Completion.TrySetException(exception))));
                if (exception is Errors.ConnectionException stopping && stopping.StopsTheRun)
                {
                    Halt(exception);
                }
            }

            // The pause and the in-flight limit are settled before any item hears its answer, so a retry of a throttled
            // item already finds the pause in place.
            lock (_gate)
            {
                _inFlight--;
                if (wasThrottled)
                {
                    // Nothing goes out before Graph's wait is over, and fewer envelopes go out at once.
                    var until = Now + (RetryPolicy.WaitFor(throttled) ?? TimeSpan.Zero);
                    if (until > _pausedUntil)
                    {
                        _pausedUntil = until;
                    }

                    _limit = Math.Max(1, _limit / 2);
                    _cleanEnvelopes = 0;
                }
                else if (++_cleanEnvelopes >= RecoverAfter && _limit < _throttleLimit)
                {
                    _limit++;
                    _cleanEnvelopes = 0;
                }

                _counters.Limit(_limit);
            }

            // Each item's continuation (reading its answer, its retry or its result) runs here, on this thread, rather
            // than as one thread-pool hop per item: at 20 items an envelope those hops cost more than the work. The loop
            // is woken after them, so an answer that halts the run (a refused token) does so before the next envelope.
            foreach (var outcome in outcomes)
            {
                outcome();
            }

            _wake.Release();
        }

        private void Note(RawResponse response, ref bool wasThrottled, ref TimeSpan longest)
        {
            // A 503 that says when to come back asks for the same wait as a 429: Graph's Retry-After is about the
            // caller, not the one request, so nothing goes out before it is over.
            var retryAfter = response.Header("Retry-After");
            if (response.Status != 429 && (response.Status != 503 || string.IsNullOrEmpty(retryAfter)))
            {
                return;
            }

            if (response.Status == 429)
            {
                _counters.Throttle();
            }

            wasThrottled = true;
            var wait = _policy.RetryAfter(retryAfter) ?? TimeSpan.FromSeconds(1);
            if (wait > longest)
            {
                longest = wait;
            }
        }

        /// <summary>One envelope: every item's answer by its id, or a TransportFailure for all of them.</summary>
        private async Task<Dictionary<string, RawResponse>> SendEnvelopeAsync(List<Pending> group)
        {
            // BatchRequestContent is marked obsolete in favour of BatchRequestContentCollection, whose PostAsync sends
            // envelopes one after another and holds every step until the end; this command runs its own envelopes side
            // by side and lets each go, so it builds them one at a time with the type the collection itself uses.
#pragma warning disable CS0618
            using var content = new BatchRequestContent(_stepAdapter, Array.Empty<BatchRequestStep>());
            RawResponse answer;
            var events = group[0].Events;
            var envelopeId = Guid.NewGuid().ToString();
            var what = "POST " + _batchUrl + " (" + group.Count + " items)";
            var watch = new Stopwatch();
            try
            {
                for (var i = 0; i < group.Count; i++)
                {
                    group[i].Id = (i + 1).ToString(CultureInfo.InvariantCulture);
                    var step = group[i].Request.Build(_stepAdapter, group[i].Attempt, group[i].Events, StepUri(group[i].Request.Url));
                    await content.AddBatchRequestStepAsync(step, group[i].Id).ConfigureAwait(false);
                }
#pragma warning restore CS0618

                var envelope = new RequestInformation { HttpMethod = Method.POST, URI = new Uri(_batchUrl) };
                envelope.Headers.Add("Accept", "application/json");
                envelope.Headers.Add("client-request-id", envelopeId);

                using var body = await content.ReadAsStreamAsync().ConfigureAwait(false);
                envelope.SetStreamContent(body, "application/json");
                envelope.AddRequestOptions(new IRequestOption[] { new EngineEventsOption(events) });

                _counters.Sent(envelope: true);
                watch.Start();
                answer = await _transport.SendAsync(envelope, what, _stopping.Token, utf8WhenOk: true).ConfigureAwait(false);
            }
            finally
            {
                // Each step's body is a pooled stream of Kiota's serializer: disposed, its buffers go back to the pool
                // instead of waiting for the finalizer.
                foreach (var step in content.BatchRequestSteps.Values)
                {
                    step.Request?.Dispose();
                }
            }

            var answers = new Dictionary<string, RawResponse>(group.Count, StringComparer.OrdinalIgnoreCase);
            if (answer.Status != 200)
            {
                // The envelope itself failed: its items were not run (429, 400, 401) or may have been (5xx); each item
                // carries the envelope's answer, so the policy treats each as it would that answer.
                foreach (var pending in group)
                {
                    answers[pending.Id] = answer;
                }

                events.Verbose(what + " (client-request-id " + envelopeId + "): the envelope got " + answer.Status.ToString(CultureInfo.InvariantCulture) + " after " + watch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms; every item takes that answer.");
                return answers;
            }

            try
            {
                using var message = new HttpResponseMessage(HttpStatusCode.OK) { Content = EnvelopeContent(answer) };
                var responses = await new BatchResponseContent(message, null).GetResponsesAsync().ConfigureAwait(false);
                foreach (var pair in responses)
                {
                    using var item = pair.Value;
                    answers[pair.Key] = await ReadItemAsync(item).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is JsonException || ex is FormatException || ex is InvalidOperationException || ex is KeyNotFoundException || ex is Microsoft.Graph.ClientException)
            {
                throw new TransportFailure(TransportFailureKind.CutOff, "The answer to " + what + " could not be read (" + ex.Message + "), so the outcome of its items is unknown.", ex);
            }

            if (events.WantsVerbose)
            {
                events.Verbose(what + " (client-request-id " + envelopeId + "): " + Describe(answers.Values) + " in " + watch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms.");
            }

            return answers;
        }

        /// <summary>The envelope's answer for BatchResponseContent: its UTF-8 bytes as they came, else its text.</summary>
        private static HttpContent EnvelopeContent(RawResponse answer)
        {
            if (!answer.HasUtf8Body)
            {
                return new StringContent(answer.Body, Encoding.UTF8, "application/json");
            }

            var bytes = answer.Utf8Body;
            var content = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
                ? new ByteArrayContent(segment.Array!, segment.Offset, segment.Count)
                : new ByteArrayContent(bytes.ToArray());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return content;
        }

        /// <summary>
        /// The address a step is built with, so that BatchRequestContent writes its url as the plain request would send it.
        /// Graph.Core writes a step's url as Uri.UnescapeDataString(PathAndQuery.Substring(5)): unescaped, and relative to
        /// a root it takes to be exactly "/beta". Unescaped, a guest UPN's '#' would start a fragment, a '/' in an id would
        /// split its segment and a filter's '&amp;' would end its value; an endpoint with a path would lose characters. So
        /// the step gets "/beta" plus its escaped path with every '%' escaped once more, which that unescaping undoes. The
        /// host does not matter: a step is never sent by itself.
        /// </summary>
        private Uri StepUri(string url)
        {
            var relative = url.StartsWith(_versionRoot, StringComparison.OrdinalIgnoreCase) ? url.Substring(_versionRoot.Length) : new Uri(url).PathAndQuery;
            return new Uri("https://batch.step/" + GraphPaths.ApiVersion + relative.Replace("%", "%25"));
        }

        private static async Task<RawResponse> ReadItemAsync(HttpResponseMessage item)
        {
            var headers = RawResponse.NewHeaders();
            foreach (var header in item.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            if (item.Content == null)
            {
                return new RawResponse((int)item.StatusCode, headers, string.Empty);
            }

            foreach (var header in item.Content.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            // Graph.Core hands each item's body over as UTF-8; kept as bytes, it is parsed without being decoded to text
            // and encoded again. A body that says another charset is decoded as it says, as before.
            if (IsUtf8(item.Content.Headers.ContentType?.CharSet))
            {
                return new RawResponse((int)item.StatusCode, headers, await ReadBytesAsync(item.Content).ConfigureAwait(false));
            }

            return new RawResponse((int)item.StatusCode, headers, await item.Content.ReadAsStringAsync().ConfigureAwait(false));
        }

        /// <summary>
        /// The bytes of an item's content in one array of their size. Graph.Core's item content is a StringContent, whose
        /// stream reads its own buffer; ReadAsByteArrayAsync would first copy it into a growing pooled buffer, then again.
        /// </summary>
        private static async Task<byte[]> ReadBytesAsync(HttpContent content)
        {
            using var stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
            if (!stream.CanSeek)
            {
                using var copy = new System.IO.MemoryStream();
                await stream.CopyToAsync(copy).ConfigureAwait(false);
                return copy.ToArray();
            }

            return await GraphTransport.ReadExactlyAsync(stream, checked((int)(stream.Length - stream.Position))).ConfigureAwait(false);
        }

        /// <summary>No charset (JSON is UTF-8) or UTF-8 itself, as HttpContent reads it.</summary>
        internal static bool IsUtf8(string? charset)
        {
            if (string.IsNullOrEmpty(charset))
            {
                return true;
            }

            var name = charset!.Trim().Trim(Quote);
            return name.Length == 0 || string.Equals(name, "utf-8", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "utf8", StringComparison.OrdinalIgnoreCase);
        }

        private static readonly char[] Quote = { '"' };

        private static string Describe(IEnumerable<RawResponse> answers) =>
            string.Join(", ", answers.GroupBy(answer => answer.Status).OrderBy(group => group.Key).Select(group => group.Count().ToString(CultureInfo.InvariantCulture) + " x " + group.Key.ToString(CultureInfo.InvariantCulture)));

        private sealed class Pending
        {
            public Pending(PositionRequest request, int attempt, EngineEvents events, TimeSpan queued)
            {
                Request = request;
                Attempt = attempt;
                Events = events;
                Queued = queued;
                Mark = ItemMark.Current;
            }

            /// <summary>The pipeline item this request is for (none outside a bulk command).</summary>
            public ItemMark? Mark { get; }

            public PositionRequest Request { get; }

            public int Attempt { get; }

            public EngineEvents Events { get; }

            public TimeSpan Queued { get; }

            public string Id { get; set; } = string.Empty;

            /// <summary>Completed outside every lock, so its continuations may run inline (see SendGroupAsync).</summary>
            public TaskCompletionSource<RawResponse> Completion { get; } = new TaskCompletionSource<RawResponse>();
        }
    }
}
