#Requires -Version 7.0
<#
.SYNOPSIS
    Runs a Pester suite in this (fresh) process and writes a JSON summary for build.ps1 to count from. Works with
    Pester 5 and Pester 6 (the user-style example suite runs under both).
.NOTES
    build.ps1 starts this script in a new pwsh so the module is loaded from out/ and from nothing else.
#>
param(
    [Parameter(Mandatory)] [string] $PesterManifest,
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultsDirectory,
    [Parameter(Mandatory)] [string] $SummaryPath,
    # The NUnit file's name (without .xml), so runs of several suites keep their results apart.
    [string] $ResultName = 'pester'
)

$ErrorActionPreference = 'Stop'

Import-Module $PesterManifest -Force

$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestPath
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = Join-Path $ResultsDirectory "$ResultName.xml"

$result = Invoke-Pester -Configuration $configuration

# A failed BeforeAll or a file that cannot be discovered fails no test by itself, but it must fail the run.
$failedBlocks = @($result.FailedBlocks).Count
$failedContainers = @($result.FailedContainers).Count
$summary = [ordered]@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $failedBlocks + $failedContainers
    Skipped = $result.SkippedCount
    NotRun  = $result.NotRunCount
}
$summary | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8
if ($summary.Failed -gt 0) { exit 1 }
exit 0
