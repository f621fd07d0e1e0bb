using System;
using System.Collections.Generic;
using System.Linq;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Sync
{
    /// <summary>One member of a sync key: its Graph path and schema, and the name the user gave.</summary>
    internal sealed class SyncKeyMember
    {
        public SyncKeyMember(string given, IReadOnlyList<string> path, MemberSpec spec)
        {
            Given = given;
            Path = path;
            Spec = spec;
        }

        public string Given { get; }

        /// <summary>Graph names from the position down, such as detail, company, displayName.</summary>
        public IReadOnlyList<string> Path { get; }

        public MemberSpec Spec { get; }

        /// <summary>detail.company.displayName.</summary>
        public string DottedPath => string.Join(".", Path);
    }

    /// <summary>
    /// The members that identify a position for Sync-ProfilePosition (-Key): flat parameter names (JobTitle,
    /// CompanyName, StartMonthYear, Department...) or Graph member paths (detail/company/displayName or
    /// detail.company.displayName), matched case-insensitively. Default: JobTitle, CompanyName, StartMonthYear.
    /// </summary>
    public sealed class SyncKey
    {
        /// <summary>The default key: a promotion (a new title or a new start) is a new position in the profile's history.</summary>
        public static readonly IReadOnlyList<string> DefaultNames = new[] { "JobTitle", "CompanyName", "StartMonthYear" };

        private SyncKey(IReadOnlyList<SyncKeyMember> members)
        {
            Members = members;
        }

        internal IReadOnlyList<SyncKeyMember> Members { get; }

        /// <summary>The key members' Graph paths, dotted, in order.</summary>
        public IReadOnlyList<string> Paths => Members.Select(member => member.DottedPath).ToArray();

        public static SyncKey Default { get; } = Parse(DefaultNames);

        /// <summary>Reads -Key; throws PositionInputException naming a value that is no member of workPosition.</summary>
        public static SyncKey Parse(IEnumerable<string>? names)
        {
            var given = (names ?? DefaultNames).Where(name => name != null).SelectMany(name => name.Split(',')).Select(name => name.Trim()).Where(name => name.Length > 0).ToArray();
            if (given.Length == 0)
            {
                given = DefaultNames.ToArray();
            }

            var members = new List<SyncKeyMember>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in given)
            {
                var member = Resolve(name);
                if (seen.Add(member.DottedPath))
                {
                    members.Add(member);
                }
            }

            return new SyncKey(members);
        }

        /// <summary>The names -Key completes: the flat parameters and the Graph paths of the members that can identify a position.</summary>
        public static IReadOnlyList<string> CompletionNames { get; } = BuildCompletionNames();

        private static SyncKeyMember Resolve(string name)
        {
            var path = PositionBody.MemberPath(name) ?? name.Replace('.', '/');
            var parts = path.Split('/').Select(part => part.Trim()).ToArray();
            var names = new List<string>();
            TypeSpec? type = PositionSchema.WorkPosition;
            MemberSpec? spec = null;
            foreach (var part in parts)
            {
                spec = type?.Find(part);
                if (spec == null)
                {
                    throw Unknown(name);
                }

                names.Add(spec.Name);
                type = spec.Type;
            }

            if (spec == null || spec.ReadOnly || spec.Kind == MemberKind.Object)
            {
                throw Unknown(name);
            }

            return new SyncKeyMember(name, names, spec);
        }

        private static PositionInputException Unknown(string name) => new PositionInputException(
            "Key",
            "-Key '" + name + "' is not a member that can identify a position. Give parameter names such as JobTitle, CompanyName, StartMonthYear, Department or EmployeeId, or Graph member paths such as detail/company/displayName (not a whole object such as detail, and not a read-only member such as id).",
            "SyncKeyUnknown");

        private static IReadOnlyList<string> BuildCompletionNames()
        {
            var names = new List<string>();
            foreach (var parameter in PositionBody.ParameterNames)
            {
                var path = PositionBody.MemberPath(parameter);
                if (path != null && Try(parameter))
                {
                    names.Add(parameter);
                }
            }

            return names;
        }

        private static bool Try(string name)
        {
            try
            {
                Resolve(name);
                return true;
            }
            catch (PositionInputException)
            {
                return false;
            }
        }
    }
}
