using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.State;

/// <summary>Users and their positions. The user set is fixed for the life of one state; reset swaps the whole state.</summary>
internal sealed class TenantState
{
    private readonly Dictionary<string, TenantUser> _byId;
    private readonly Dictionary<string, TenantUser> _byUpn;
    private readonly Dictionary<string, UserPositions> _positions;

    public TenantState(IReadOnlyList<TenantUser> users)
    {
        Users = users;
        _byId = new Dictionary<string, TenantUser>(StringComparer.OrdinalIgnoreCase);
        _byUpn = new Dictionary<string, TenantUser>(StringComparer.OrdinalIgnoreCase);
        _positions = new Dictionary<string, UserPositions>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            _byId[user.Id] = user;
            _byUpn[user.UserPrincipalName] = user;
            _positions[user.Id] = new UserPositions();
        }
    }

    public IReadOnlyList<TenantUser> Users { get; }

    /// <summary>Object ids match exactly (Graph treats GUIDs case-insensitively, which is the same for valid GUIDs); UPNs ignore case.</summary>
    public TenantUser? FindUser(string idOrUpn) =>
        _byId.GetValueOrDefault(idOrUpn) ?? _byUpn.GetValueOrDefault(idOrUpn);

    public UserPositions PositionsOf(TenantUser user) => _positions[user.Id];

    public int PositionCount() => _positions.Values.Sum(positions => positions.Count);

    /// <summary>The JSON form (<c>GET /_sandbox/state</c>, the data file, <c>--export</c>); positions are copied as stored bytes.</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", 1);

        writer.WriteStartArray("users");
        foreach (var user in Users)
        {
            WriteUser(writer, user);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("positions");
        foreach (var user in Users)
        {
            // Users without positions are left out, as a hand-written file would leave them out.
            _positions[user.Id].Read(items =>
            {
                if (items.Count == 0)
                {
                    return 0;
                }

                writer.WriteStartArray(user.Id);
                foreach (var item in items)
                {
                    writer.WriteRawValue(item.Json, skipInputValidation: true);
                }

                writer.WriteEndArray();
                return 0;
            });
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    public static void WriteUser(Utf8JsonWriter writer, TenantUser user)
    {
        writer.WriteStartObject();
        writer.WriteString("id", user.Id);
        writer.WriteString("userPrincipalName", user.UserPrincipalName);
        writer.WriteString("displayName", user.DisplayName);
        writer.WriteEndObject();
    }

    public static JsonObject UserToJson(TenantUser user) => new()
    {
        ["id"] = user.Id,
        ["userPrincipalName"] = user.UserPrincipalName,
        ["displayName"] = user.DisplayName,
    };
}
