using ProfilePositions.Sandbox;
using ProfilePositions.Sandbox.Hosting;

SandboxOptions options;
try
{
    options = SandboxOptionsParser.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine(SandboxHelp.Usage);
    Console.Error.WriteLine("Run with --help for every option and route.");
    return 2;
}

if (options.Help)
{
    Console.Out.WriteLine(SandboxHelp.Text);
    return 0;
}

if (options.ExportFile is not null)
{
    return SandboxExport.Run(options.DataFile!, options.ExportFile);
}

ParentWatch.Watched? parent = null;
if (options.ParentPid is { } parentPid)
{
    try
    {
        parent = ParentWatch.Open(parentPid);
    }
    catch (ArgumentException)
    {
        Console.Error.WriteLine($"The sandbox did not start: its parent process {parentPid} (--parent-pid) is not running.");
        return 1;
    }
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;

    // Started by a session (--parent-pid, as Start-ProfileGraphSandbox does), the sandbox shares its terminal: a
    // Ctrl+C there is meant for the session's command, not for the sandbox, which stops with the session instead.
    if (parent is null)
    {
        stop.Cancel();
    }
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
    System.Runtime.InteropServices.PosixSignal.SIGTERM,
    context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });

SandboxServer server;
try
{
    server = await SandboxServer.StartAsync(options, stop.Token);
}
catch (Exception error) when (error is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
{
    // A bad data file or a port in use: say so plainly instead of a stack trace.
    Console.Error.WriteLine($"The sandbox could not start: {error.Message}");
    return 1;
}

await using var running = server;
using var shutdown = server.Stopping.Register(stop.Cancel);
Console.Out.WriteLine($"ProfilePositions Graph sandbox (beta workPosition); seed {server.Seed}" + (options.DataFile is null ? string.Empty : $"; data {Path.GetFullPath(options.DataFile)}; {server.StoreDescription}"));
if (server.CertificatePath is not null)
{
    // Before the listening lines, so a helper that waits for them has read the path already.
    Console.Out.WriteLine($"HTTPS certificate: {server.CertificatePath}");
}

Console.Out.WriteLine($"Now listening on: {server.BaseUri.GetLeftPart(UriPartial.Authority)}");
if (server.HttpsBaseUri is not null)
{
    Console.Out.WriteLine($"Now listening on: {server.HttpsBaseUri.GetLeftPart(UriPartial.Authority)}");
}

Console.Out.Flush();

if (parent is { } watched)
{
    _ = Task.Run(async () =>
    {
        if (await ParentWatch.WaitForExitAsync(watched, stop.Token).ConfigureAwait(false))
        {
            Console.Out.WriteLine($"Parent process {watched.Pid} exited; stopping.");
            Console.Out.Flush();
            stop.Cancel();
        }
    });
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

await server.StopAsync();
return 0;
