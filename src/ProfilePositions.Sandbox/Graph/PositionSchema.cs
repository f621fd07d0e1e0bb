using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// The beta workPosition type tree, as Microsoft's OpenAPI description of the People module states it (types,
/// nullability, enum members and flags, Edm.Date) plus the newer members of the documentation: validation like
/// Graph, normalisation to the full response shape, PATCH merging, and the property paths query options may name.
/// </summary>
internal static class PositionSchema
{
    private static readonly SchemaType String = new PrimitiveType("Edm.String");
    private static readonly SchemaType Boolean = new PrimitiveType("Edm.Boolean");
    private static readonly SchemaType Int32 = new PrimitiveType("Edm.Int32");
    private static readonly SchemaType Double = new PrimitiveType("Edm.Double");
    private static readonly SchemaType Date = new PrimitiveType("Edm.Date");
    private static readonly SchemaType DateTimeOffset = new PrimitiveType("Edm.DateTimeOffset");

    /// <summary>Flags: <c>me</c> is 0, the others one bit each (CSDL <c>IsFlags="true"</c>, OpenAPI <c>x-ms-enum-flags</c>).</summary>
    public static readonly EnumType AllowedAudiences = new("microsoft.graph.allowedAudiences",
    [
        ("me", 0), ("family", 1), ("contacts", 2), ("groupMembers", 4), ("organization", 8), ("federatedOrganizations", 16),
        ("everyone", 32), ("unknownFutureValue", 64),
    ], Flags: true);

    private static readonly EnumType PhysicalAddressType = new("microsoft.graph.physicalAddressType",
        [("unknown", 0), ("home", 1), ("business", 2), ("other", 3)], Flags: false);

    private static readonly EnumType PersonRelationship = new("microsoft.graph.personRelationship",
    [
        ("manager", 0), ("colleague", 1), ("directReport", 2), ("dotLineReport", 3), ("assistant", 4), ("dotLineManager", 5),
        ("alternateContact", 6), ("friend", 7), ("spouse", 8), ("sibling", 9), ("child", 10), ("parent", 11), ("sponsor", 12),
        ("emergencyContact", 13), ("other", 14), ("unknownFutureValue", 15),
    ], Flags: false);

    private static readonly ComplexType Identity = new("microsoft.graph.identity", [new("displayName", String), new("id", String)]);

    private static readonly ComplexType IdentitySet = new("microsoft.graph.identitySet",
        [new("application", Identity), new("device", Identity), new("user", Identity)]);

    private static readonly ComplexType PhysicalAddress = new("microsoft.graph.physicalAddress",
    [
        new("type", PhysicalAddressType), new("postOfficeBox", String), new("street", String), new("city", String),
        new("state", String), new("countryOrRegion", String), new("postalCode", String),
    ]);

    // displayName is the one member the OpenAPI description leaves without "nullable: true".
    private static readonly ComplexType CompanyDetail = new("microsoft.graph.companyDetail",
    [
        new("displayName", String, Nullable: false), new("pronunciation", String), new("department", String),
        new("officeLocation", String), new("address", PhysicalAddress), new("webUrl", String), new("companyCode", String),
        new("costCenter", String), new("division", String), new("secondaryDepartment", String),
    ]);

    private static readonly ComplexType PositionDetail = new("microsoft.graph.positionDetail",
    [
        new("company", CompanyDetail), new("description", String), new("endMonthYear", Date), new("jobTitle", String),
        new("role", String), new("startMonthYear", Date), new("summary", String), new("employeeId", String),
        new("employeeType", String), new("layer", Int32), new("level", String), new("secondaryJobTitle", String),
        new("secondaryRole", String),
    ]);

    private static readonly ComplexType RelatedPerson = new("microsoft.graph.relatedPerson",
        [new("displayName", String), new("relationship", PersonRelationship), new("userPrincipalName", String), new("userId", String)]);

