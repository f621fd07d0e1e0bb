using ProfilePositions.Sandbox;

SandboxOptions options;
try
{
    options = SandboxOptionsParser.Parse(args);
}
catch (ArgumentException error)
{
    Console.Error.WriteLine(error.Message);
    Console.Error.WriteLine("Usage: ProfilePositions.Sandbox [--port <n>] [--seed <int>] [--data <file.json> [--reseed | --export <file>] [--durability os|fsync]] [--latency-ms <min>-<max>] [--throttle <n>/<seconds>] [--page-size <n>] [--loose] [--shuffle-batch] [--verbose] [--help]");
    return 2;
}

if (options.ShowHelp)
{
    Console.Out.WriteLine(SandboxOptionsParser.HelpText);
    return 0;
}

if (options.ExportFile is not null)
{
    return SandboxExport.Run(options.DataFile!, options.ExportFile);
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
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
Console.Out.WriteLine($"ProfilePositions Graph sandbox (beta workPosition); seed {server.Seed}" + (options.DataFile is null ? string.Empty : $"; data {Path.GetFullPath(options.DataFile)}; {server.StoreDescription}"));
Console.Out.WriteLine($"Now listening on: {server.BaseUri.GetLeftPart(UriPartial.Authority)}");
Console.Out.Flush();

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}

await server.StopAsync();
return 0;
