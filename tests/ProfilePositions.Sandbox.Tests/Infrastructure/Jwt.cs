using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>Reads a JWT's header and claims without checking anything (tests look at what the sandbox issued).</summary>
public static class Jwt
{
    public static (JsonObject Header, JsonObject Claims) Decode(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        return (JsonNode.Parse(FromBase64Url(parts[0]))!.AsObject(), JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject());
    }

    public static JsonObject Claims(string jwt) => Decode(jwt).Claims;

    public static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }
}