    private static readonly ComplexType InferenceData = new("microsoft.graph.inferenceData",
        [new("confidenceScore", Double), new("userHasVerifiedAccuracy", Boolean)]);

    // Metadata says personDataSources {type: [string]}; the docs say personDataSource {type: string}. Both are
    // accepted and the metadata's array is what is stored and returned.
    private static readonly ComplexType PersonDataSources = new("microsoft.graph.personDataSources",
        [new("type", new StringOrStringsType())]);

    private static readonly ComplexType ProfileSourceAnnotation = new("microsoft.graph.profileSourceAnnotation",
        [new("isDefaultSource", Boolean), new("properties", new CollectionType(String)), new("sourceId", String, Nullable: false)]);

    /// <summary>Members in the order of Microsoft's documented response, then the newer ones.</summary>
    public static readonly ComplexType WorkPosition = new("microsoft.graph.workPosition",
    [
        new("id", String, Nullable: false, ReadOnly: true),
        new("allowedAudiences", AllowedAudiences),
        new("inference", InferenceData),
        new("createdDateTime", DateTimeOffset, Nullable: false, ReadOnly: true),
        new("createdBy", IdentitySet, ReadOnly: true),
        new("lastModifiedDateTime", DateTimeOffset, Nullable: false, ReadOnly: true),
        new("lastModifiedBy", IdentitySet, ReadOnly: true),
        new("source", PersonDataSources),
        new("categories", new CollectionType(String)),
        new("detail", PositionDetail),
        new("manager", RelatedPerson),
        new("colleagues", new CollectionType(RelatedPerson)),
        new("isCurrent", Boolean),
        new("isSearchable", Boolean),
        new("sources", new CollectionType(ProfileSourceAnnotation)),
    ]);

    /// <summary>
    /// Checks a POST or PATCH body; returns the message of the 400 or null when valid. Server-managed members
    /// (<c>id</c> and the audit members) are not checked: they are ignored, so a GET → edit → PATCH of a whole
    /// object works.
    /// </summary>
    public static string? Validate(JsonNode? body, bool loose)
    {
        if (body is not JsonObject)
        {
            return "The request body must be a JSON object describing a microsoft.graph.workPosition.";
        }

        return Validate(body, WorkPosition, string.Empty, loose);
    }

    /// <summary>
    /// A copy with every member of the schema present (null when absent), in documented order, flags enums in
    /// canonical form and <c>source.type</c> as an array; annotations dropped, unknown members (loose mode) kept.
    /// </summary>
    public static JsonObject Normalize(JsonObject position) => (JsonObject)Normalize(position, WorkPosition)!;

    /// <summary>
    /// Applies a PATCH body: nested objects merge member by member, everything else (arrays too) replaces;
    /// server-managed members in the body are ignored.
    /// </summary>
    public static void Merge(JsonObject target, JsonObject patch) => Merge(target, patch, WorkPosition);

    /// <summary>
    /// Resolves a property path of a query option (<c>detail/company/displayName</c>; names case-insensitive) through
    /// single-valued complex members; null when a segment is unknown or passes through a collection.
    /// </summary>
    public static ResolvedPath? ResolvePath(string path)
    {
        var segments = path.Split('/');
        var canonical = new string[segments.Length];
        ComplexType current = WorkPosition;
        for (var index = 0; index < segments.Length; index++)
        {
            var member = current.FindIgnoreCase(segments[index]);
            if (member is null)
            {
                return null;
            }

            canonical[index] = member.Name;
            if (index == segments.Length - 1)
            {
                return new ResolvedPath(string.Join('/', canonical), canonical, member.Type);
            }

            if (member.Type is not ComplexType complex)
            {
                return null;
            }

            current = complex;
        }

        return null;
    }

