namespace ProfilePositions.Sandbox.State;

/// <summary>The fixed demo tenant used when no data file is given. Ids never change so tests can hard-wire them.</summary>
internal static class DemoTenant
{
    public const string TenantId = "5e1f1a4b-7c4e-4d8a-9a57-2f6d0c3b9e10";

    public static IReadOnlyList<TenantUser> Users { get; } =
    [
        new("3f0b4a5e-8d2c-4b71-9e6a-1c2d3e4f5a61", "adele.vance@contoso.com", "Adele Vance"),
        new("8b7c6d5e-4f3a-4b2c-8d1e-0f9a8b7c6d52", "megan.bowen@contoso.com", "Megan Bowen"),
        new("c4d3e2f1-a0b9-4c8d-9e7f-6a5b4c3d2e13", "alex.wilber_fabrikam.com#EXT#@contoso.onmicrosoft.com", "Alex Wilber"),
        new("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c54", "$svc.positions@contoso.com", "Positions Service"),
        new("9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c65", "patrick.o'brien@contoso.com", "Patrick O'Brien"),
        new("5c4b3a29-1807-4f6e-9d5c-4b3a29180776", "lee.gu@contoso.com", "Lee Gu"),
        // The user of Microsoft's documented examples, with the id those examples show.
        new("db789417-4ccb-41d1-a0a9-47b01a09ea49", "innocenty.popov@contoso.com", "Innocenty Popov"),
    ];
}
