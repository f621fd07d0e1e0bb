using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// A request body shaped and checked before anything is sent: Graph's camelCase names, unknown keys kept
    /// (with a warning), explicit nulls kept, read-only members dropped (with a warning), types checked.
    /// Throws PositionInputException with a clear message when a value cannot be sent.
    /// </summary>
    /// <summary>How a body is read from the input.</summary>
    public sealed class PositionBodyOptions
    {
        /// <summary>Reads numeric day/month dates such as 4/1/2019 (-DateCulture); null refuses them as ambiguous.</summary>
        public System.Globalization.CultureInfo? DateCulture { get; set; }

        /// <summary>For FromInput: the body came from the pipeline as a row, so a null anywhere means "not given".</summary>
        public bool NullsAreNotGiven { get; set; }

        /// <summary>For FromInput: read-only members (id, createdBy...) are dropped without a warning (a position read elsewhere).</summary>
        public bool QuietReadOnly { get; set; }

        /// <summary>For FromParameters: the parameters whose values came from a piped row (nulls inside them mean "not given").</summary>
        public ISet<string> RowParameters { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
    }

    public sealed class PositionBody
    {
        // Parameter name -> Graph member of workPosition, in the order they are written.
        private static readonly string[][] PositionParameters =
        {
            new[] { "AllowedAudiences", "allowedAudiences" },
            new[] { "Categories", "categories" },
            new[] { "Colleagues", "colleagues" },
            new[] { "Detail", "detail" },
            new[] { "Inference", "inference" },
            new[] { "IsCurrent", "isCurrent" },
            new[] { "IsSearchable", "isSearchable" },
            new[] { "Manager", "manager" },
            new[] { "Source", "source" },
            new[] { "Sources", "sources" },
        };

        private static readonly string[][] DetailParameters =
        {
            new[] { "JobTitle", "jobTitle" },
            new[] { "Role", "role" },
            new[] { "Description", "description" },
            new[] { "Summary", "summary" },
            new[] { "StartMonthYear", "startMonthYear" },
            new[] { "EndMonthYear", "endMonthYear" },
            new[] { "EmployeeId", "employeeId" },
            new[] { "EmployeeType", "employeeType" },
            new[] { "Level", "level" },
            new[] { "Layer", "layer" },
            new[] { "SecondaryJobTitle", "secondaryJobTitle" },
            new[] { "SecondaryRole", "secondaryRole" },
        };

        private static readonly string[][] CompanyParameters =
        {
            new[] { "CompanyName", "displayName" },
            new[] { "Department", "department" },
            new[] { "OfficeLocation", "officeLocation" },
            new[] { "CompanyCode", "companyCode" },
            new[] { "CostCenter", "costCenter" },
            new[] { "Division", "division" },
            new[] { "WebUrl", "webUrl" },
            new[] { "Pronunciation", "pronunciation" },
            new[] { "SecondaryDepartment", "secondaryDepartment" },
        };

        private static readonly string[][] AddressParameters =
        {
            new[] { "Street", "street" },
            new[] { "City", "city" },
            new[] { "State", "state" },
            new[] { "PostalCode", "postalCode" },
            new[] { "PostOfficeBox", "postOfficeBox" },
            new[] { "CountryOrRegion", "countryOrRegion" },
            new[] { "AddressType", "type" },
        };

        /// <summary>The expanded set's flat conveniences (fields of detail, detail.company and its address).</summary>
        public static IReadOnlyList<string> FlatParameterNames { get; } =
            DetailParameters.Concat(CompanyParameters).Concat(AddressParameters).Select(pair => pair[0]).ToArray();

        /// <summary>Every parameter name FromParameters knows: workPosition's own members, AdditionalProperties, then the flat ones.</summary>
        public static IReadOnlyList<string> ParameterNames { get; } =
            PositionParameters.Select(pair => pair[0]).Concat(new[] { "AdditionalProperties" }).Concat(FlatParameterNames).ToArray();

        /// <summary>
        /// The Graph member path a parameter writes ("Department" -> "detail/company/department", "IsCurrent" ->
        /// "isCurrent"), matched case-insensitively; null for a name that is not one of <see cref="ParameterNames"/>
        /// (or AdditionalProperties, which writes no one member).
        /// </summary>
        public static string? MemberPath(string parameterName)
        {
            foreach (var (maps, prefix) in new[] { (PositionParameters, string.Empty), (DetailParameters, "detail/"), (CompanyParameters, "detail/company/"), (AddressParameters, "detail/company/address/") })
            {
                foreach (var map in maps)
                {
                    if (string.Equals(map[0], parameterName, StringComparison.OrdinalIgnoreCase))
                    {
                        return prefix + map[1];
                    }
                }
            }

            return null;
        }

        public PositionBody()
        {
            Value = new WorkPosition();
        }

        private PositionBody(WorkPosition value, IList<string> warnings)
        {
            Value = value;
            Warnings = warnings;
        }

        /// <summary>The body as a Graph object; ToString() is not the wire JSON, use ToJson().</summary>
        public WorkPosition Value { get; }

        /// <summary>Things the user should know (unknown key sent as given, read-only key dropped).</summary>
        public IList<string> Warnings { get; } = new List<string>();

        /// <summary>True when nothing would be sent (an update with nothing to change).</summary>
        public bool IsEmpty
        {
            get
            {
                foreach (var unused in Value.GetMembers())
                {
                    return false;
                }

                return true;
            }
        }

        /// <summary>The exact JSON that is sent.</summary>
        public string ToJson() => GraphJson.Write(Value);

        /// <summary>
        /// From -BodyParameter: any IDictionary (case-insensitive match even for case-sensitive dictionaries),
        /// a WorkPosition, or a JSON object string. Nested values may be dictionaries, GraphObjects, lists or JSON strings.
        /// PSObjects must be unwrapped by the caller into dictionaries/lists/primitives.
        /// </summary>
        public static PositionBody FromInput(object? input) => FromInput(input, null);

        /// <param name="options">How dates are read and whether nulls mean "not given" (a piped row); null for the defaults.</param>
        public static PositionBody FromInput(object? input, PositionBodyOptions? options)
        {
            if (input is PositionBody already)
            {
                return already;
            }

            if (PositionInput.Unwrap(input) == null || (input is string text && text.Trim().Length == 0))
            {
                throw new PositionInputException("BodyParameter", "The body is empty: give a hashtable, a WorkPosition or a JSON object string.");
            }

            var warnings = new List<string>();
            var reader = new PositionInput(warnings) { QuietReadOnly = input is WorkPosition || (options?.QuietReadOnly ?? false), DateCulture = options?.DateCulture, DropNulls = options?.NullsAreNotGiven ?? false };
            var shaped = (WorkPosition)reader.ShapeObject(input, PositionSchema.WorkPosition, string.Empty);
            CheckDateOrder(shaped);
            return new PositionBody(shaped, warnings);
        }

        /// <summary>
        /// From the expanded parameter set: keys are cmdlet parameter names (AllowedAudiences, Categories, Colleagues,
        /// Detail, Inference, IsCurrent, IsSearchable, Manager, Source, Sources, AdditionalProperties, and the flat
        /// conveniences JobTitle, CompanyName, Department, OfficeLocation, Role, Description, Summary, StartMonthYear,
        /// EndMonthYear, EmployeeId, EmployeeType, Level, Layer, CompanyCode, CostCenter, Division, WebUrl, Street, City,
        /// State, PostalCode, PostOfficeBox, CountryOrRegion, AddressType). Flat values override the same field in Detail,
        /// except that a row giving both (options.RowParameters) must give the same value.
        /// Empty strings count as not given (CSV cells); $null is sent as null. Other keys (UserId, WorkPositionId,
        /// common parameters) are ignored, so a cmdlet may pass its bound parameters as they are.
        /// </summary>
        public static PositionBody FromParameters(IDictionary<string, object?> parameters) => FromParameters(parameters, null);

        /// <param name="options">How dates are read, and which parameters came from a piped row (nulls inside them mean "not given").</param>
        public static PositionBody FromParameters(IDictionary<string, object?> parameters, PositionBodyOptions? options)
        {
            if (parameters == null)
            {
                throw new ArgumentNullException(nameof(parameters));
            }

            var given = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var pair in parameters)
            {
                var value = PositionInput.Unwrap(pair.Value);
                if (value is string text && text.Length == 0)
                {
                    continue;
                }

                given[pair.Key] = value;
            }

            var body = new PositionBody();
            var commandLineInput = new PositionInput(body.Warnings) { DateCulture = options?.DateCulture };
            var rowInput = new PositionInput(body.Warnings) { DateCulture = options?.DateCulture, DropNulls = true };
            PositionInput InputFor(string parameter) => options != null && options.RowParameters.Contains(parameter) ? rowInput : commandLineInput;
            var position = body.Value;

            foreach (var map in PositionParameters)
            {
                if (given.TryGetValue(map[0], out var value))
                {
                    var member = PositionSchema.WorkPosition.Find(map[1])!;
                    position.SetMember(member.Name, InputFor(map[0]).ConvertValue(value, member, map[0]));
                }
            }

            if (AnyGiven(given, DetailParameters) || AnyGiven(given, CompanyParameters) || AnyGiven(given, AddressParameters))
            {
                // A row that gives a field both as a flat column and inside its Detail column (an Export-Csv of the output
                // has JobTitle beside Detail) must give the same value; elsewhere the flat value wins.
                bool MustAgree(string parameter) => options != null && options.RowParameters.Contains(parameter) && options.RowParameters.Contains("Detail");
                var detail = position.GetMember("detail") as PositionDetail ?? new PositionDetail();
                position.SetMember("detail", detail);
                Apply(given, DetailParameters, detail, PositionSchema.PositionDetail, InputFor, MustAgree, "detail.");

                if (AnyGiven(given, CompanyParameters) || AnyGiven(given, AddressParameters))
                {
                    var company = detail.GetMember("company") as CompanyDetail ?? new CompanyDetail();
                    detail.SetMember("company", company);
                    Apply(given, CompanyParameters, company, PositionSchema.CompanyDetail, InputFor, MustAgree, "detail.company.");

                    if (AnyGiven(given, AddressParameters))
                    {
                        var address = company.GetMember("address") as PhysicalAddress ?? new PhysicalAddress();
                        company.SetMember("address", address);
                        Apply(given, AddressParameters, address, PositionSchema.PhysicalAddress, InputFor, MustAgree, "detail.company.address.");
                    }
                }
            }

            if (given.TryGetValue("AdditionalProperties", out var additional) && additional != null)
            {
                // Extra members are the point of -AdditionalProperties, so no warning for unknown keys there;
                // explicit parameters win over the same member given here.
                var extraInput = new PositionInput(body.Warnings) { WarnOnUnknown = false, DateCulture = options?.DateCulture, DropNulls = InputFor("AdditionalProperties") == rowInput };
                var extra = extraInput.ShapeObject(additional, PositionSchema.WorkPosition, string.Empty);
                foreach (var member in extra.GetMembers())
                {
                    if (!position.HasMember(member.Key))
                    {
                        position.SetMember(member.Key, member.Value);
                    }
                }
            }

            CheckDateOrder(position);
            return body;
        }

        /// <summary>An end before the start in one item is a mistake in the input, not something to send.</summary>
        private static void CheckDateOrder(WorkPosition position)
        {
            var detail = position.GetMember("detail") as PositionDetail;
            if (detail?.GetMember("startMonthYear") is string start && detail.GetMember("endMonthYear") is string end
                && DateTime.TryParseExact(start, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var from)
                && DateTime.TryParseExact(end, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var to)
                && to < from)
            {
                throw new PositionInputException("EndMonthYear", "EndMonthYear (" + end + ") is before StartMonthYear (" + start + "); check the dates (and -DateCulture, if they are numeric day/month dates).");
            }
        }

        private static bool AnyGiven(Dictionary<string, object?> given, string[][] maps)
        {
            foreach (var map in maps)
            {
                if (given.ContainsKey(map[0]))
                {
                    return true;
                }
            }

            return false;
        }

        private static void Apply(Dictionary<string, object?> given, string[][] maps, GraphObject target, TypeSpec type, Func<string, PositionInput> inputFor, Func<string, bool> mustAgree, string prefix)
        {
            foreach (var map in maps)
            {
                if (given.TryGetValue(map[0], out var value))
                {
                    var member = type.Find(map[1])!;
                    var converted = inputFor(map[0]).ConvertValue(value, member, map[0]);
                    var nested = target.GetMember(member.Name);
                    if (converted != null && nested != null && mustAgree(map[0]) && !Equals(converted, nested))
                    {
                        throw new PositionInputException(
                            map[0],
                            $"The column {map[0]} ({PositionInput.Describe(converted)}) disagrees with {prefix}{member.Name} in the Detail column ({PositionInput.Describe(nested)}); give one of them, or the same value in both.");
                    }

                    target.SetMember(member.Name, converted);
                }
            }
        }
    }
}
