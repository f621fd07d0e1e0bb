using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Binding
{
    /// <summary>
    /// -InputObject, the identity of Microsoft's *ViaIdentity parameter sets: an object or dictionary with UserId (or
    /// UserPrincipalName, UPN) and WorkPositionId or Id, or a WorkPosition from this module. Id names the position only
    /// beside a UserId member (or on a WorkPosition): a user object from Get-MgUser carries its own Id, which must never
    /// be taken for a position's.
    /// </summary>
    internal sealed class CommandLineIdentity
    {
        private CommandLineIdentity(string userId, string? positionId)
        {
            UserId = userId;
            PositionId = positionId;
        }

        public string UserId { get; }

        /// <summary>The position the identity names, or null when it names a user only.</summary>
        public string? PositionId { get; }

        /// <summary>Reads -InputObject; throws PositionInputException (InputObjectInvalid) when it names no user.</summary>
        public static CommandLineIdentity Read(PSObject input)
        {
            if (input.BaseObject is string)
            {
                throw Invalid("-InputObject takes an object or hashtable with UserId (and WorkPositionId), such as @{ UserId = 'adele@contoso.com'; WorkPositionId = '...' } or a position from Get-ProfilePosition; for a user alone give -UserId.");
            }

            var isPosition = InputShapes.IsModuleOutput(input);
            var members = Members(input);
            var hasUserIdMember = members.ContainsKey("UserId");
            var user = Text(members, "UserId") ?? Text(members, "UserPrincipalName") ?? Text(members, "UPN");
            if (user == null)
            {
                throw Invalid("-InputObject names no user: give it a UserId (or UserPrincipalName) member, as in @{ UserId = 'adele@contoso.com'; WorkPositionId = '...' }.");
            }

            var position = Text(members, "WorkPositionId") ?? (isPosition || hasUserIdMember ? Text(members, "Id") : null);
            return new CommandLineIdentity(user, position);
        }

        private static PositionInputException Invalid(string message) => new PositionInputException("InputObject", message, "InputObjectInvalid");

        private static Dictionary<string, object?> Members(PSObject input)
        {
            var members = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            var listed = InputShapes.Members(input);
            if (listed != null)
            {
                foreach (var member in listed)
                {
                    members[member.Key.Trim()] = member.Value;
                }

                return members;
            }

            foreach (var name in new[] { "UserId", "UserPrincipalName", "UPN", "WorkPositionId", "Id" })
            {
                try
                {
                    var property = input.Properties[name];
                    if (property != null)
                    {
                        members[name] = property.Value;
                    }
                }
                catch (GetValueException)
                {
                }
            }

            return members;
        }

        private static string? Text(Dictionary<string, object?> members, string name)
        {
            if (!members.TryGetValue(name, out var raw))
            {
                return null;
            }

            var value = PlainValue.From(raw);
            var text = value == null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
            return string.IsNullOrEmpty(text) ? null : text;
        }
    }
}
