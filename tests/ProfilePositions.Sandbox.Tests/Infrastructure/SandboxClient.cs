using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>One HTTP reply, fully read, with the body parsed when it is JSON.</summary>
public sealed class SandboxResponse
{
    public SandboxResponse(HttpResponseMessage message, string text)
    {
        Status = message.StatusCode;
        Headers = message.Headers;
        ContentHeaders = message.Content.Headers;
        Text = text;
        if (text.Length > 0)
        {
            try
            {
                Json = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                Json = null;
            }
        }
    }

    public HttpStatusCode Status { get; }

    public int StatusCode => (int)Status;

    public HttpResponseHeaders Headers { get; }

    public HttpContentHeaders ContentHeaders { get; }

    public string Text { get; }

    public JsonNode? Json { get; }

    public JsonObject Object => Json as JsonObject ?? throw new InvalidOperationException($"Body is not a JSON object: {Text}");

    /// <summary>The raw header value as the server sent it (no parsing, so "2.128" survives).</summary>
    public string? RawHeader(string name)
    {
        if (Headers.NonValidated.TryGetValues(name, out var values))
        {
            return string.Join(",", values);
        }

        return ContentHeaders.NonValidated.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues) : null;
    }

    public override string ToString() => $"{StatusCode} {Text}";
}

public sealed record SandboxUser(string Id, string UserPrincipalName, string DisplayName);

/// <summary>Test-side helper: mints tokens, sends Graph and admin requests over loopback HTTP.</summary>
public sealed class SandboxClient : IDisposable
{
    public const string AdeleUpn = "adele.vance@contoso.com";
    public const string MeganUpn = "megan.bowen@contoso.com";
    public const string GuestUpn = "alex.wilber_fabrikam.com#EXT#@contoso.onmicrosoft.com";
    public const string DollarUpn = "$svc.positions@contoso.com";
    public const string ApostropheUpn = "patrick.o'brien@contoso.com";
    public const string InnocentyUpn = "innocenty.popov@contoso.com";

    private readonly ConcurrentDictionary<string, string> tokenCache = new(StringComparer.Ordinal);
    private IReadOnlyList<SandboxUser>? users;

    public SandboxClient(Uri baseUri)
    {
        BaseUri = baseUri;
        Http = CreateHttpClient(TimeSpan.FromSeconds(60));
    }

    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    /// <summary>A client on its own connection pool, so a transport fault never reuses a pooled connection.</summary>
    public HttpClient CreateHttpClient(TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        return new HttpClient(handler) { BaseAddress = BaseUri, Timeout = timeout };
    }

    public Uri Resolve(string relative) => new(BaseUri, relative.TrimStart('/'));

