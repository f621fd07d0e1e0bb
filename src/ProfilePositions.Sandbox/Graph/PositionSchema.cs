using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// The beta workPosition type tree (graph-api.md §2): validation like Graph (types, enums, Edm.Date, read-only and
/// unknown members), normalisation to the documented response shape, and PATCH merging.
/// </summary>
internal static class PositionSchema
{
    private static readonly string[] AllowedAudienceValues = ["me", "family", "contacts", "groupMembers", "organization", "federatedOrganizations", "everyone"];
    private static readonly string[] AddressTypeValues = ["unknown", "home", "business", "other"];
    private static readonly string[] RelationshipValues =
    [
        "manager", "colleague", "directReport", "dotLineReport", "assistant", "dotLineManager", "alternateContact", "friend",
        "spouse", "sibling", "child", "parent", "sponsor", "emergencyContact", "other",
    ];

    private static readonly SchemaType String = new PrimitiveType("Edm.String", JsonValueKind.String);
    private static readonly SchemaType Boolean = new PrimitiveType("Edm.Boolean", JsonValueKind.True);
    private static readonly SchemaType Int32 = new PrimitiveType("Edm.Int32", JsonValueKind.Number);
    private static readonly SchemaType Double = new PrimitiveType("Edm.Double", JsonValueKind.Number);
    private static readonly SchemaType Date = new PrimitiveType("Edm.Date", JsonValueKind.String);
    private static readonly SchemaType ServerSet = new ServerSetType();

    private static readonly ComplexType PhysicalAddress = new("microsoft.graph.physicalAddress",
    [
        new("type", new EnumType("microsoft.graph.physicalAddressType", AddressTypeValues, Flags: false)),
        new("postOfficeBox", String), new("street", String), new("city", String), new("state", String),
        new("countryOrRegion", String), new("postalCode", String),
    ]);

    private static readonly ComplexType CompanyDetail = new("microsoft.graph.companyDetail",
    [
        new("displayName", String), new("pronunciation", String), new("department", String),
        new("officeLocation", String), new("address", PhysicalAddress), new("webUrl", String),
        new("companyCode", String, InShape: false), new("costCenter", String, InShape: false),
        new("division", String, InShape: false), new("secondaryDepartment", String, InShape: false),
    ]);

    private static readonly ComplexType PositionDetail = new("microsoft.graph.positionDetail",
    [
        new("company", CompanyDetail), new("description", String), new("endMonthYear", Date), new("jobTitle", String),
        new("role", String), new("startMonthYear", Date), new("summary", String),
        new("employeeId", String, InShape: false), new("employeeType", String, InShape: false),
        new("layer", Int32, InShape: false), new("level", String, InShape: false),
        new("secondaryJobTitle", String, InShape: false), new("secondaryRole", String, InShape: false),
    ]);

    // The documented responses never show these types filled in, so their members come back exactly as sent.
    private static readonly ComplexType RelatedPerson = new("microsoft.graph.relatedPerson",
    [
        new("displayName", String, InShape: false),
        new("relationship", new EnumType("microsoft.graph.personRelationship", RelationshipValues, Flags: false), InShape: false),
        new("userPrincipalName", String, InShape: false), new("userId", String, InShape: false),
    ]);

    private static readonly ComplexType InferenceData = new("microsoft.graph.inferenceData",
    [
        new("confidenceScore", Double, InShape: false), new("userHasVerifiedAccuracy", Boolean, InShape: false),
    ]);

    // Metadata says personDataSources {type: [string]}; the docs say personDataSource {type: string}. Both are accepted.
    private static readonly ComplexType PersonDataSources = new("microsoft.graph.personDataSources",
    [
        new("type", new StringOrStringsType(), InShape: false),
    ]);

    private static readonly ComplexType ProfileSourceAnnotation = new("microsoft.graph.profileSourceAnnotation",
    [
        new("isDefaultSource", Boolean, InShape: false), new("properties", new CollectionType(String), InShape: false),
        new("sourceId", String, InShape: false),
    ]);

    /// <summary>Members in the order of Microsoft's documented response; optional members follow only when set.</summary>
    public static readonly ComplexType WorkPosition = new("microsoft.graph.workPosition",
    [
        new("id", ServerSet, ReadOnly: true),
        new("allowedAudiences", new EnumType("microsoft.graph.allowedAudiences", AllowedAudienceValues, Flags: true)),
        new("inference", InferenceData),
        new("createdDateTime", ServerSet, ReadOnly: true),
        new("createdBy", ServerSet, ReadOnly: true),
        new("lastModifiedDateTime", ServerSet, ReadOnly: true),
        new("lastModifiedBy", ServerSet, ReadOnly: true),
        new("source", PersonDataSources),
        new("categories", new CollectionType(String)),
        new("detail", PositionDetail),
        new("manager", RelatedPerson),
        new("colleagues", new CollectionType(RelatedPerson)),
        new("isCurrent", Boolean),
        new("isSearchable", Boolean, InShape: false),
        new("sources", new CollectionType(ProfileSourceAnnotation), InShape: false),
    ]);