    /// <summary>The numeric value of an enum member or flags combination, for ordering; null when not a valid value.</summary>
    public static long? EnumValue(EnumType type, string text)
    {
        long value = 0;
        foreach (var part in type.Flags ? text.Split(',', StringSplitOptions.TrimEntries) : [text])
        {
            if (type.Find(part) is not { } member)
            {
                return null;
            }

            value |= member.Value;
        }

        return value;
    }

    private static string? Validate(JsonNode? value, SchemaType type, string path, bool loose)
    {
        if (value is null)
        {
            return null;
        }

        switch (type)
        {
            case ComplexType complex:
                if (value is not JsonObject members)
                {
                    return $"Invalid value for property '{path}': expected an object of type '{complex.Name}'.";
                }

                foreach (var (name, member) in members)
                {
                    if (name.StartsWith('@'))
                    {
                        continue; // instance annotations such as @odata.type
                    }

                    var memberPath = path.Length == 0 ? name : $"{path}.{name}";
                    var definition = complex.Find(name);
                    if (definition is null)
                    {
                        if (loose)
                        {
                            continue;
                        }

                        return $"The property '{memberPath}' does not exist on type '{complex.Name}'. Make sure to only use property names that are defined by the type.";
                    }

                    if (definition.ReadOnly)
                    {
                        continue; // server-managed: ignored, whatever it holds
                    }

                    if (member is null && !definition.Nullable)
                    {
                        // Microsoft.OData.Core's wording for a null in a non-nullable property.
                        return $"A null value was found for the property named '{memberPath}', which has the expected type '{definition.Type.Name}[Nullable=False]'. The expected type '{definition.Type.Name}[Nullable=False]' does not allow null values.";
                    }

                    var error = Validate(member, definition.Type, memberPath, loose);
                    if (error is not null)
                    {
                        return error;
                    }
                }

                return null;
            case CollectionType collection:
                if (value is not JsonArray items)
                {
                    return $"Invalid value for property '{path}': expected a JSON array of {collection.Element.Name}.";
                }

                for (var index = 0; index < items.Count; index++)
                {
                    var error = Validate(items[index], collection.Element, $"{path}[{index}]", loose);
                    if (error is not null)
                    {
                        return error;
                    }
                }

                return null;
            case EnumType enumeration:
                if (value.GetValueKind() != JsonValueKind.String)
                {
                    return $"Invalid value for property '{path}': expected a string member of enum '{enumeration.Name}'.";
                }

                var text = value.GetValue<string>();
                return EnumValue(enumeration, text) is null
                    ? $"The value '{text}' is not valid for property '{path}' of enum type '{enumeration.Name}'. Valid values: {string.Join(", ", enumeration.Members.Select(member => member.Name))}."
                    : null;
            case StringOrStringsType:
                return value.GetValueKind() == JsonValueKind.String ? null : Validate(value, new CollectionType(String), path, loose);
            case PrimitiveType primitive:
                return ValidatePrimitive(value, primitive, path);
            default:
                throw new InvalidOperationException($"Unknown schema type {type}.");
        }
    }

    private static string? ValidatePrimitive(JsonNode value, PrimitiveType primitive, string path)
    {
        var kind = value.GetValueKind();
        var ok = primitive.Name switch
        {
            "Edm.Boolean" => kind is JsonValueKind.True or JsonValueKind.False,
            "Edm.Int32" => kind == JsonValueKind.Number && value.AsValue().TryGetValue<int>(out _),
            "Edm.Double" => kind == JsonValueKind.Number,
            _ => kind == JsonValueKind.String,
        };
        if (!ok)
        {
            return $"Invalid value for property '{path}': cannot convert {Describe(value, kind)} to the expected type '{primitive.Name}'.";
        }

        if (primitive.Name == "Edm.Date" && !EdmDate.TryParse(value.GetValue<string>(), out _))
        {
            return $"Invalid value for property '{path}': '{value.GetValue<string>()}' is not a valid Edm.Date (expected YYYY-MM-DD; years of four or more digits, optionally negative).";
        }

        return null;
    }

