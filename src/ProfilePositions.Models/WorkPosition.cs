using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>A work position on a user's profile (Graph beta <c>workPosition</c>, an itemFacet).</summary>
    public partial class WorkPosition : GraphObject
    {
        private static readonly string[] Names = { "id", "allowedAudiences", "categories", "colleagues", "createdBy", "createdDateTime", "detail", "inference", "isCurrent", "isSearchable", "lastModifiedBy", "lastModifiedDateTime", "manager", "source", "sources" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>id</c>.</summary>
        public string? Id
        {
            get => GetString("id");
            set => SetMember("id", value);
        }

        /// <summary>Graph <c>allowedAudiences</c>.</summary>
        public string? AllowedAudiences
        {
            get => GetString("allowedAudiences");
            set => SetMember("allowedAudiences", value);
        }

        /// <summary>Graph <c>categories</c>.</summary>
        public GraphList<string>? Categories
        {
            get => GetList<string>("categories");
            set => SetMember("categories", value);
        }

        /// <summary>Graph <c>colleagues</c>.</summary>
        public GraphList<RelatedPerson>? Colleagues
        {
            get => GetList<RelatedPerson>("colleagues");
            set => SetMember("colleagues", value);
        }

        /// <summary>Graph <c>createdBy</c>.</summary>
        public IdentitySet? CreatedBy
        {
            get => GetObject<IdentitySet>("createdBy");
            set => SetMember("createdBy", value);
        }

        /// <summary>Graph <c>createdDateTime</c>.</summary>
        public DateTimeOffset? CreatedDateTime
        {
            get => GetDateTimeOffset("createdDateTime");
            set => SetMember("createdDateTime", value);
        }

        /// <summary>Graph <c>detail</c>.</summary>
        public PositionDetail? Detail
        {
            get => GetObject<PositionDetail>("detail");
            set => SetMember("detail", value);
        }

        /// <summary>Graph <c>inference</c>.</summary>
        public InferenceData? Inference
        {
            get => GetObject<InferenceData>("inference");
            set => SetMember("inference", value);
        }

        /// <summary>Graph <c>isCurrent</c>.</summary>
        public bool? IsCurrent
        {
            get => GetBoolean("isCurrent");
            set => SetMember("isCurrent", value);
        }

        /// <summary>Graph <c>isSearchable</c>.</summary>
        public bool? IsSearchable
        {
            get => GetBoolean("isSearchable");
            set => SetMember("isSearchable", value);
        }

        /// <summary>Graph <c>lastModifiedBy</c>.</summary>
        public IdentitySet? LastModifiedBy
        {
            get => GetObject<IdentitySet>("lastModifiedBy");
            set => SetMember("lastModifiedBy", value);
        }

        /// <summary>Graph <c>lastModifiedDateTime</c>.</summary>
        public DateTimeOffset? LastModifiedDateTime
        {
            get => GetDateTimeOffset("lastModifiedDateTime");
            set => SetMember("lastModifiedDateTime", value);
        }

        /// <summary>Graph <c>manager</c>.</summary>
        public RelatedPerson? Manager
        {
            get => GetObject<RelatedPerson>("manager");
            set => SetMember("manager", value);
        }

        /// <summary>Graph <c>source</c>.</summary>
        public PersonDataSources? Source
        {
            get => GetObject<PersonDataSources>("source");
            set => SetMember("source", value);
        }

        /// <summary>Graph <c>sources</c>.</summary>
        public GraphList<ProfileSourceAnnotation>? Sources
        {
            get => GetList<ProfileSourceAnnotation>("sources");
            set => SetMember("sources", value);
        }
    }
}
