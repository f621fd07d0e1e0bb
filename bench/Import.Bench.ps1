#Requires -Version 7.0
<#
.SYNOPSIS
    How long Import-Module of the built module takes beyond pwsh's own start, and how many assemblies it loads.

.DESCRIPTION
    Runs `pwsh -NoProfile -c "Import-Module <psd1>"` and `pwsh -NoProfile -c "$null"` alternately, -Runs times
    each, and reports the median of each and their difference, and the median of a stopwatch around
    Import-Module inside the child (the difference of two ~1.5 s process starts is mostly noise when the
    import itself is small). A separate run counts the assemblies in the
    AppDomain before and after the import (and names the ones the import added). A bench, not a test: it
    prints figures and asserts nothing.

.EXAMPLE
    dotnet pwsh ./bench/Import.Bench.ps1 -ModuleManifest ./out/ProfilePositions/ProfilePositions.psd1
#>
param(
    [string] $ModuleManifest = (Join-Path $PSScriptRoot '../out/ProfilePositions/ProfilePositions.psd1'),
    [int] $Runs = 15
)

$ErrorActionPreference = 'Stop'
$ModuleManifest = (Resolve-Path $ModuleManifest).Path

# Start pwsh the way this one was started: the dotnet tool runs as 'dotnet pwsh.dll'.
$pwshPath = [Environment]::ProcessPath
$prefix = @()
if ([IO.Path]::GetFileNameWithoutExtension($pwshPath) -eq 'dotnet') {
    $prefix = @([Reflection.Assembly]::GetEntryAssembly().Location)
}

function Measure-Pwsh([string] $Command) {
    # Wall time of the whole process, and what the command printed (the in-process import time).
    $watch = [Diagnostics.Stopwatch]::StartNew()
    $output = & $pwshPath @prefix -NoProfile -NonInteractive -Command $Command
    $watch.Stop()
    if ($LASTEXITCODE -ne 0) { throw "pwsh -c '$Command' failed with exit code $LASTEXITCODE." }
    [pscustomobject]@{ Wall = $watch.Elapsed.TotalMilliseconds; Output = $output }
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $middle = [int][Math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { return $sorted[$middle] }
    ($sorted[$middle - 1] + $sorted[$middle]) / 2
}

# The same command line shape as the brief's 'pwsh -c "Import-Module <psd1>"', plus a stopwatch around the import
# itself, which is far less noisy than the difference of two process start times.
$importCommand = "`$w = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$($ModuleManifest -replace "'", "''")'; `$w.Stop(); `$w.Elapsed.TotalMilliseconds"
# One warm-up of each so disk caches are equally warm for both.
$null = Measure-Pwsh '$null'
$null = Measure-Pwsh $importCommand

$baseline = [Collections.Generic.List[double]]::new()
$import = [Collections.Generic.List[double]]::new()
$inProcess = [Collections.Generic.List[double]]::new()
for ($i = 0; $i -lt $Runs; $i++) {
    # Alternate so a slow moment on the machine hits both series alike.
    $baseline.Add((Measure-Pwsh '$null').Wall)
    $run = Measure-Pwsh $importCommand
    $import.Add($run.Wall)
    $inProcess.Add([double]::Parse(($run.Output | Select-Object -Last 1), [Globalization.CultureInfo]::InvariantCulture))
}

$countScript = @"
`$before = [AppDomain]::CurrentDomain.GetAssemblies()
Import-Module '$($ModuleManifest -replace "'", "''")'
`$after = [AppDomain]::CurrentDomain.GetAssemblies()
`$added = `$after | Where-Object { `$before -notcontains `$_ } | ForEach-Object { `$_.GetName().Name } | Sort-Object
"`$(`$before.Count)|`$(`$after.Count)|`$(`$added -join ',')"
"@
$counts = (& $pwshPath @prefix -NoProfile -NonInteractive -Command $countScript | Select-Object -Last 1) -split '\|', 3

$baselineMedian = Get-Median $baseline
$importMedian = Get-Median $import
$figures = [ordered]@{
    Runs                       = $Runs
    'pwsh start median (ms)'   = [Math]::Round($baselineMedian, 1)
    'with import median (ms)'  = [Math]::Round($importMedian, 1)
    'difference of medians (ms)' = [Math]::Round($importMedian - $baselineMedian, 1)
    'Import-Module in-process median (ms)' = [Math]::Round((Get-Median $inProcess), 1)
    'assemblies before import' = [int] $counts[0]
    'assemblies after import'  = [int] $counts[1]
    'assemblies loaded by import' = [int] $counts[1] - [int] $counts[0]
}
[pscustomobject] $figures | Format-List | Out-Host
Write-Host "Loaded by the import: $($counts[2] -replace ',', ', ')"
Write-Host ("Import-Module median: {0:N0} ms measured inside pwsh ({1:N0} ms as the difference of process medians) over {2} runs; {3} assemblies loaded by the import" -f (Get-Median $inProcess), ($importMedian - $baselineMedian), $Runs, ([int] $counts[1] - [int] $counts[0]))
