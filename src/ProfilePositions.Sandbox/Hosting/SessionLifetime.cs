using Microsoft.Extensions.Hosting;

namespace ProfilePositions.Sandbox.Hosting;

/// <summary>
/// The host lifetime of a sandbox started with --parent-pid: it listens to no console signal. Such a sandbox stops
/// when its parent exits, on POST /_sandbox/shutdown or on SIGTERM (handled in Program), not on the Ctrl+C meant for
/// the session that started it.
/// </summary>
internal sealed class SessionLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
