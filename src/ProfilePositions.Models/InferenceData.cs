using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>How an item was inferred (Graph <c>inferenceData</c>).</summary>
    public class InferenceData : GraphObject
    {
        private static readonly string[] Names = { "confidenceScore", "userHasVerifiedAccuracy" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>confidenceScore</c>.</summary>
        public double? ConfidenceScore
        {
            get => GetDouble("confidenceScore");
            set => SetMember("confidenceScore", value);
        }

        /// <summary>Graph <c>userHasVerifiedAccuracy</c>.</summary>
        public bool? UserHasVerifiedAccuracy
        {
            get => GetBoolean("userHasVerifiedAccuracy");
            set => SetMember("userHasVerifiedAccuracy", value);
        }
    }
}
