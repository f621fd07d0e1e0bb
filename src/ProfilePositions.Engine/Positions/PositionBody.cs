using System;
using System.Collections;
using System.Collections.Generic;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// A request body shaped and checked before anything is sent: Graph's camelCase names, unknown keys kept
    /// (with a warning), explicit nulls kept, read-only members dropped (with a warning), types checked.
    /// Throws PositionInputException with a clear message when a value cannot be sent.
    /// </summary>
    public sealed class PositionBody
    {
        /// <summary>The body as a Graph object; ToString() is not the wire JSON, use ToJson().</summary>
        public WorkPosition Value { get; } = new WorkPosition();

        /// <summary>Things the user should know (unknown key sent as given, read-only key dropped).</summary>
        public IList<string> Warnings { get; } = new List<string>();

        /// <summary>The exact JSON that is sent.</summary>
        public string ToJson() => throw new NotImplementedException();

        /// <summary>
        /// From -BodyParameter: any IDictionary (case-insensitive match even for case-sensitive dictionaries),
        /// a WorkPosition, or a JSON object string. Nested values may be dictionaries, GraphObjects, lists or JSON strings.
        /// PSObjects must be unwrapped by the caller into dictionaries/lists/primitives.
        /// </summary>
        public static PositionBody FromInput(object? input) => throw new NotImplementedException();

        /// <summary>
        /// From the expanded parameter set: keys are cmdlet parameter names (AllowedAudiences, Categories, Colleagues,
        /// Detail, Inference, IsCurrent, IsSearchable, Manager, Source, Sources, AdditionalProperties, and the flat
        /// conveniences JobTitle, CompanyName, Department, OfficeLocation, Role, Description, Summary, StartMonthYear,
        /// EndMonthYear, EmployeeId, EmployeeType, Level, Layer, CompanyCode, CostCenter, Division, WebUrl, Street, City,
        /// State, PostalCode, PostOfficeBox, CountryOrRegion, AddressType). Flat values override the same field in Detail.
        /// Empty strings count as not given (CSV cells); $null is sent as null.
        /// </summary>
        public static PositionBody FromParameters(IDictionary<string, object?> parameters) => throw new NotImplementedException();
    }
}
