using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// --data in process: the JSON file seeds a store beside it (tenant.json → tenant.db), the store keeps every change
/// and wins on restart, an edited file is refused until --reseed, reset returns to the seed, export writes a file
/// that seeds again, and damaged files fail with a message instead of an empty tenant.
/// </summary>
public sealed class DataFileTests : IDisposable
{
    private const string UserId = "db789417-4ccb-41d1-a0a9-47b01a09ea49";
    private const string Upn = "innocenty.popov@adventureworks.com";
    private const string OpsUpn = "$ops@adventureworks.com";
    private readonly string folder = Path.Combine(Path.GetTempPath(), "pp-sandbox-tests", Guid.NewGuid().ToString("N"));

    public DataFileTests()
    {
        Directory.CreateDirectory(folder);
    }

    private string DataFile => Path.Combine(folder, "custom.json");

    private string StoreFile => Path.Combine(folder, "custom.db");

    [Fact]
    public async Task Hand_written_file_seeds_the_store_and_reset_returns_to_it()
    {
        // The documented create response, with a real date instead of the documentation placeholder.
        var documented = GoldenJson.Load("create-response.json").AsObject();
        documented["detail"]!["startMonthYear"] = "2001-01-01";
        var initial = HandWritten(documented);
        await File.WriteAllTextAsync(DataFile, initial.ToJsonString());
        var written = await File.ReadAllBytesAsync(DataFile);

        await using (var server = await StartAsync(seed: 8))
        {
            using var client = new SandboxClient(server.BaseUri);
            Assert.Equal([Upn, OpsUpn], (await client.UsersAsync()).Select(u => u.UserPrincipalName));
            var token = await client.TokenAsync(Upn, "User.ReadWrite.All");

            // The stored documented object comes back as written, with the schema's other members present as null.
            var list = await client.GetAsync("beta/me/profile/positions", token);
            GraphAssert.Status(list, 200);
            GraphAssert.SameMembers(documented, Assert.Single(list.Object["value"]!.AsArray()));
            Assert.Empty((await client.GetAsync($"beta/users('{OpsUpn}')/profile/positions", token)).Object["value"]!.AsArray());

            await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("Kept in the store"));
            var state = await client.StateAsync();
            Assert.Equal(1, state["version"]!.GetValue<int>());
            Assert.Equal(2, state["positions"]![UserId]!.AsArray().Count);

            // The JSON file is the seed: writes go to the store beside it and leave the file as the user wrote it.
            Assert.Equal(written, await File.ReadAllBytesAsync(DataFile));
            Assert.True(File.Exists(StoreFile));
            Assert.Contains($"store {StoreFile}", server.StoreDescription, StringComparison.Ordinal);

            await client.ResetAsync();
            AssertSamePositions(initial, await client.StateAsync());
        }

        // Reset was written to the store too.
        await using (var restarted = await StartAsync())
        {
            using var client = new SandboxClient(restarted.BaseUri);
            AssertSamePositions(initial, await client.StateAsync());
        }