    /// <summary>Checks a POST or PATCH body; returns the message of the 400 or null when valid.</summary>
    public static string? Validate(JsonNode? body, bool loose)
    {
        if (body is not JsonObject)
        {
            return "The request body must be a JSON object describing a microsoft.graph.workPosition.";
        }

        return Validate(body, WorkPosition, string.Empty, loose);
    }

    /// <summary>A copy with every shape member present (null when absent), in documented order; annotations dropped.</summary>
    public static JsonObject Normalize(JsonObject position) => (JsonObject)Normalize(position, WorkPosition)!;

    /// <summary>Applies a PATCH body: nested objects merge member by member, everything else (arrays too) replaces.</summary>
    public static void Merge(JsonObject target, JsonObject patch) => Merge(target, patch, WorkPosition);

    public static string? CanonicalMemberName(string name) =>
        WorkPosition.Members.FirstOrDefault(member => string.Equals(member.Name, name, StringComparison.OrdinalIgnoreCase))?.Name;

    private static string? Validate(JsonNode? value, SchemaType type, string path, bool loose)
    {
        if (value is null)
        {
            return null;
        }

        switch (type)
        {
            case ServerSetType:
                return null;
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
                        return $"The property '{memberPath}' is read-only and cannot be set.";
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
                if (KindOf(value) != JsonValueKind.String)
                {
                    return $"Invalid value for property '{path}': expected a string member of enum '{enumeration.Name}'.";
                }

                var text = value.GetValue<string>();
                var parts = enumeration.Flags ? text.Split(',', StringSplitOptions.TrimEntries) : [text];
                foreach (var part in parts)
                {
                    if (!enumeration.Values.Contains(part, StringComparer.Ordinal))
                    {
                        return $"The value '{text}' is not valid for property '{path}' of enum type '{enumeration.Name}'. Valid values: {string.Join(", ", enumeration.Values)}.";
                    }
                }

                return null;
            case StringOrStringsType:
                if (KindOf(value) == JsonValueKind.String)
                {
                    return null;
                }

                return Validate(value, new CollectionType(String), path, loose);
            case PrimitiveType primitive:
                return ValidatePrimitive(value, primitive, path);
            default:
                throw new InvalidOperationException($"Unknown schema type {type}.");
        }
    }

    private static string? ValidatePrimitive(JsonNode value, PrimitiveType primitive, string path)
    {
        var kind = KindOf(value);
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

        if (primitive.Name == "Edm.Date")
        {
            var text = value.GetValue<string>();
            if (text.Length != 10 || !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                return $"Invalid value for property '{path}': '{text}' is not a valid Edm.Date (expected YYYY-MM-DD).";
            }
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
                    if (members.TryGetPropertyValue(member.Name, out var given))
                    {
                        result[member.Name] = Normalize(given, member.Type);
                    }
                    else if (member.InShape)
                    {
                        result[member.Name] = null;
                    }
                }

                // Unknown members only survive validation in loose mode; keep them as sent.
                foreach (var (name, member) in members)
                {
                    if (!name.StartsWith('@') && complex.Find(name) is null)
                    {
                        result[name] = member?.DeepClone();
                    }
                }

                return result;
            case JsonArray items when type is CollectionType collection:
                var array = new JsonArray();
                foreach (var item in items)
                {
                    array.Add(Normalize(item, collection.Element));
                }

                return array;
            default:
                return value.DeepClone();
        }
    }

    private static void Merge(JsonObject target, JsonObject patch, ComplexType type)
    {
        foreach (var (name, value) in patch)
        {
            if (name.StartsWith('@'))
            {
                continue;
            }

            if (value is JsonObject nested && type.Find(name)?.Type is ComplexType nestedType && target[name] is JsonObject existing)
            {
                Merge(existing, nested, nestedType);
            }
            else
            {
                target[name] = value?.DeepClone();
            }
        }
    }

    private static JsonValueKind KindOf(JsonNode node) => node.GetValueKind();

    private static string Describe(JsonNode value, JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => $"the literal '{value.ToJsonString()}'",
    };

    internal abstract record SchemaType(string Name);

    internal sealed record PrimitiveType(string Name, JsonValueKind Kind) : SchemaType(Name);

    internal sealed record EnumType(string Name, string[] Values, bool Flags) : SchemaType(Name);

    internal sealed record CollectionType(SchemaType Element) : SchemaType($"Collection({Element.Name})");

    internal sealed record ServerSetType() : SchemaType("server-set");

    internal sealed record StringOrStringsType() : SchemaType("Collection(Edm.String)");

    internal sealed record Member(string Name, SchemaType Type, bool InShape = true, bool ReadOnly = false);

    internal sealed record ComplexType(string Name, Member[] Members) : SchemaType(Name)
    {
        private readonly Dictionary<string, Member> _byName = Members.ToDictionary(member => member.Name, StringComparer.Ordinal);

        public Member? Find(string name) => _byName.GetValueOrDefault(name);
    }
}