    private static JsonNode? Normalize(JsonNode? value, SchemaType type)
    {
        switch (value)
        {
            case null:
                return null;
            case JsonObject members when type is ComplexType complex:
                var result = new JsonObject();
                foreach (var member in complex.Members)
                {
                    result[member.Name] = members.TryGetPropertyValue(member.Name, out var given) ? Normalize(given, member.Type) : null;
                }

                // Unknown members only survive validation in loose mode (or come from a data file); keep them as sent.
                foreach (var (name, member) in members)
                {
                    if (!name.StartsWith('@') && complex.Find(name) is null)
                    {
                        result[name] = member?.DeepClone();
                    }
                }

                return result;
            case JsonArray items when type is CollectionType collection:
                return new JsonArray(items.Select(item => Normalize(item, collection.Element)).ToArray());
            case JsonValue text when type is StringOrStringsType && text.GetValueKind() == JsonValueKind.String:
                return new JsonArray(JsonValue.Create(text.GetValue<string>()));
            case JsonValue text when type is EnumType { Flags: true } flags && text.GetValueKind() == JsonValueKind.String:
                return EnumValue(flags, text.GetValue<string>()) is { } bits ? JsonValue.Create(Canonical(flags, bits)) : value.DeepClone();
            default:
                return value.DeepClone();
        }
    }

    /// <summary>
    /// OData's flags form: the members whose bits are set, in ascending value order, joined by "," without spaces
    /// (the ABNF's <c>enumValue</c>); the zero member alone when no bit is set.
    /// </summary>
    private static string Canonical(EnumType flags, long bits)
    {
        var names = flags.Members.Where(member => member.Value != 0 && (bits & member.Value) == member.Value).Select(member => member.Name).ToList();
        return names.Count == 0 ? flags.Members.First(member => member.Value == 0).Name : string.Join(',', names);
    }

    private static void Merge(JsonObject target, JsonObject patch, ComplexType type)
    {
        foreach (var (name, value) in patch)
        {
            var definition = type.Find(name);
            if (name.StartsWith('@') || definition?.ReadOnly == true)
            {
                continue;
            }

            if (value is JsonObject nested && definition?.Type is ComplexType nestedType && target[name] is JsonObject existing)
            {
                Merge(existing, nested, nestedType);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    private static string Describe(JsonNode value, JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => $"the literal '{value.ToJsonString()}'",
    };

    internal abstract record SchemaType(string Name);

    internal sealed record PrimitiveType(string Name) : SchemaType(Name);

    internal sealed record EnumType(string Name, (string Name, long Value)[] Members, bool Flags) : SchemaType(Name)
    {
        public (string Name, long Value)? Find(string name) =>
            Members.Any(member => member.Name == name) ? Members.First(member => member.Name == name) : null;
    }

    internal sealed record CollectionType(SchemaType Element) : SchemaType($"Collection({Element.Name})");

    internal sealed record StringOrStringsType() : SchemaType("Collection(Edm.String)");

    internal sealed record Member(string Name, SchemaType Type, bool Nullable = true, bool ReadOnly = false);

    internal sealed record ComplexType(string Name, Member[] Members) : SchemaType(Name)
    {
        private readonly Dictionary<string, Member> _byName = Members.ToDictionary(member => member.Name, StringComparer.Ordinal);
        private readonly Dictionary<string, Member> _byNameIgnoringCase = Members.ToDictionary(member => member.Name, StringComparer.OrdinalIgnoreCase);

        public Member? Find(string name) => _byName.GetValueOrDefault(name);

        public Member? FindIgnoreCase(string name) => _byNameIgnoringCase.GetValueOrDefault(name);
    }

    /// <summary>A property path of a query option, with the canonical member names and the type of its last member.</summary>
    internal sealed record ResolvedPath(string Path, string[] Segments, SchemaType Type)
    {
        public bool IsPrimitive => Type is PrimitiveType or EnumType;

        public string TypeName => Type.Name;
    }
}
