using System.Net;
using Microsoft.Graph;
using Microsoft.Graph.Core.Requests;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using ProfilePositions.Sandbox.Tests.Infrastructure;
using ProfilePositions.Sandbox.Tests.Kiota;
using ProfilePositions.Sandbox.Tests.Kiota.Models;
using ProfilePositions.Sandbox.Tests.Kiota.Models.ODataErrors;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// A client that Microsoft's Kiota generates at build time from Microsoft's own OpenAPI description (the slice in
/// OpenApi/people-positions.yml, with the backing store so nulls are sent) drives the sandbox: every call succeeds
/// or gets the error the sandbox documents, and Microsoft.Graph.Core's batch content works on the same adapter.
/// </summary>
public sealed class KiotaClientTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    private HttpClientRequestAdapter adapter = null!;
    private PositionsClient client = null!;
    private string userId = string.Empty;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        userId = (await Sandbox.UserAsync(SandboxClient.AdeleUpn)).Id;
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");
        adapter = new HttpClientRequestAdapter(new SandboxToken(token), httpClient: KiotaClientFactory.Create())
        {
            BaseUrl = new Uri(Sandbox.BaseUri, "beta").ToString(),
        };
        client = new PositionsClient(adapter);
    }

    public override Task DisposeAsync()
    {
        adapter.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Create_list_count_get_patch_with_nulls_and_delete_round_trip()
    {
        var positions = client.Users[userId].Profile.Positions;
        var created = await positions.PostAsync(new WorkPosition
        {
            AllowedAudiences = AllowedAudiences.Organization | AllowedAudiences.Contacts,
            Categories = ["kiota"],
            IsCurrent = true,
            Detail = new PositionDetail
            {
                JobTitle = "Generated client",
                Role = "testing",
                StartMonthYear = new Date(2021, 3, 1),
                Layer = 2,
                Company = new CompanyDetail
                {
                    DisplayName = "Contoso",
                    Department = "Quality",
                    Address = new PhysicalAddress { City = "Oslo", Type = PhysicalAddressType.Business },
                },
            },
            Manager = new RelatedPerson { DisplayName = "Boss", Relationship = PersonRelationship.UnknownFutureValue },
            Source = new PersonDataSources { Type = ["User"] },
            Sources = [new ProfileSourceAnnotation { SourceId = "46a57efc-33f8-4eec-a512-b90039ad6187", IsDefaultSource = true }],
        });
        Assert.NotNull(created);
        Assert.True(Guid.TryParse(created!.Id, out _));
        Assert.Equal(AllowedAudiences.Contacts | AllowedAudiences.Organization, created.AllowedAudiences);
        Assert.Equal(userId, created.CreatedBy?.User?.Id);
        Assert.NotNull(created.CreatedDateTime);
        Assert.Equal(new Date(2021, 3, 1), created.Detail?.StartMonthYear);
        Assert.Equal(PhysicalAddressType.Business, created.Detail?.Company?.Address?.Type);
        Assert.Equal(PersonRelationship.UnknownFutureValue, created.Manager?.Relationship);
        Assert.Equal(["User"], created.Source?.Type);
        Assert.True(created.AdditionalData.ContainsKey("@odata.context"));
        await positions.PostAsync(new WorkPosition { Detail = new PositionDetail { JobTitle = "Second", Company = new CompanyDetail { DisplayName = "Fabrikam" } }, IsCurrent = false });

        // List with every query option the description offers except $expand and $search.
        var page = await positions.GetAsync(request =>
        {
            request.QueryParameters.Filter = "startswith(detail/jobTitle,'Gen') or detail/company/displayName eq 'Fabrikam'";
            request.QueryParameters.Orderby = ["detail/company/displayName desc"];
            request.QueryParameters.Select = ["detail", "isCurrent"];
            request.QueryParameters.Top = 1;
            request.QueryParameters.Skip = 0;
            request.QueryParameters.Count = true;
        });
        var first = Assert.Single(page!.Value!);
        Assert.Equal("Second", first.Detail?.JobTitle);
        Assert.Null(first.AllowedAudiences);
        Assert.Equal(2L, Convert.ToInt64(page.AdditionalData["@odata.count"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(page.OdataNextLink);

        Assert.Equal(2, await positions.Count.GetAsync());
        Assert.Equal(1, await positions.Count.GetAsync(request => request.QueryParameters.Filter = "isCurrent eq true"));

        var fetched = await positions[created.Id].GetAsync(request => request.QueryParameters.Select = ["id", "detail"]);
        Assert.Equal("Contoso", fetched!.Detail?.Company?.DisplayName);
        Assert.Null(fetched.IsCurrent);

        // PATCH with nulls: the backing store sends the members set to null, and the sandbox clears them.
        var patched = await positions[created.Id].PatchAsync(new WorkPosition
        {
            IsCurrent = null,
            Categories = null,
            Detail = new PositionDetail { JobTitle = "Patched by Kiota", Role = null, Company = new CompanyDetail { DisplayName = "Contoso", Department = null } },
        });
        Assert.Equal("Patched by Kiota", patched!.Detail?.JobTitle);
        Assert.Null(patched.Detail?.Role);
        Assert.Null(patched.Detail?.Company?.Department);
        Assert.Equal("Oslo", patched.Detail?.Company?.Address?.City);
        Assert.Null(patched.IsCurrent);
        Assert.Null(patched.Categories);
        Assert.Equal(new Date(2021, 3, 1), patched.Detail?.StartMonthYear);

        var journal = await Sandbox.JournalAsync();
        var sent = System.Text.Json.Nodes.JsonNode.Parse(journal.Last(e => e!["method"]!.GetValue<string>() == "PATCH")!["body"]!.GetValue<string>())!;
        Assert.True(sent.AsObject().ContainsKey("isCurrent") && sent["isCurrent"] is null, sent.ToJsonString());
        Assert.True(sent["detail"]!.AsObject().ContainsKey("role") && sent["detail"]!["role"] is null, sent.ToJsonString());

        // A whole object read back and sent again is accepted: server-managed members are ignored. Marking the
        // backing store uninitialised makes Kiota send every member, not only the changed ones.
        patched.BackingStore.InitializationCompleted = false;
        var again = await positions[created.Id].PatchAsync(patched);
        Assert.Equal(created.Id, again!.Id);
        Assert.Equal(patched.CreatedDateTime, again.CreatedDateTime);
        var whole = System.Text.Json.Nodes.JsonNode.Parse((await Sandbox.JournalAsync()).Last(e => e!["method"]!.GetValue<string>() == "PATCH")!["body"]!.GetValue<string>())!;
        Assert.Equal(created.Id, whole["id"]!.GetValue<string>());
        Assert.NotNull(whole["createdBy"]);
        Assert.NotNull(whole["lastModifiedDateTime"]);

        await positions[created.Id].DeleteAsync();
        var gone = await Assert.ThrowsAsync<ODataError>(() => positions[created.Id].GetAsync());
        Assert.Equal(404, gone.ResponseStatusCode);
        Assert.Equal("itemNotFound", gone.Error?.Code);
        Assert.Equal(1, await positions.Count.GetAsync());
    }

    [Fact]
    public async Task Documented_errors_arrive_as_odata_errors()
    {
        var positions = client.Users[userId].Profile.Positions;
        var expand = await Assert.ThrowsAsync<ODataError>(() => positions.GetAsync(request => request.QueryParameters.Expand = ["detail"]));
        Assert.Equal(400, expand.ResponseStatusCode);
        Assert.Equal("BadRequest", expand.Error?.Code);
        Assert.Contains("Query option 'Expand' is not allowed", expand.Error?.Message, StringComparison.Ordinal);

        var search = await Assert.ThrowsAsync<ODataError>(() => positions.Count.GetAsync(request => request.QueryParameters.Search = "\"Engineer\""));
        Assert.Contains("Query option 'Search' is not allowed", search.Error?.Message, StringComparison.Ordinal);

        var nullName = await Assert.ThrowsAsync<ODataError>(() => positions.PostAsync(new WorkPosition { Detail = new PositionDetail { Company = new CompanyDetail { DisplayName = null } } }));
        Assert.Equal(400, nullName.ResponseStatusCode);
        Assert.Contains("Nullable=False", nullName.Error?.Message, StringComparison.Ordinal);

        var unknownUser = await Assert.ThrowsAsync<ODataError>(() => client.Users["nobody@contoso.com"].Profile.Positions.GetAsync());
        Assert.Equal(404, unknownUser.ResponseStatusCode);
        Assert.Equal("Request_ResourceNotFound", unknownUser.Error?.Code);
        Assert.False(string.IsNullOrEmpty(unknownUser.Error?.InnerError?.AdditionalData["request-id"]?.ToString()));
    }

    [Fact]
    public async Task Graph_core_batch_content_runs_on_the_same_adapter()
    {
        var positions = client.Users[userId].Profile.Positions;
        var existing = await positions.PostAsync(new WorkPosition { Detail = new PositionDetail { JobTitle = "Before the batch" } });

        var batch = new BatchRequestContentCollection(adapter, 20);
        var create = await batch.AddBatchRequestStepAsync(positions.ToPostRequestInformation(new WorkPosition
        {
            AllowedAudiences = AllowedAudiences.Everyone | AllowedAudiences.Family,
            Detail = new PositionDetail { JobTitle = "Batched by Graph.Core", EndMonthYear = new Date(2024, 12, 31) },
        }));
        var patch = await batch.AddBatchRequestStepAsync(positions[existing!.Id].ToPatchRequestInformation(new WorkPosition { IsCurrent = null, Detail = new PositionDetail { JobTitle = "Patched in a batch" } }));
        var list = await batch.AddBatchRequestStepAsync(positions.ToGetRequestInformation(request => request.QueryParameters.Count = true));
        var count = await batch.AddBatchRequestStepAsync(positions.Count.ToGetRequestInformation());
        var expand = await batch.AddBatchRequestStepAsync(positions.ToGetRequestInformation(request => request.QueryParameters.Expand = ["detail"]));

        var responses = await new BatchRequestBuilder(adapter).PostAsync(batch);
        var statuses = await responses.GetResponsesStatusCodesAsync();
        Assert.Equal(HttpStatusCode.Created, statuses[create]);
        Assert.Equal(HttpStatusCode.OK, statuses[patch]);
        Assert.Equal(HttpStatusCode.OK, statuses[list]);
        Assert.Equal(HttpStatusCode.OK, statuses[count]);
        Assert.Equal(HttpStatusCode.BadRequest, statuses[expand]);

        var created = await responses.GetResponseByIdAsync<WorkPosition>(create);
        Assert.Equal("Batched by Graph.Core", created.Detail?.JobTitle);
        Assert.Equal(AllowedAudiences.Family | AllowedAudiences.Everyone, created.AllowedAudiences);
        Assert.Equal(new Date(2024, 12, 31), created.Detail?.EndMonthYear);
        Assert.Equal("Patched in a batch", (await responses.GetResponseByIdAsync<WorkPosition>(patch)).Detail?.JobTitle);
        Assert.Equal(2, (await responses.GetResponseByIdAsync<WorkPositionCollectionResponse>(list)).Value?.Count);

        using var countResponse = await responses.GetResponseByIdAsync(count);
        Assert.Equal("2", await countResponse.Content.ReadAsStringAsync());

        // Graph.Core's own response handler turns an item's error into a ServiceException carrying the item's body.
        var error = await Assert.ThrowsAsync<ServiceException>(() => responses.GetResponseByIdAsync<WorkPosition>(expand));
        Assert.Equal(400, error.ResponseStatusCode);
        Assert.Contains("Query option 'Expand' is not allowed", error.RawResponseBody, StringComparison.Ordinal);
    }

    /// <summary>Puts the sandbox token on every request, as Graph's auth providers do (the sandbox speaks plain HTTP on loopback).</summary>
    private sealed class SandboxToken(string token) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            request.Headers.TryAdd("Authorization", $"Bearer {token}");
            return Task.CompletedTask;
        }
    }
}