        Assert.Equal(written, await File.ReadAllBytesAsync(DataFile));
    }

    [Fact]
    public async Task Missing_file_is_created_with_the_demo_tenant_and_changes_survive_a_restart()
    {
        JsonObject acknowledged;
        await using (var server = await StartAsync(seed: 9))
        {
            using var client = new SandboxClient(server.BaseUri);
            var token = await client.TokenAsync();
            await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("First"));
            acknowledged = await client.StateAsync();
            Assert.Contains("demo tenant", server.StoreDescription, StringComparison.Ordinal);
        }

        // The file holds the demo tenant (to edit and reseed from); the position is in the store only.
        var file = JsonNode.Parse(await File.ReadAllTextAsync(DataFile))!;
        Assert.Equal(1, file["version"]!.GetValue<int>());
        GraphAssert.JsonEqual(acknowledged["users"], file["users"]);
        Assert.Contains(SandboxClient.GuestUpn, file["users"]!.AsArray().Select(u => u!["userPrincipalName"]!.GetValue<string>()));
        Assert.Empty(file["positions"]!.AsObject());

        await using (var restarted = await StartAsync())
        {
            using var client = new SandboxClient(restarted.BaseUri);
            GraphAssert.JsonEqual(acknowledged, await client.StateAsync());
            var adele = await client.UserAsync(SandboxClient.AdeleUpn);
            Assert.Equal("First", Assert.Single((await client.StateAsync())["positions"]![adele.Id]!.AsArray())!["detail"]!["jobTitle"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Store_wins_on_restart_and_an_edited_file_is_refused_until_reseed()
    {
        await File.WriteAllTextAsync(DataFile, HandWritten().ToJsonString());
        JsonObject acknowledged;
        await using (var server = await StartAsync())
        {
            using var client = new SandboxClient(server.BaseUri);
            var token = await client.TokenAsync(Upn, "User.ReadWrite");
            var id = (await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("Created")))["id"]!.GetValue<string>();
            var deleted = (await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("Deleted")))["id"]!.GetValue<string>();
            GraphAssert.Status(await client.PatchJsonAsync($"beta/me/profile/positions/{id}", token, """{"detail":{"jobTitle":"Patched"}}"""), 200);
            GraphAssert.Status(await client.DeleteAsync($"beta/me/profile/positions/{deleted}", token), 204);
            acknowledged = await client.StateAsync();
        }

        // The unchanged file and the store: the store wins. A missing file leaves the store in charge too.
        await using (var restarted = await StartAsync())
        {
            using var client = new SandboxClient(restarted.BaseUri);
            GraphAssert.JsonEqual(acknowledged, await client.StateAsync());
        }

        var original = await File.ReadAllBytesAsync(DataFile);
        File.Delete(DataFile);
        await using (var withoutFile = await StartAsync())
        {
            using var client = new SandboxClient(withoutFile.BaseUri);
            GraphAssert.JsonEqual(acknowledged, await client.StateAsync());
        }

        // Reset needs no file: the store keeps the seed it was made from.
        await using (var resetWithoutFile = await StartAsync())
        {
            using var client = new SandboxClient(resetWithoutFile.BaseUri);
            await client.ResetAsync();
            AssertSamePositions(HandWritten(), await client.StateAsync());
        }

        await using (var afterReset = await StartAsync())
        {
            using var client = new SandboxClient(afterReset.BaseUri);
            AssertSamePositions(HandWritten(), await client.StateAsync());
        }

        // The restarts above must not have written the file back.
        Assert.False(File.Exists(DataFile));

        // An edit after the store was made would be ignored silently, so the sandbox refuses to start.
        var edited = HandWritten();
        edited["users"]!.AsArray().Add(new JsonObject { ["id"] = "5d1b2c3e-0000-4000-8000-000000000002", ["userPrincipalName"] = "new@adventureworks.com" });
        await File.WriteAllTextAsync(DataFile, edited.ToJsonString());
        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync());
        Assert.Contains(DataFile, refused.Message, StringComparison.Ordinal);
        Assert.Contains("has changed since", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--reseed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--export", refused.Message, StringComparison.Ordinal);

        // Putting the file back is accepted; --reseed loads the edit and drops the store's changes.
        await File.WriteAllBytesAsync(DataFile, original);
        await (await StartAsync()).StopAsync();
        await File.WriteAllTextAsync(DataFile, edited.ToJsonString());
        await using (var reseeded = await StartAsync(reseed: true))
        {
            using var client = new SandboxClient(reseeded.BaseUri);
            Assert.Contains("new@adventureworks.com", (await client.UsersAsync()).Select(u => u.UserPrincipalName));
            Assert.False((await client.StateAsync())["positions"]!.AsObject().ContainsKey(UserId));
        }

        await (await StartAsync()).StopAsync();
    }

    [Fact]
    public async Task Export_writes_the_seed_form_that_seeds_an_equal_tenant()
    {
        await File.WriteAllTextAsync(DataFile, HandWritten().ToJsonString());
        JsonObject acknowledged;
        await using (var server = await StartAsync())
        {
            using var client = new SandboxClient(server.BaseUri);
            var token = await client.TokenAsync(OpsUpn, "User.ReadWrite.All");
            await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("Exported"));
            await client.CreatePositionAsync($"users/{UserId}", token, SandboxClient.PositionBody("For Innocenty"));
            acknowledged = await client.StateAsync();

            // The store is held by the running sandbox, so an export waits for it to stop.
            Assert.Equal(1, SandboxExport.Run(DataFile, Path.Combine(folder, "busy.json")));
        }

        var exported = Path.Combine(folder, "exported.json");
        Assert.Equal(0, SandboxExport.Run(DataFile, exported));
        GraphAssert.JsonEqual(acknowledged, JsonNode.Parse(await File.ReadAllTextAsync(exported)));
        Assert.False(File.Exists(Path.Combine(folder, "busy.json")));

        await using var copy = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DataFile = exported });
        using var copyClient = new SandboxClient(copy.BaseUri);
        GraphAssert.JsonEqual(acknowledged, await copyClient.StateAsync());
        Assert.Equal(1, SandboxExport.Run(Path.Combine(folder, "never-started.json"), Path.Combine(folder, "none.json")));
    }

    [Fact]
    public async Task Parallel_writes_and_batches_are_all_in_the_store_after_a_restart()
    {
        JsonObject acknowledged;
        await using (var server = await StartAsync())
        {
            using var client = new SandboxClient(server.BaseUri);
            var users = await client.UsersAsync();
            var writers = users.Select(async (user, index) =>
            {
                var token = await client.TokenAsync(user.UserPrincipalName, "User.ReadWrite");
                for (var round = 0; round < 15; round++)
                {
                    var id = (await client.CreatePositionAsync("me", token, SandboxClient.PositionBody($"{index}-{round}")))["id"]!.GetValue<string>();
                    GraphAssert.Status(await client.PatchJsonAsync($"beta/me/profile/positions/{id}", token, $$$"""{"detail":{"jobTitle":"{{{index}}}-{{{round}}} patched"}}"""), 200);
                    if (round % 3 == 0)
                    {
                        GraphAssert.Status(await client.DeleteAsync($"beta/me/profile/positions/{id}", token), 204);
                    }

                    var batch = BatchTests.Envelope(BatchTests.CreateItem("1", $"{index}-{round} a"), BatchTests.CreateItem("2", $"{index}-{round} b"));
                    GraphAssert.Status(await client.PostJsonAsync(BatchTests.BatchPath, token, batch), 200);
                }
            });
            await Task.WhenAll(writers);
            acknowledged = await client.StateAsync();
            Assert.Equal(users.Count * 15 * 3 - (users.Count * 5), (await client.HealthAsync())["positions"]!.GetValue<int>());
        }

        await using var restarted = await StartAsync();
        using var restartedClient = new SandboxClient(restarted.BaseUri);
        GraphAssert.JsonEqual(acknowledged, await restartedClient.StateAsync());
    }

    [Fact]
    public async Task Positions_stored_by_another_build_are_normalised_again_and_written_back()
    {
        await File.WriteAllTextAsync(DataFile, HandWritten().ToJsonString());
        await (await StartAsync()).StopAsync();

        // As an older sandbox might have stored it: members missing, a flags value not in canonical form.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StoreFile};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE meta SET value = 'an older build' WHERE key = 'normalized_by';
                INSERT INTO positions(seq, user_id, id, json) VALUES (1, $user, 'old-1',
                  '{"id":"old-1","allowedAudiences":"organization, contacts","detail":{"jobTitle":"Stored by an older build"},"createdDateTime":"2024-01-01T00:00:00.0000000Z"}');
                """;
            command.Parameters.AddWithValue("$user", UserId);
            command.ExecuteNonQuery();
        }

        JsonNode stored;
        await using (var server = await StartAsync())
        {
            using var client = new SandboxClient(server.BaseUri);
            var token = await client.TokenAsync(Upn, "User.ReadWrite");
            stored = (await client.GetAsync("beta/me/profile/positions/old-1", token)).Object;
            Assert.Equal("contacts,organization", stored["allowedAudiences"]!.GetValue<string>());
            Assert.True(stored.AsObject().ContainsKey("isSearchable"));
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StoreFile};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT json FROM positions WHERE id = 'old-1'";
            Assert.Equal("contacts,organization", JsonNode.Parse((string)command.ExecuteScalar()!)!["allowedAudiences"]!.GetValue<string>());
            command.CommandText = "SELECT value FROM meta WHERE key = 'normalized_by'";
            Assert.NotEqual("an older build", command.ExecuteScalar());
        }
    }

    [Fact]
    public async Task Data_file_in_a_folder_that_does_not_exist_yet_is_made_there()
    {
        var nested = Path.Combine(folder, "new", "folder", "tenant.json");
        await using (var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, DataFile = nested }))
        {
            using var client = new SandboxClient(server.BaseUri);
            Assert.NotEmpty(await client.UsersAsync());
        }

        Assert.Equal(["tenant.db", "tenant.identity.json", "tenant.json"], Directory.GetFiles(Path.GetDirectoryName(nested)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Resets_between_parallel_writes_leave_the_store_as_memory_is()
    {
        await File.WriteAllTextAsync(DataFile, HandWritten().ToJsonString());
        JsonObject final;
        await using (var server = await StartAsync())
        {
            using var client = new SandboxClient(server.BaseUri);
            var token = await client.TokenAsync(Upn, "User.ReadWrite.All");
            using var stop = new CancellationTokenSource();
            var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
            var writers = Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var response = await client.PostJsonAsync(writer % 2 == 0 ? "beta/me/profile/positions" : $"beta/users('{OpsUpn}')/profile/positions", token, SandboxClient.PositionBody($"{writer}-{n}"));
                    statuses.Add(response.StatusCode);
                }
            })).ToList();
            for (var reset = 0; reset < 15; reset++)
            {
                await Task.Delay(20);
                await client.ResetAsync();
            }

            await stop.CancelAsync();
            await Task.WhenAll(writers);
            Assert.All(statuses, status => Assert.Equal(201, status));
            final = await client.StateAsync();
        }

        await using var restarted = await StartAsync();
        using var restartedClient = new SandboxClient(restarted.BaseUri);
        GraphAssert.JsonEqual(final, await restartedClient.StateAsync());
    }

    [Fact]
    public async Task A_store_in_use_is_refused()
    {
        await using var server = await StartAsync();
        var refused = await Assert.ThrowsAsync<IOException>(() => StartAsync());
        Assert.Contains("in use", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{\"version\":1,\"users\":[{\"id\":\"a\",\"userPrin", "not valid JSON")]
    [InlineData("{}", "no \"users\" array")]
    [InlineData("{\"version\":1,\"users\":[]}", "lists no users")]
    [InlineData("{\"version\":2,\"users\":[{\"id\":\"a\",\"userPrincipalName\":\"a@b\"}]}", "version 2")]
    [InlineData("{\"version\":\"1\",\"users\":[{\"id\":\"a\",\"userPrincipalName\":\"a@b\"}]}", "version \"1\"")]
    [InlineData("{\"users\":[{\"id\":\"a\",\"userPrincipalName\":\"a@b\"},{\"id\":\"A\",\"userPrincipalName\":\"c@b\"}]}", "twice")]
    [InlineData("{\"users\":[{\"id\":\"a\",\"userPrincipalName\":\"a@b\"}],\"positions\":{\"a\":{}}}", "not an array")]
    [InlineData("{\"users\":[{\"id\":\"a\",\"userPrincipalName\":\"a@b\"}],\"positions\":{\"a\":[{\"id\":5}]}}", "string id")]
    [InlineData("{\"users\":[{\"id\":\"a\",\"userPrincipalName\":\"a@b\"}],\"positions\":{\"b\":[]}}", "unknown user 'b'")]
    [InlineData("{\"users\":[{\"id\":\"a\",\"userPrincipalName\":\"a@b\"}],\"positions\":{\"a\":[{\"id\":\"p\"},{\"id\":\"p\"}]}}", "'p' twice")]
    public async Task Damaged_data_file_fails_with_its_reason_and_leaves_no_store(string content, string reason)
    {
        await File.WriteAllTextAsync(DataFile, content);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync());
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal(["custom.json"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Damaged_store_fails_with_its_reason_until_reseed()
    {
        await File.WriteAllTextAsync(DataFile, HandWritten().ToJsonString());
        await using (var server = await StartAsync())
        {
            using var client = new SandboxClient(server.BaseUri);
            var token = await client.TokenAsync(Upn, "User.ReadWrite");
            for (var i = 0; i < 40; i++)
            {
                await client.CreatePositionAsync("me", token, SandboxClient.PositionBody($"Position {i} {new string('x', 2000)}"));
            }
        }

        // Cut short, as a copy that stopped half way would be.
        var whole = await File.ReadAllBytesAsync(StoreFile);
        await File.WriteAllBytesAsync(StoreFile, whole[..(whole.Length / 2)]);
        var cut = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync());
        Assert.Contains("is damaged", cut.Message, StringComparison.Ordinal);
        Assert.Contains("--reseed", cut.Message, StringComparison.Ordinal);

        // Not a database at all.
        await File.WriteAllBytesAsync(StoreFile, [.. whole[..100].Select(b => (byte)~b), .. whole[100..]]);
        Assert.Contains("is damaged", (await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync())).Message, StringComparison.Ordinal);

        await using (var reseeded = await StartAsync(reseed: true))
        {
            using var client = new SandboxClient(reseeded.BaseUri);
            AssertSamePositions(HandWritten(), await client.StateAsync());
        }

        // Some other program's database under the store's name is not read as a tenant; --reseed replaces it.
        File.Delete(StoreFile);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StoreFile};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE positions (x); CREATE TABLE other (y);";
            command.ExecuteNonQuery();
        }

        Assert.Contains("not a sandbox store", (await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync())).Message, StringComparison.Ordinal);
        await (await StartAsync(reseed: true)).StopAsync();

        // An empty store file is what a first start killed before its first commit leaves: it is made again.
        await File.WriteAllBytesAsync(StoreFile, []);
        await using var remade = await StartAsync();
        Assert.Contains("made now", remade.StoreDescription, StringComparison.Ordinal);
    }

    private Task<SandboxServer> StartAsync(int seed = 1, bool reseed = false) =>
        SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = seed, DataFile = DataFile, Reseed = reseed });

    private static JsonObject HandWritten(JsonObject? position = null) => new()
    {
        ["version"] = 1,
        ["users"] = new JsonArray(
            new JsonObject { ["id"] = UserId, ["userPrincipalName"] = Upn, ["displayName"] = "Innocenty Popov" },
            new JsonObject { ["id"] = "5d1b2c3e-0000-4000-8000-000000000001", ["userPrincipalName"] = OpsUpn, ["displayName"] = "Ops" }),
        ["positions"] = new JsonObject { [UserId] = position is null ? new JsonArray() : new JsonArray(position.DeepClone()) },
    };

    // Users without positions may be listed with an empty array.
    private static void AssertSamePositions(JsonNode expected, JsonNode actual)
    {
        GraphAssert.SameMembers(expected["positions"]![UserId] ?? new JsonArray(), actual["positions"]![UserId] ?? new JsonArray());
        Assert.All(actual["positions"]!.AsObject().Where(p => p.Key != UserId), p => Assert.Empty(p.Value!.AsArray()));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
