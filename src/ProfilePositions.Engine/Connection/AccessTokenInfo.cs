using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// What a JWT access token says about itself, read from its payload without validating it (Graph validates).
    /// </summary>
    public sealed class AccessTokenInfo
    {
        private AccessTokenInfo()
        {
        }

        public string? Account { get; private set; }

        public string? TenantId { get; private set; }

        /// <summary>The upn claim alone: the name Graph knows the user by (preferred_username and email may differ).</summary>
        public string? UserPrincipalName { get; private set; }

        /// <summary>
        /// A guest's token: acct is 1, or idp names another identity provider than the issuer. Its upn (when there is one)
        /// is the home account's, not the #EXT# name the tenant knows the guest by.
        /// </summary>
        public bool IsGuest { get; private set; }

        /// <summary>The signed-in user's object id (oid): /me, the UPN and this id are one profile.</summary>
        public string? ObjectId { get; private set; }

        public string? ClientId { get; private set; }

        public string? Audience { get; private set; }

        /// <summary>Delegated scopes (scp), in the token's order.</summary>
        public IReadOnlyList<string> Scopes { get; private set; } = Array.Empty<string>();

        /// <summary>Application permissions (roles).</summary>
        public IReadOnlyList<string> Roles { get; private set; } = Array.Empty<string>();

        public DateTimeOffset? ExpiresOn { get; private set; }

        /// <summary>An application token: roles and no scp. The profile API supports delegated tokens only.</summary>
        public bool IsAppOnly => Scopes.Count == 0 && Roles.Count > 0;

        /// <summary>Decodes the payload; throws ConnectionException when the text is not a JWT.</summary>
        public static AccessTokenInfo Decode(string? token)
        {
            var text = Clean(token);
            var parts = text.Split('.');
            if (parts.Length != 3 || parts[1].Length == 0)
            {
                throw new ConnectionException("InvalidAccessToken", "The access token is not a JWT (expected three base64url parts separated by dots). Pass the access token itself, not an ID token, a refresh token or a whole HTTP header.");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            }
            catch (Exception ex) when (ex is FormatException || ex is JsonException || ex is ArgumentException)
            {
                throw new ConnectionException("InvalidAccessToken", "The access token is not a JWT: its payload is not base64url-encoded JSON.");
            }

            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ConnectionException("InvalidAccessToken", "The access token is not a JWT: its payload is not a JSON object.");
                }

                var root = document.RootElement;
                var info = new AccessTokenInfo
                {
                    Account = Text(root, "upn") ?? Text(root, "preferred_username") ?? Text(root, "unique_name") ?? Text(root, "email"),
                    TenantId = Text(root, "tid"),
                    ObjectId = Text(root, "oid"),
                    ClientId = Text(root, "appid") ?? Text(root, "azp"),
                    Audience = Text(root, "aud"),
                    Scopes = Split(Text(root, "scp")),
                    Roles = Strings(root, "roles"),
                    UserPrincipalName = Text(root, "upn"),
                    IsGuest = IsGuestToken(root),
                };

                if (root.TryGetProperty("exp", out var exp))
                {
                    if (exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out var seconds))
                    {
                        info.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(seconds);
                    }
                    else if (exp.ValueKind == JsonValueKind.String && long.TryParse(exp.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fromText))
                    {
                        info.ExpiresOn = DateTimeOffset.FromUnixTimeSeconds(fromText);
                    }
                }

                return info;
            }
        }

        /// <summary>Trims whitespace and a pasted "Bearer " prefix; refuses characters that would break an HTTP header.</summary>
        internal static string Clean(string? token)
        {
            var text = (token ?? string.Empty).Trim();
            if (text.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                text = text.Substring("Bearer ".Length).Trim();
            }

            if (text.Length == 0)
            {
                throw new ConnectionException("InvalidAccessToken", "The access token is empty: pass the JWT access token itself.");
            }

            foreach (var c in text)
            {
                if (c < 0x21 || c > 0x7E)
                {
                    throw new ConnectionException("InvalidAccessToken", "The access token contains spaces, line breaks or other characters a JWT cannot contain.");
                }
            }

            return text;
        }

        private static byte[] Base64UrlDecode(string value)
        {
            var base64 = value.Replace('-', '+').Replace('_', '/');
            switch (base64.Length % 4)
            {
                case 2: base64 += "=="; break;
                case 3: base64 += "="; break;
                case 1: throw new FormatException("Invalid base64url length.");
            }

            return Convert.FromBase64String(base64);
        }

        private static bool IsGuestToken(JsonElement root)
        {
            if (root.TryGetProperty("acct", out var acct) &&
                ((acct.ValueKind == JsonValueKind.Number && acct.TryGetInt32(out var kind) && kind == 1) || (acct.ValueKind == JsonValueKind.String && acct.GetString() == "1")))
            {
                return true;
            }

            var idp = Text(root, "idp");
            return idp != null && !string.Equals(idp.TrimEnd('/'), (Text(root, "iss") ?? string.Empty).TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
        }

        private static string? Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0 ? value.GetString() : null;

        private static IReadOnlyList<string> Split(string? text) =>
            string.IsNullOrWhiteSpace(text) ? Array.Empty<string>() : text!.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);

        private static IReadOnlyList<string> Strings(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var value))
            {
                return Array.Empty<string>();
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                return Split(value.GetString());
            }

            var list = new List<string>();
            if (value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String)
                    {
                        list.Add(item.GetString()!);
                    }
                }
            }

            return list;
        }
    }
}
