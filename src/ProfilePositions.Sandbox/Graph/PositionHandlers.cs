using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>The five workPosition operations, after routing, authentication and user lookup have passed.</summary>
internal sealed class PositionHandlers(PositionStore store, SandboxOptions options)
{
    private static readonly byte[] ContextPrefix = "{\"@odata.context\":"u8.ToArray();

    public GraphResponse List(GraphRequest request, TenantUser user)
    {
        var (query, error) = ODataQuery.Parse(request.RawQuery, QueryScope.Collection);
        if (query is null)
        {
            return ODataErrors.BadRequest(error!, request);
        }

        var (page, skipToken, total) = store.State.PositionsOf(user).Read(items => query.Apply(items, options.PageSize));
        var buffer = new ArrayBufferWriter<byte>(256 + (page.Count * 1024));
        using (var writer = new Utf8JsonWriter(buffer, SandboxJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", ContextUrl(request, user, query.Select, entity: false));
            if (total is { } count)
            {
                writer.WriteNumber("@odata.count", count);
            }

            writer.WriteStartArray("value");
            foreach (var position in page)
            {
                writer.WriteRawValue(Project(position, query.Select), skipInputValidation: true);
            }

            writer.WriteEndArray();
            if (skipToken is not null)
            {
                writer.WriteString("@odata.nextLink", NextLink(request, query, skipToken));
            }

            writer.WriteEndObject();
        }

        return new GraphResponse(200, buffer.WrittenSpan.ToArray());
    }

    public GraphResponse Get(GraphRequest request, TenantUser user, string id)
    {
        var (query, error) = ODataQuery.Parse(request.RawQuery, QueryScope.Single);
        if (query is null)
        {
            return ODataErrors.BadRequest(error!, request);
        }

        var position = store.State.PositionsOf(user).Find(id);
        if (position is null)
        {
            return ODataErrors.PositionNotFound(id, request);
        }

        return new GraphResponse(200, WithContext(Project(position, query.Select), ContextUrl(request, user, query.Select, entity: true)));
    }

    /// <summary><c>GET .../positions/$count</c>: the number of positions matching <c>$filter</c>, as <c>text/plain</c>.</summary>
    public GraphResponse Count(GraphRequest request, TenantUser user)
    {
        var (query, error) = ODataQuery.Parse(request.RawQuery, QueryScope.Count);
        if (query is null)
        {
            return ODataErrors.BadRequest(error!, request);
        }

        var count = store.State.PositionsOf(user).Read(query.CountMatching);
        return new GraphResponse(200, Encoding.UTF8.GetBytes(count.ToString(System.Globalization.CultureInfo.InvariantCulture)), GraphResponse.TextContentType);
    }

    public GraphResponse Create(GraphRequest request, TenantUser user, CallerPrincipal caller)
    {
        if (ReadBody(request, out var body) is { } failure)
        {
            return failure;
        }

        var created = store.Create(user, (id, timestamp) =>
        {
            var position = PositionSchema.Normalize(body);
            position["id"] = id;
            position["allowedAudiences"] ??= "organization";
            position["createdDateTime"] = timestamp;
            position["createdBy"] = Identity(caller);
            position["lastModifiedDateTime"] = timestamp;
            position["lastModifiedBy"] = Identity(caller);
            return position;
        });

        return new GraphResponse(201, WithContext(created.Json, ContextUrl(request, user, select: null, entity: true)))
            .WithHeader("Location", $"{request.BaseAddress}/beta/users/{user.Id}/profile/positions/{created.Id}");
    }

    public GraphResponse Update(GraphRequest request, TenantUser user, string id, CallerPrincipal caller)
    {
        if (ReadBody(request, out var body) is { } failure)
        {
            return failure;
        }

        var updated = store.Update(user, id, (existing, timestamp) =>
        {
            PositionSchema.Merge(existing, body);
            existing["lastModifiedDateTime"] = timestamp;
            existing["lastModifiedBy"] = Identity(caller);
            return PositionSchema.Normalize(existing);
        });

        return updated is null
            ? ODataErrors.PositionNotFound(id, request)
            : new GraphResponse(200, WithContext(updated.Json, ContextUrl(request, user, select: null, entity: true)));
    }

    public GraphResponse Delete(GraphRequest request, TenantUser user, string id) =>
        store.Delete(user, id) ? new GraphResponse(204) : ODataErrors.PositionNotFound(id, request);

    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase);
    }

    private GraphResponse? ReadBody(GraphRequest request, out JsonObject body)
    {
        body = null!;
        if (request.HasBody && !IsJson(request.ContentType))
        {
            return ODataErrors.Create(415, "UnsupportedMediaType",
                $"Content-Type '{request.ContentType ?? "(none)"}' is not supported; send the body as application/json.", request);
        }

        JsonNode? node;
        try
        {
            node = request.HasBody ? JsonNode.Parse(request.Body, SandboxJson.NodeOptions) : null;
        }
        catch (JsonException error)
        {
            return ODataErrors.BadRequest($"The request body is not valid JSON: {error.Message}", request);
        }

        if (!request.HasBody)
        {
            return ODataErrors.BadRequest("The request body is empty; a microsoft.graph.workPosition JSON object is required.", request);
        }

        if (PositionSchema.Validate(node, options.Loose) is { } message)
        {
            return ODataErrors.BadRequest(message, request);
        }

        body = node!.AsObject();
        return null;
    }

    /// <summary>
    /// OData's context URL: the positions of the user, with the <c>$select</c> list in parentheses when there is one,
    /// and <c>/$entity</c> for a single position (GET of one, POST, PATCH).
    /// </summary>
    private static string ContextUrl(GraphRequest request, TenantUser user, IReadOnlyList<PositionSchema.ResolvedPath>? select, bool entity)
    {
        var projection = select is null ? string.Empty : $"({string.Join(',', select.Select(path => path.Path))})";
        return $"{request.BaseAddress}/beta/$metadata#users('{user.Id}')/profile/positions{projection}{(entity ? "/$entity" : string.Empty)}";
    }

    // Splices "@odata.context" in front of the stored members instead of re-serialising the object.
    private static byte[] WithContext(byte[] members, string contextUrl)
    {
        var context = JsonSerializer.SerializeToUtf8Bytes(contextUrl, SandboxJson.Options);
        var empty = members.Length == 2;
        var body = new byte[ContextPrefix.Length + context.Length + members.Length - (empty ? 1 : 0)];
        ContextPrefix.CopyTo(body, 0);
        context.CopyTo(body, ContextPrefix.Length);
        var at = ContextPrefix.Length + context.Length;
        if (!empty)
        {
            body[at++] = (byte)',';
        }

        members.AsSpan(1).CopyTo(body.AsSpan(at));
        return body;
    }

    /// <summary>
    /// <c>$select</c>: <c>id</c> and the selected members only; a nested path such as <c>detail/jobTitle</c> keeps
    /// <c>detail</c> with just that member (OData's select of complex properties).
    /// </summary>
    private static byte[] Project(StoredPosition position, IReadOnlyList<PositionSchema.ResolvedPath>? select)
    {
        if (select is null)
        {
            return position.Json;
        }

        var tree = new SelectNode();
        foreach (var path in select)
        {
            tree.Add(path.Segments);
        }

        var projected = tree.Apply(position.ToJsonObject(), keepId: true);
        return SandboxJson.Serialize(projected);
    }

    private static string NextLink(GraphRequest request, ODataQuery query, string skipToken)
    {
        var link = new StringBuilder(request.BaseAddress).Append(request.RawPath).Append('?');
        foreach (var (name, value) in query.CarriedOptions)
        {
            link.Append(name).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }

        return link.Append("$skiptoken=").Append(skipToken).ToString();
    }

    private static JsonObject Identity(CallerPrincipal caller) => new()
    {
        ["application"] = null,
        ["device"] = null,
        ["user"] = new JsonObject
        {
            ["displayName"] = caller.DisplayName,
            ["id"] = caller.ObjectId,
        },
    };

    private sealed class SelectNode
    {
        private readonly Dictionary<string, SelectNode> _children = new(StringComparer.Ordinal);
        private bool _whole;

        public void Add(IReadOnlyList<string> segments)
        {
            var node = this;
            foreach (var segment in segments)
            {
                if (!node._children.TryGetValue(segment, out var child))
                {
                    node._children[segment] = child = new SelectNode();
                }

                node = child;
            }

            node._whole = true;
        }

        public JsonObject Apply(JsonObject source, bool keepId)
        {
            var result = new JsonObject();
            foreach (var (name, value) in source)
            {
                if (keepId && name == "id")
                {
                    result[name] = value?.DeepClone();
                }
                else if (_children.TryGetValue(name, out var child))
                {
                    result[name] = child._whole || value is not JsonObject nested ? value?.DeepClone() : child.Apply(nested, keepId: false);
                }
            }

            return result;
        }
    }
}
