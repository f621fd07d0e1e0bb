using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.Faults;
using ProfilePositions.Sandbox.Graph;
using ProfilePositions.Sandbox.Identity;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Admin;

/// <summary>The <c>/_sandbox/*</c> routes: health, stats, users, tokens, state, journal, fault rules, penalty mode and identity.</summary>
internal sealed class AdminEndpoints(int seed, PositionStore store, TokenService tokens, FaultEngine faults, ThrottleModel? throttle, RequestJournal journal, IdentityAdmin identity, IdentitySettings identitySettings)
{
    public async Task<GraphResponse> HandleAsync(HttpContext context, string requestId, string clientRequestId)
    {
        var request = context.Request;
        var path = request.Path.Value!["/_sandbox".Length..].TrimEnd('/').ToLowerInvariant();
        var method = request.Method.ToUpperInvariant();
        GraphResponse Error(int status, string code, string message) => ODataErrors.Create(status, code, message, requestId, clientRequestId);
        GraphResponse NotAllowed() => Error(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");

        switch (path)
        {
            case "/health":
                return method == "GET" ? Health() : NotAllowed();
            case "/shutdown":
                if (method != "POST")
                {
                    return NotAllowed();
                }

                // Stops as Ctrl+C does (the store is closed, a temporary certificate folder removed) once this answer is sent.
                context.RequestServices.GetRequiredService<IHostApplicationLifetime>().StopApplication();
                return new GraphResponse(202);
            case "/stats":
                return method == "GET" ? Stats() : NotAllowed();
            case "/users":
                return method == "GET" ? Json(writer =>
                {
                    writer.WriteStartArray();
                    foreach (var user in store.State.Users)
                    {
                        TenantState.WriteUser(writer, user);
                    }

                    writer.WriteEndArray();
                }) : NotAllowed();
            case "/token":
                return method == "GET" ? Token(request.Query, Error) : NotAllowed();
            case "/state":
                return method == "GET" ? Json(writer => store.State.WriteTo(writer)) : NotAllowed();
            case "/state/reset":
                if (method != "POST")
                {
                    return NotAllowed();
                }

                store.Reset();
                faults.Reset();
                throttle?.Reset();
                journal.Clear();
                identitySettings.Reset();
                return Health();
            case "/requests":
                if (method == "DELETE")
                {
                    journal.Clear();
                    return new GraphResponse(204);
                }

                return method == "GET" ? Json(writer => RequestJournal.Write(writer, journal.Snapshot())) : NotAllowed();
            case "/faults":
                switch (method)
                {
                    case "GET":
                        return Node(faults.RulesToJson());
                    case "DELETE":
                        faults.Clear();
                        return new GraphResponse(204);
                    case "POST":
                        var (body, bodyError) = await ReadJsonAsync(request).ConfigureAwait(false);
                        if (bodyError is not null)
                        {
                            return Error(400, "BadRequest", bodyError);
                        }

                        try
                        {
                            var added = faults.Add(body);
                            return Node(new JsonArray(added.Select(rule => (JsonNode?)rule.ToJson()).ToArray()));
                        }
                        catch (FormatException error)
                        {
                            return Error(400, "BadRequest", error.Message);
                        }

                    default:
                        return NotAllowed();
                }

            case "/penalty":
                if (method == "GET")
                {
                    return Node(new JsonObject { ["enabled"] = faults.PenaltyEnabled, ["violations"] = faults.Violations });
                }

                if (method != "POST")
                {
                    return NotAllowed();
                }

                var (penalty, penaltyError) = await ReadJsonAsync(request).ConfigureAwait(false);
                if (penaltyError is not null || penalty?["enabled"] is not JsonValue enabled || enabled.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return Error(400, "BadRequest", penaltyError ?? "Expected {\"enabled\": true|false}.");
                }

                faults.PenaltyEnabled = enabled.GetValue<bool>();
                return Node(new JsonObject { ["enabled"] = faults.PenaltyEnabled, ["violations"] = faults.Violations });
        }

        if (path.StartsWith("/identity/", StringComparison.Ordinal)
            && await identity.HandleAsync(request, path, method, Error).ConfigureAwait(false) is { } identityResponse)
        {
            return identityResponse;
        }

        if (path.StartsWith("/faults/", StringComparison.Ordinal))
        {
            if (method != "DELETE")
            {
                return NotAllowed();
            }

            var id = Uri.UnescapeDataString(request.Path.Value!["/_sandbox/faults/".Length..].TrimEnd('/'));
            return faults.Remove(id) ? new GraphResponse(204) : Error(404, "itemNotFound", $"No fault rule has the id '{id}'.");
        }

        return Error(404, "BadRequest", ODataErrors.InvalidRequestMessage);
    }

    private GraphResponse Health() => Json(writer =>
    {
        var state = store.State;
        writer.WriteStartObject();
        writer.WriteString("status", "ok");
        writer.WriteNumber("seed", seed);
        writer.WriteNumber("pid", Environment.ProcessId);
        writer.WriteNumber("violations", faults.Violations);
        writer.WriteNumber("throttled", throttle?.Throttled ?? 0);
        writer.WriteNumber("positions", state.PositionCount());
        writer.WriteNumber("users", state.Users.Count);
        writer.WriteBoolean("penalty", faults.PenaltyEnabled);
        writer.WriteEndObject();
    });

    // Throttling and penalty figures, for tests that assert a client stayed within its budget.
    private GraphResponse Stats() => Json(writer =>
    {
        writer.WriteStartObject();
        if (throttle is null)
        {
            writer.WriteNull("throttle");
        }
        else
        {
            writer.WriteStartObject("throttle");
            writer.WriteNumber("limit", throttle.Limit);
            writer.WriteNumber("seconds", throttle.Seconds);
            writer.WriteEndObject();
        }

        writer.WriteNumber("throttled", throttle?.Throttled ?? 0);
        writer.WriteBoolean("penalty", faults.PenaltyEnabled);
        writer.WriteNumber("violations", faults.Violations);
        writer.WriteEndObject();
    });

    private GraphResponse Token(IQueryCollection query, Func<int, string, string, GraphResponse> error)
    {
        var appOnly = query.TryGetValue("app", out var app) && bool.TryParse(app.ToString(), out var isApp) && isApp;
        var userKey = query["user"].ToString();
        TenantUser? user = null;
        if (userKey.Length > 0)
        {
            user = store.State.FindUser(userKey);
            if (user is null)
            {
                return error(404, "Request_ResourceNotFound", $"Resource '{userKey}' does not exist or one of its queried reference-property objects are not present.");
            }
        }
        else if (!appOnly)
        {
            return error(400, "BadRequest", "Query parameter 'user' (a userPrincipalName or object id) is required for a delegated token.");
        }

        var scopeText = query.TryGetValue("scopes", out var scopes) ? scopes.ToString() : "User.ReadWrite";
        var scopeList = scopeText.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var lifetime = 3600;
        if (query.TryGetValue("lifetime", out var lifetimeText)
            && !int.TryParse(lifetimeText.ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out lifetime))
        {
            return error(400, "BadRequest", $"Query parameter 'lifetime' must be an integer number of seconds, not '{lifetimeText}'.");
        }

        var audience = query.TryGetValue("audience", out var audienceText) ? audienceText.ToString() : null;
        var (token, expiresOn) = tokens.Mint(user, scopeList, appOnly, lifetime, audience);
        return Json(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("access_token", token);
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_on", expiresOn);
            writer.WriteEndObject();
        });
    }

    private static async Task<(JsonNode? Body, string? Error)> ReadJsonAsync(HttpRequest request)
    {
        try
        {
            return (await JsonNode.ParseAsync(request.Body).ConfigureAwait(false), null);
        }
        catch (JsonException error)
        {
            return (null, $"The request body is not valid JSON: {error.Message}");
        }
    }

    private static GraphResponse Node(JsonNode node) => new(200, SandboxJson.Serialize(node));

    private static GraphResponse Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, SandboxJson.WriterOptions))
        {
            write(writer);
        }

        return new GraphResponse(200, buffer.WrittenSpan.ToArray());
    }
}
