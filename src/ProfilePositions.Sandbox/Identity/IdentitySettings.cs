using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.Identity;

/// <summary>
/// Lifetimes of what the sign-in flows issue, changeable at run time through <c>/_sandbox/identity/settings</c> so a
/// test can make tokens expire mid-run. A state reset restores the start-up values.
/// </summary>
internal sealed class IdentitySettings
{
    private readonly SandboxOptions _options;
    private readonly object _lock = new();
    private Values _values;

    public IdentitySettings(SandboxOptions options)
    {
        _options = options;
        _values = Initial(options);
    }

    /// <summary>One consistent set of values; a change replaces the whole set.</summary>
    public sealed record Values(int TokenLifetime, int RefreshTokenLifetime, int RefreshGrace, int DeviceCodeLifetime, int DeviceCodeInterval);

    public Values Current => Volatile.Read(ref _values);

    public void Reset() => Volatile.Write(ref _values, Initial(_options));

    /// <summary>Applies the members present in <paramref name="body"/>.</summary>
    /// <exception cref="FormatException">A member is unknown or out of range.</exception>
    public Values Update(JsonObject body)
    {
        lock (_lock)
        {
            var next = Current;
            foreach (var (name, value) in body)
            {
                next = name switch
                {
                    "tokenLifetime" => next with { TokenLifetime = Seconds(name, value, 1, 30 * 24 * 3600) },
                    "refreshTokenLifetime" => next with { RefreshTokenLifetime = Seconds(name, value, 1, 3650 * 24 * 3600) },
                    "refreshGrace" => next with { RefreshGrace = Seconds(name, value, 0, 24 * 3600) },
                    "deviceCodeLifetime" => next with { DeviceCodeLifetime = Seconds(name, value, 1, 24 * 3600) },
                    "deviceCodeInterval" => next with { DeviceCodeInterval = Seconds(name, value, 1, 60) },
                    _ => throw new FormatException($"Unknown identity setting '{name}'. Known: tokenLifetime, refreshTokenLifetime, refreshGrace, deviceCodeLifetime, deviceCodeInterval (seconds)."),
                };
            }

            Volatile.Write(ref _values, next);
            return next;
        }
    }

    public static JsonObject ToJson(Values values) => new()
    {
        ["tokenLifetime"] = values.TokenLifetime,
        ["refreshTokenLifetime"] = values.RefreshTokenLifetime,
        ["refreshGrace"] = values.RefreshGrace,
        ["deviceCodeLifetime"] = values.DeviceCodeLifetime,
        ["deviceCodeInterval"] = values.DeviceCodeInterval,
    };

    // Device codes live 15 minutes as Entra's do; the poll interval is 1 s (Entra says 5) so tests wait less.
    private static Values Initial(SandboxOptions options) =>
        new(options.TokenLifetimeSeconds, options.RefreshTokenLifetimeSeconds, options.RefreshTokenGraceSeconds, 900, 1);

    private static int Seconds(string name, JsonNode? value, int min, int max)
    {
        if (value is JsonValue number && number.TryGetValue<int>(out var seconds) && seconds >= min && seconds <= max)
        {
            return seconds;
        }

        throw new FormatException($"Identity setting '{name}' needs a whole number of seconds between {min} and {max}, not {value?.ToJsonString() ?? "null"}.");
    }
}