    public async Task<SandboxResponse> SendAsync(
        HttpMethod method,
        string relative,
        string? token = null,
        string? body = null,
        string? contentType = "application/json",
        IReadOnlyDictionary<string, string>? headers = null,
        HttpClient? client = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, Resolve(relative));
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        }

        if (body is not null)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            request.Content = content;
        }

        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var response = await (client ?? Http).SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return new SandboxResponse(response, text);
    }

    public Task<SandboxResponse> GetAsync(string relative, string? token = null) => SendAsync(HttpMethod.Get, relative, token);

    public Task<SandboxResponse> PostJsonAsync(string relative, string? token, string body) => SendAsync(HttpMethod.Post, relative, token, body);

    public Task<SandboxResponse> PatchJsonAsync(string relative, string? token, string body) => SendAsync(HttpMethod.Patch, relative, token, body);

    public Task<SandboxResponse> DeleteAsync(string relative, string? token) => SendAsync(HttpMethod.Delete, relative, token);

    // ---- admin routes -------------------------------------------------------------------------------

    public async Task ResetAsync()
    {
        var response = await SendAsync(HttpMethod.Post, "_sandbox/state/reset", body: null);
        EnsureSuccess(response, "reset");
    }

    public async Task<JsonObject> HealthAsync()
    {
        var response = await GetAsync("_sandbox/health");
        EnsureSuccess(response, "health");
        return response.Object;
    }

    public async Task<JsonObject> StateAsync()
    {
        var response = await GetAsync("_sandbox/state");
        EnsureSuccess(response, "state");
        return response.Object;
    }

    public async Task<JsonArray> JournalAsync()
    {
        var response = await GetAsync("_sandbox/requests");
        EnsureSuccess(response, "requests");
        return response.Json as JsonArray ?? throw new InvalidOperationException("Journal is not an array: " + response.Text);
    }

    public async Task ClearJournalAsync()
    {
        var response = await SendAsync(HttpMethod.Delete, "_sandbox/requests");
        EnsureSuccess(response, "clear journal");
    }

    /// <summary>Adds one rule (object) or several (array); returns the stored rules with their ids.</summary>
    public async Task<JsonArray> AddFaultsAsync(string rulesJson)
    {
        var response = await PostJsonAsync("_sandbox/faults", null, rulesJson);
        EnsureSuccess(response, "add faults");
        return response.Json as JsonArray ?? new JsonArray(response.Json!.DeepClone());
    }

    public async Task SetPenaltyAsync(bool enabled)
    {
        var response = await PostJsonAsync("_sandbox/penalty", null, enabled ? """{"enabled":true}""" : """{"enabled":false}""");
        EnsureSuccess(response, "penalty");
    }

    public async Task<IReadOnlyList<SandboxUser>> UsersAsync()
    {
        if (users is not null)
        {
            return users;
        }

        var response = await GetAsync("_sandbox/users");
        EnsureSuccess(response, "users");
        users = response.Json!.AsArray()
            .Select(u => new SandboxUser(
                (string)u!["id"]!,
                (string)u["userPrincipalName"]!,
                (string)u["displayName"]!))
            .ToList();
        return users;
    }

    public async Task<SandboxUser> UserAsync(string upn)
    {
        var all = await UsersAsync();
        return all.Single(u => string.Equals(u.UserPrincipalName, upn, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Mints a token; tokens for the default lifetime are cached per user/scope set (the secret is per process).</summary>
    public async Task<string> TokenAsync(
        string user = AdeleUpn,
        string scopes = "User.ReadWrite",
        bool app = false,
        int? lifetimeSeconds = null,
        string? audience = null)
    {
        var query = new StringBuilder("_sandbox/token?user=").Append(Uri.EscapeDataString(user))
            .Append("&scopes=").Append(Uri.EscapeDataString(scopes));
        if (app)
        {
            query.Append("&app=true");
        }

        if (lifetimeSeconds is not null)
        {
            query.Append("&lifetime=").Append(lifetimeSeconds.Value);
        }

        if (audience is not null)
        {
            query.Append("&audience=").Append(Uri.EscapeDataString(audience));
        }

        var key = query.ToString();
        bool cacheable = lifetimeSeconds is null;
        if (cacheable && tokenCache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var response = await GetAsync(key);
        EnsureSuccess(response, "token");
        var token = (string)response.Object["access_token"]!;
        if (cacheable)
        {
            tokenCache[key] = token;
        }

        return token;
    }

    /// <summary>Creates a position through the Graph surface and returns the created object.</summary>
    public async Task<JsonObject> CreatePositionAsync(string userPath, string token, string body)
    {
        var response = await PostJsonAsync($"beta/{userPath}/profile/positions", token, body);
        if (response.Status != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Create failed: {response}");
        }

        return response.Object;
    }

    public static string PositionBody(string jobTitle, bool isCurrent = true, string company = "Contoso") =>
        new JsonObject
        {
            ["detail"] = new JsonObject
            {
                ["jobTitle"] = jobTitle,
                ["company"] = new JsonObject { ["displayName"] = company },
            },
            ["isCurrent"] = isCurrent,
        }.ToJsonString();

    public static void EnsureSuccess(SandboxResponse response, string what)
    {
        if (response.StatusCode is < 200 or > 299)
        {
            throw new InvalidOperationException($"Admin call '{what}' failed: {response}");
        }
    }

    public void Dispose() => Http.Dispose();
}
