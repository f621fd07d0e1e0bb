namespace ProfilePositions.Sandbox.State;

/// <summary>
/// The store changes one Graph request made (a plain request, or every item of a $batch envelope). The handlers run
/// without waiting for the store; the request waits here, without holding a thread, before its response is sent, so an
/// acknowledged write is still in the store before anyone hears of it. Outside a request (admin routes, tests) a change
/// is waited for where it is made.
/// </summary>
internal sealed class PendingWrites
{
    private static readonly AsyncLocal<PendingWrites?> Ambient = new();
    private readonly List<(TenantStore Store, StoreChange Change)> _changes = [];

    /// <summary>The collector of the request this code runs for; null outside one.</summary>
    public static PendingWrites? Current => Ambient.Value;

    /// <summary>Starts collecting for the request the calling async method handles (it flows into what that method calls).</summary>
    public static PendingWrites Begin()
    {
        var pending = new PendingWrites();
        Ambient.Value = pending;
        return pending;
    }

    public void Add(TenantStore store, StoreChange change)
    {
        lock (_changes)
        {
            _changes.Add((store, change));
        }
    }

    /// <summary>Waits for the changes of the request this code runs for, if any (see <see cref="WaitAsync"/>).</summary>
    public static Task WaitCurrentAsync() => Current?.WaitAsync() ?? Task.CompletedTask;

    /// <summary>Returns once every change is in the store; throws the store's IOException when one could not be written.</summary>
    public async Task WaitAsync()
    {
        (TenantStore Store, StoreChange Change)[] changes;
        lock (_changes)
        {
            changes = [.. _changes];
        }

        foreach (var (store, change) in changes)
        {
            await store.WaitWrittenAsync(change).ConfigureAwait(false);
        }
    }
}
