using System.Linq;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using ProfilePositions.Sandbox.Admin;
using ProfilePositions.Sandbox.Faults;
using ProfilePositions.Sandbox.Graph;
using ProfilePositions.Sandbox.Identity;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Hosting;

/// <summary>
/// The only middleware: stamps request ids, sends <c>/_sandbox</c> to the admin routes, the identity platform's paths
/// (<c>/{tenant}/oauth2/…</c> and friends) to the identity endpoints and everything else through the Graph processor,
/// journals it, then writes the response or plays the transport fault. No routing tables and no logging unless
/// asked, to keep the sandbox out of the way of benchmarks.
/// </summary>
internal sealed class HttpPipeline(SandboxRuntime runtime, ILogger? accessLog)
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(5);

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        var sentClientRequestId = context.Request.Headers["client-request-id"].ToString();
        var clientRequestId = sentClientRequestId.Length == 0 ? requestId : sentClientRequestId;

        context.Response.Headers["request-id"] = requestId;
        context.Response.Headers["client-request-id"] = clientRequestId;
        try
        {
            var path = context.Request.Path.Value ?? "/";
            if (path.StartsWith("/_sandbox/", StringComparison.OrdinalIgnoreCase) || path.Equals("/_sandbox", StringComparison.OrdinalIgnoreCase))
            {
                var response = await runtime.Admin.HandleAsync(context, requestId, clientRequestId).ConfigureAwait(false);
                await WriteAsync(context, response).ConfigureAwait(false);
            }
            else if (IdentityEndpoints.Handles(path))
            {
                await HandleIdentityAsync(context, requestId, clientRequestId, sentClientRequestId.Length == 0 ? null : sentClientRequestId).ConfigureAwait(false);
            }
            else
            {
                await HandleGraphAsync(context, requestId, clientRequestId, sentClientRequestId.Length == 0 ? null : sentClientRequestId).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            context.Response.Headers["request-id"] = requestId;
            context.Response.Headers["client-request-id"] = clientRequestId;
            await WriteAsync(context, ODataErrors.Create(500, "generalException", $"The sandbox failed: {error.Message}", requestId, clientRequestId)).ConfigureAwait(false);
        }
        finally
        {
            // Codes and tokens sent in a query (identity routes) never reach the console either.
            accessLog?.LogInformation("{Method} {Target} -> {Status}", context.Request.Method, context.Request.Path + IdentityRequest.Redact(context.Request.QueryString.Value), context.Response.StatusCode);
        }
    }

    private async Task HandleGraphAsync(HttpContext context, string requestId, string clientRequestId, string? sentClientRequestId)
    {
        var http = context.Request;
        var seq = runtime.Journal.NextSequence();

        // The raw target keeps percent-encoding exactly as sent (the decoded Path has lost %2F and friends).
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            rawTarget = http.PathBase + http.Path.ToUriComponent() + http.QueryString;
        }

        var question = rawTarget.IndexOf('?');
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 || question == rawTarget.Length - 1 ? null : rawTarget[(question + 1)..];

        var body = await ReadBodyAsync(context).ConfigureAwait(false);

        var request = new GraphRequest
        {
            Method = http.Method.ToUpperInvariant(),
            RawPath = rawPath,
            RawQuery = rawQuery,
            ContentType = http.ContentType,
            Body = body,
            Authorization = http.Headers.Authorization.Count > 0 ? http.Headers.Authorization.ToString() : null,
            RequestId = requestId,
            ClientRequestId = clientRequestId,
            SentClientRequestId = sentClientRequestId,
            RetryAttempt = int.TryParse(http.Headers["Retry-Attempt"].ToString(), out var attempt) ? attempt : null,
            BaseAddress = $"{http.Scheme}://{http.Host.Value}",
        };

        // Latency is drawn per request, and for $batch per item (the envelope lasts as long as its slowest item).
        var route = GraphRoute.Parse(rawPath);
        var writes = PendingWrites.Begin();
        var outcome = route.Kind == RouteKind.Batch
            ? await runtime.Batch.ProcessAsync(request, route, seq, context.RequestAborted).ConfigureAwait(false)
            : await runtime.Processor.ProcessAsync(request, route, context.RequestAborted).ConfigureAwait(false);

        // What the request changed is in the store before anything is sent (a fault after commit included).
        await writes.WaitAsync().ConfigureAwait(false);

        runtime.Journal.Append(new JournalEntry(seq, DateTime.UtcNow, request.Method, Uri.UnescapeDataString(rawPath), rawQuery, null, null,
            outcome.WireStatus, outcome.FaultDescription, sentClientRequestId, request.RetryAttempt,
            body.Length > 0 ? Encoding.UTF8.GetString(body) : null, outcome.User?.UserPrincipalName, outcome.Caller ?? runtime.Tokens.Peek(request.Authorization)?.UserPrincipalName,
            RequestJournal.Keep(http.Headers.Select(header => new KeyValuePair<string, string>(header.Key, header.Value.ToString())))));

        switch (outcome.Transport)
        {
            case TransportFault.None:
                await WriteAsync(context, outcome.Response).ConfigureAwait(false);
                break;
            case TransportFault.Hang:
                using (var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, runtime.ShutdownToken))
                {
                    try
                    {
                        await Task.Delay(HangLimit, hang.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                context.Abort();
                break;
            case TransportFault.Close:
                Close(context);
                break;
            case TransportFault.Reset:
                Reset(context);
                break;
            case TransportFault.HalfBody:
                var response = outcome.Response;
                var full = response.Body ?? [];
                PrepareHeaders(context, response);
                context.Response.ContentType = response.ContentType;
                context.Response.ContentLength = full.Length;
                await context.Response.Body.WriteAsync(full.AsMemory(0, full.Length / 2), context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                context.Abort();
                break;
        }
    }

    // Journaled like Graph requests, but with every code, token, verifier and secret in the query or form redacted.
    private async Task HandleIdentityAsync(HttpContext context, string requestId, string clientRequestId, string? sentClientRequestId)
    {
        var http = context.Request;
        var seq = runtime.Journal.NextSequence();
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        var rawQuery = http.QueryString.HasValue ? http.QueryString.Value![1..] : null;
        var request = new IdentityRequest(http.Method.ToUpperInvariant(), http.Path.Value ?? "/", rawQuery, http.ContentType, body,
            $"{http.Scheme}://{http.Host.Value}", requestId, clientRequestId);
        var response = runtime.Identity.Handle(request);

        runtime.Journal.Append(new JournalEntry(seq, DateTime.UtcNow, request.Method, request.Path, request.RedactedQuery, null, null,
            response.Status, null, sentClientRequestId, null, request.RedactedBody, response.User));

        context.Response.StatusCode = response.Status;
        context.Response.Headers["x-ms-request-id"] = requestId;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers.Append(name, value);
        }

        if (response.Body is not null)
        {
            context.Response.ContentType = response.ContentType;
            context.Response.ContentLength = response.Body.Length;
            if (request.Method != "HEAD")
            {
                await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
            }
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        var http = context.Request;
        if (http.ContentLength is 0 || (http.ContentLength is null && http.Headers.TransferEncoding.Count == 0))
        {
            return [];
        }

        using var buffer = new MemoryStream(http.ContentLength is > 0 and < int.MaxValue ? (int)http.ContentLength : 1024);
        await http.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    // FIN with no response: shut down the sending side first, so the client reads end-of-stream rather than a
    // reset. (.NET's SocketsHttpHandler resends a request once when a pooled connection ends like this.)
    private static void Close(HttpContext context)
    {
        try
        {
            context.Features.Get<IConnectionSocketFeature>()?.Socket?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }

        context.Abort();
    }

    // A zero linger time makes closing the socket send RST instead of FIN.
    private static void Reset(HttpContext context)
    {
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is not null)
        {
            try
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception error) when (error is SocketException or ObjectDisposedException)
            {
            }
        }

        context.Abort();
    }

    private static void PrepareHeaders(HttpContext context, GraphResponse response)
    {
        context.Response.StatusCode = response.Status;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers.Append(name, value);
        }
    }

    private static Task WriteAsync(HttpContext context, GraphResponse response)
    {
        PrepareHeaders(context, response);
        if (response.Body is null)
        {
            return Task.CompletedTask;
        }

        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        return context.Response.Body.WriteAsync(response.Body, context.RequestAborted).AsTask();
    }
}
