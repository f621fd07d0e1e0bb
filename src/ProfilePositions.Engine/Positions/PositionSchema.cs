using System;
using System.Collections.Generic;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>How a member's value is written on the wire (graph-api.md §2).</summary>
    internal enum MemberKind
    {
        String,
        Boolean,
        Int32,
        Double,
        /// <summary>Edm.Date: "yyyy-MM-dd".</summary>
        Date,
        /// <summary>Edm.DateTimeOffset: only server-set members use it.</summary>
        DateTimeOffset,
        Enum,
        FlagsEnum,
        Object,
        ObjectList,
        StringList,
    }

    /// <summary>An enum of the beta schema with its CSDL numeric values, so "8" reads as "organization".</summary>
    internal sealed class EnumSpec
    {
        public EnumSpec(string name, params (string Name, int Value)[] members)
        {
            Name = name;
            _members = members;
        }

        private readonly (string Name, int Value)[] _members;

        public string Name { get; }

        public IReadOnlyList<(string Name, int Value)> Members => _members;

        public string? FindName(string text)
        {
            // Over the array, not the interface, so that a lookup allocates no enumerator.
            foreach (var member in _members)
            {
                if (string.Equals(member.Name, text, StringComparison.OrdinalIgnoreCase))
                {
                    return member.Name;
                }
            }

            return null;
        }

        public string? FindName(int value)
        {
            foreach (var member in _members)
            {
                if (member.Value == value)
                {
                    return member.Name;
                }
            }

            return null;
        }

        public string Describe()
        {
            var names = new List<string>();
            foreach (var member in Members)
            {
                names.Add(member.Name);
            }

            return string.Join(", ", names);
        }
    }

    internal sealed class MemberSpec
    {
        public MemberSpec(string name, MemberKind kind, TypeSpec? type = null, EnumSpec? enumSpec = null, bool readOnly = false)
        {
            Name = name;
            Kind = kind;
            Type = type;
            Enum = enumSpec;
            ReadOnly = readOnly;
        }

        public string Name { get; }

        public MemberKind Kind { get; }

        /// <summary>The element type of Object and ObjectList members.</summary>
        public TypeSpec? Type { get; }

        public EnumSpec? Enum { get; }

        /// <summary>Server-managed: never sent.</summary>
        public bool ReadOnly { get; }
    }

    /// <summary>One complex or entity type of the beta slice: its members and how to make its model object.</summary>
    internal sealed class TypeSpec
    {
        private readonly Dictionary<string, MemberSpec> _byName = new Dictionary<string, MemberSpec>(StringComparer.OrdinalIgnoreCase);
        private readonly List<MemberSpec> _members = new List<MemberSpec>();

        public TypeSpec(string graphName, Func<GraphObject> create, Func<System.Collections.IList> createList)
        {
            GraphName = graphName;
            Create = create;
            CreateList = createList;
        }

        public string GraphName { get; }

        public Func<GraphObject> Create { get; }

        /// <summary>Makes the typed GraphList of this type, so the models' typed views see the items.</summary>
        public Func<System.Collections.IList> CreateList { get; }

        public IReadOnlyList<MemberSpec> Members => _members;

        public void Add(MemberSpec member)
        {
            _members.Add(member);
            _byName[member.Name] = member;
        }

        /// <summary>Case-insensitive: keys from hashtables and CSV headers rarely match Graph's camelCase.</summary>
        public MemberSpec? Find(string name) => _byName.TryGetValue(name, out var member) ? member : null;
    }

    /// <summary>The beta workPosition schema (graph-api.md §2), one place for input checking and lenient reading.</summary>
    internal static class PositionSchema
    {
        public static readonly EnumSpec AllowedAudiences = new EnumSpec(
            "allowedAudiences",
            ("me", 0), ("family", 1), ("contacts", 2), ("groupMembers", 4), ("organization", 8), ("federatedOrganizations", 16), ("everyone", 32), ("unknownFutureValue", 64));

        public static readonly EnumSpec PhysicalAddressType = new EnumSpec(
            "physicalAddressType",
            ("unknown", 0), ("home", 1), ("business", 2), ("other", 3));

        public static readonly EnumSpec PersonRelationship = new EnumSpec(
            "personRelationship",
            ("manager", 0), ("colleague", 1), ("directReport", 2), ("dotLineReport", 3), ("assistant", 4), ("dotLineManager", 5), ("alternateContact", 6),
            ("friend", 7), ("spouse", 8), ("sibling", 9), ("child", 10), ("parent", 11), ("sponsor", 12), ("emergencyContact", 13), ("other", 14), ("unknownFutureValue", 15));

        public static readonly TypeSpec Identity = new TypeSpec("identity", () => new Identity(), () => new GraphList<Identity>());
        public static readonly TypeSpec IdentitySet = new TypeSpec("identitySet", () => new IdentitySet(), () => new GraphList<IdentitySet>());
        public static readonly TypeSpec PhysicalAddress = new TypeSpec("physicalAddress", () => new PhysicalAddress(), () => new GraphList<PhysicalAddress>());
        public static readonly TypeSpec CompanyDetail = new TypeSpec("companyDetail", () => new CompanyDetail(), () => new GraphList<CompanyDetail>());
        public static readonly TypeSpec PositionDetail = new TypeSpec("positionDetail", () => new PositionDetail(), () => new GraphList<PositionDetail>());
        public static readonly TypeSpec RelatedPerson = new TypeSpec("relatedPerson", () => new RelatedPerson(), () => new GraphList<RelatedPerson>());
        public static readonly TypeSpec InferenceData = new TypeSpec("inferenceData", () => new InferenceData(), () => new GraphList<InferenceData>());
        public static readonly TypeSpec PersonDataSources = new TypeSpec("personDataSources", () => new PersonDataSources(), () => new GraphList<PersonDataSources>());
        public static readonly TypeSpec ProfileSourceAnnotation = new TypeSpec("profileSourceAnnotation", () => new ProfileSourceAnnotation(), () => new GraphList<ProfileSourceAnnotation>());
        public static readonly TypeSpec WorkPosition = new TypeSpec("workPosition", () => new WorkPosition(), () => new GraphList<WorkPosition>());

        static PositionSchema()
        {
            Identity.Add(new MemberSpec("displayName", MemberKind.String));
            Identity.Add(new MemberSpec("id", MemberKind.String));

            IdentitySet.Add(new MemberSpec("application", MemberKind.Object, Identity));
            IdentitySet.Add(new MemberSpec("device", MemberKind.Object, Identity));
            IdentitySet.Add(new MemberSpec("user", MemberKind.Object, Identity));

            // Member order follows the docs' JSON, so an unordered hashtable is sent in the order the docs show.
            PhysicalAddress.Add(new MemberSpec("type", MemberKind.Enum, enumSpec: PhysicalAddressType));
            foreach (var name in new[] { "postOfficeBox", "street", "city", "state", "countryOrRegion", "postalCode" })
            {
                PhysicalAddress.Add(new MemberSpec(name, MemberKind.String));
            }

            foreach (var name in new[] { "displayName", "pronunciation", "department", "secondaryDepartment", "companyCode", "costCenter", "division", "officeLocation" })
            {
                CompanyDetail.Add(new MemberSpec(name, MemberKind.String));
            }

            CompanyDetail.Add(new MemberSpec("address", MemberKind.Object, PhysicalAddress));
            CompanyDetail.Add(new MemberSpec("webUrl", MemberKind.String));

            PositionDetail.Add(new MemberSpec("company", MemberKind.Object, CompanyDetail));
            PositionDetail.Add(new MemberSpec("description", MemberKind.String));
            PositionDetail.Add(new MemberSpec("employeeId", MemberKind.String));
            PositionDetail.Add(new MemberSpec("employeeType", MemberKind.String));
            PositionDetail.Add(new MemberSpec("endMonthYear", MemberKind.Date));
            PositionDetail.Add(new MemberSpec("jobTitle", MemberKind.String));
            PositionDetail.Add(new MemberSpec("layer", MemberKind.Int32));
            PositionDetail.Add(new MemberSpec("level", MemberKind.String));
            PositionDetail.Add(new MemberSpec("role", MemberKind.String));
            PositionDetail.Add(new MemberSpec("secondaryJobTitle", MemberKind.String));
            PositionDetail.Add(new MemberSpec("secondaryRole", MemberKind.String));
            PositionDetail.Add(new MemberSpec("startMonthYear", MemberKind.Date));
            PositionDetail.Add(new MemberSpec("summary", MemberKind.String));

            RelatedPerson.Add(new MemberSpec("displayName", MemberKind.String));
            RelatedPerson.Add(new MemberSpec("relationship", MemberKind.Enum, enumSpec: PersonRelationship));
            RelatedPerson.Add(new MemberSpec("userId", MemberKind.String));
            RelatedPerson.Add(new MemberSpec("userPrincipalName", MemberKind.String));

            InferenceData.Add(new MemberSpec("confidenceScore", MemberKind.Double));
            InferenceData.Add(new MemberSpec("userHasVerifiedAccuracy", MemberKind.Boolean));

            // Metadata says Collection(Edm.String); older docs say a single string: both are read, a list is sent.
            PersonDataSources.Add(new MemberSpec("type", MemberKind.StringList));

            ProfileSourceAnnotation.Add(new MemberSpec("isDefaultSource", MemberKind.Boolean));
            ProfileSourceAnnotation.Add(new MemberSpec("properties", MemberKind.StringList));
            ProfileSourceAnnotation.Add(new MemberSpec("sourceId", MemberKind.String));

            WorkPosition.Add(new MemberSpec("id", MemberKind.String, readOnly: true));
            WorkPosition.Add(new MemberSpec("allowedAudiences", MemberKind.FlagsEnum, enumSpec: AllowedAudiences));
            WorkPosition.Add(new MemberSpec("inference", MemberKind.Object, InferenceData));
            WorkPosition.Add(new MemberSpec("createdDateTime", MemberKind.DateTimeOffset, readOnly: true));
            WorkPosition.Add(new MemberSpec("createdBy", MemberKind.Object, IdentitySet, readOnly: true));
            WorkPosition.Add(new MemberSpec("lastModifiedDateTime", MemberKind.DateTimeOffset, readOnly: true));
            WorkPosition.Add(new MemberSpec("lastModifiedBy", MemberKind.Object, IdentitySet, readOnly: true));
            WorkPosition.Add(new MemberSpec("source", MemberKind.Object, PersonDataSources));
            WorkPosition.Add(new MemberSpec("sources", MemberKind.ObjectList, ProfileSourceAnnotation));
            WorkPosition.Add(new MemberSpec("isSearchable", MemberKind.Boolean));
            WorkPosition.Add(new MemberSpec("categories", MemberKind.StringList));
            WorkPosition.Add(new MemberSpec("detail", MemberKind.Object, PositionDetail));
            WorkPosition.Add(new MemberSpec("manager", MemberKind.Object, RelatedPerson));
            WorkPosition.Add(new MemberSpec("colleagues", MemberKind.ObjectList, RelatedPerson));
            WorkPosition.Add(new MemberSpec("isCurrent", MemberKind.Boolean));
        }

        /// <summary>Every type of the slice, for tests that compare the schema with the models.</summary>
        public static IReadOnlyList<TypeSpec> AllTypes => new[] { WorkPosition, PositionDetail, CompanyDetail, PhysicalAddress, RelatedPerson, IdentitySet, Identity, InferenceData, PersonDataSources, ProfileSourceAnnotation };
    }
}
