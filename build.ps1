#Requires -Version 7.0
<#
.SYNOPSIS
    The front door of the ProfilePositions repository: bootstrap, build, test, soak, run the sandbox, demo, bench, package.

.DESCRIPTION
    Bootstrap  restores build tools from NuGet (Pester 5.7.1 and 6.2.0; there is no PowerShell Gallery here).
    Build      publishes the module and lays it out exactly as it ships in out/ProfilePositions/
               (manifest, format file, cmdlet and model assemblies, Dependencies/ with the engine and its third-party
               closure, MAML help built from en-US/*.md), and publishes the sandbox to out/sandbox/.
    Test       Bootstrap + Build, packs the sandbox tool and installs it offline to out/tools, then xunit (dotnet test),
               Pester 5.7.1 (in a fresh pwsh that imports out/) and the user-style example suite tests/UserExample
               under Pester 5.7.1 and 6.2.0 (installed module and tool), ending with one line: "N passed, N failed".
    Sandbox    runs the local Graph sandbox in the foreground (extra arguments are passed through; default --port 5000).
    Demo       the module's main job against the sandbox, in a fresh pwsh that imports out/ProfilePositions.
    Soak       the fault suite (tests/Pester/Faults.Tests.ps1) with its seed sweep (5,000 rows over 200 users) under
               seeds 1-5 (or $env:PROFILEPOSITIONS_FAULT_SEEDS), about 20 minutes; Test runs it under seed 1.
    Bench      Import-Module time and assembly count of the built module, the bulk bench (bench/Bulk.Bench.ps1: items/s
               against an Invoke-RestMethod loop, throttling, CPU and memory per item), and the sandbox load bench.
    Package    zips out/ProfilePositions into out/ProfilePositions.<version>.zip and packs the sandbox as the .NET tool
               out/ProfilePositions.Sandbox.<version>.nupkg (command profilepositions-sandbox; needs the ASP.NET Core
               10 runtime). Install it offline: dotnet tool install --global ProfilePositions.Sandbox --add-source out
               --version <version>.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Sandbox --port 0 --seed 42
#>
[CmdletBinding()]
param(
    [ValidateSet('Bootstrap', 'Build', 'Test', 'Soak', 'Sandbox', 'Demo', 'Bench', 'Package')]
    [string] $Task = 'Build',

    [string] $Configuration = 'Release',

    # Passed through to the sandbox (Sandbox task), e.g. --port 0 --seed 42 --loose.
    [Parameter(ValueFromRemainingArguments)]
    [string[]] $SandboxArgs = @()
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'

$RepoRoot = $PSScriptRoot
$OutRoot = Join-Path $RepoRoot 'out'
$ModuleName = 'ProfilePositions'
$ModuleOut = Join-Path $OutRoot $ModuleName
$SandboxOut = Join-Path $OutRoot 'sandbox'
$ResultsDir = Join-Path $OutRoot 'TestResults'
$PesterVersion = '5.7.1'
# The user-style example suite (tests/UserExample) runs under each of these; the module's own suites under $PesterVersion.
$UserExamplePesterVersions = @('5.7.1', '6.2.0')
$ToolsOut = Join-Path $OutRoot 'tools'

# The assemblies the module cannot work without; a build that lacks one of them fails.
$RequiredModuleFiles = @('ProfilePositions.dll', 'ProfilePositions.Models.dll', 'ProfilePositions.Engine.dll')
# The assemblies that load in the default context, next to the manifest; every other assembly ships in Dependencies/.
$ModuleRootFiles = @('ProfilePositions.dll', 'ProfilePositions.Models.dll')
# Reference-only or host-provided assemblies that must never ship inside the module folder.
$NeverShip = @('System.Management.Automation.dll', 'Microsoft.PowerShell.CoreCLR.Eventing.dll', 'Microsoft.Management.Infrastructure.dll')

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Invoke-Native {
    # Runs a native command and stops the build if it fails.
    param([string] $FilePath, [string[]] $ArgumentList)
    # NU1603 (a dependency's minimum version is not on our feed; the next one is used) is expected and noisy.
    & $FilePath @ArgumentList | Where-Object { $_ -notmatch 'warning NU1603' } | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-PwshInvocation {
    # How to start a fresh copy of the PowerShell running this script: the dotnet tool runs as 'dotnet pwsh.dll'.
    $processPath = [Environment]::ProcessPath
    $leaf = [IO.Path]::GetFileNameWithoutExtension($processPath)
    if ($leaf -eq 'dotnet') {
        $entry = [Reflection.Assembly]::GetEntryAssembly().Location
        return [pscustomobject]@{ FilePath = $processPath; Prefix = @($entry) }
    }
    [pscustomobject]@{ FilePath = $processPath; Prefix = @() }
}

function Invoke-ChildPwsh {
    # Runs a script file in a fresh pwsh (no profile) and returns its exit code.
    param([string] $ScriptPath, [string[]] $ArgumentList = @())
    $pwsh = Get-PwshInvocation
    & $pwsh.FilePath @($pwsh.Prefix) -NoProfile -NonInteractive -File $ScriptPath @ArgumentList | Out-Host
    $LASTEXITCODE
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile (Join-Path $RepoRoot "$ModuleName.psd1")).ModuleVersion
}

function Invoke-Bootstrap {
    Write-Step "Bootstrap: restoring build tools (Pester $($UserExamplePesterVersions -join ', ')) from NuGet"
    Invoke-Native dotnet @('restore', (Join-Path $RepoRoot 'build/Tools.proj'), '--verbosity', 'quiet')
    $pester = Get-PesterManifest
    Write-Host "Pester: $pester"
    $pester
}

function Get-PesterManifest {
    param([string] $Version = $PesterVersion)
    $line = (& dotnet nuget locals global-packages --list) -join "`n"
    if ($LASTEXITCODE -ne 0 -or $line -notmatch 'global-packages:\s*(.+)') {
        throw 'Could not find the NuGet global packages folder (dotnet nuget locals global-packages --list).'
    }
    $packagesRoot = $Matches[1].Trim()
    $manifest = Join-Path $packagesRoot "pester/$Version/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        throw "Pester $Version was not restored to '$manifest'. Run: dotnet pwsh ./build.ps1 -Task Bootstrap"
    }
    $manifest
}

function Invoke-ModuleBuild {
    $version = Get-ModuleVersion
    Write-Step "Build: $ModuleName $version ($Configuration)"

    $publishDir = Join-Path ([IO.Path]::GetTempPath()) "pp-publish-$PID"
    if (Test-Path $publishDir) { Remove-Item $publishDir -Recurse -Force }
    try {
        Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/ProfilePositions'), '-c', $Configuration, '-o', $publishDir, '--nologo', '-v', 'quiet')

        foreach ($required in $RequiredModuleFiles) {
            if (-not (Test-Path (Join-Path $publishDir $required))) {
                throw "The publish output lacks $required."
            }
        }

        if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
        $null = New-Item -ItemType Directory -Path $ModuleOut, (Join-Path $ModuleOut 'en-US') -Force

        # Only these kinds of file ship: the manifest from the repository root, the format and types files, the testing
        # helpers' script module, the help, and the assemblies of the publish output (the engine's dependency closure,
        # less $NeverShip, in Dependencies/); no pdb, json or xml.
        Copy-Item (Join-Path $RepoRoot "$ModuleName.psd1") $ModuleOut
        Copy-Item (Join-Path $RepoRoot "src/$ModuleName/$ModuleName.format.ps1xml") $ModuleOut
        Copy-Item (Join-Path $RepoRoot "src/$ModuleName/$ModuleName.types.ps1xml") $ModuleOut
        Copy-Item (Join-Path $RepoRoot "src/$ModuleName/$ModuleName.Testing.psm1") $ModuleOut
        Copy-PublishedAssemblies -From $publishDir -To $ModuleOut
    }
    finally {
        if (Test-Path $publishDir) { Remove-Item $publishDir -Recurse -Force }
    }

    Write-Step 'Build: help (en-US/*.md -> MAML and about topic)'
    . (Join-Path $RepoRoot 'build/HelpBuilder.ps1')
    $helpSource = Join-Path $RepoRoot 'en-US'
    $commandPages = Get-ChildItem $helpSource -Filter '*-*.md' | Sort-Object Name
    ConvertTo-MamlHelp -MarkdownPath $commandPages.FullName -OutputPath (Join-Path $ModuleOut "en-US/$ModuleName.dll-Help.xml")
    ConvertTo-AboutHelpText -MarkdownPath (Join-Path $helpSource "about_$ModuleName.md") -OutputPath (Join-Path $ModuleOut "en-US/about_$ModuleName.help.txt")

    Publish-Sandbox

    Write-Step 'Build: checking that the built manifest imports in a fresh pwsh'
    $check = Join-Path ([IO.Path]::GetTempPath()) "pp-import-check-$PID.ps1"
    Set-Content -Path $check -Value @'
param($Manifest)
$ErrorActionPreference = 'Stop'
$module = Import-Module $Manifest -PassThru
$rootAssemblies = @(Get-ChildItem $module.ModuleBase -Filter '*.dll' -File | ForEach-Object Name | Sort-Object)
if (($rootAssemblies -join ',') -ne 'ProfilePositions.dll,ProfilePositions.Models.dll') {
    throw "The module folder must hold only ProfilePositions.dll and ProfilePositions.Models.dll; it holds: $($rootAssemblies -join ', ')"
}
if (-not (Test-Path (Join-Path $module.ModuleBase 'Dependencies/ProfilePositions.Engine.dll'))) {
    throw 'Dependencies/ProfilePositions.Engine.dll is missing.'
}
"Imported $($module.Name) $($module.Version) with $($module.ExportedCmdlets.Count) cmdlets and $($module.ExportedFunctions.Count) functions from $($module.ModuleBase)"
'@
    try {
        $code = Invoke-ChildPwsh -ScriptPath $check -ArgumentList @((Join-Path $ModuleOut "$ModuleName.psd1"))
        if ($code -ne 0) { throw "out/$ModuleName/$ModuleName.psd1 does not import (exit code $code)." }
    }
    finally {
        Remove-Item $check -ErrorAction SilentlyContinue
    }
}

function Copy-PublishedAssemblies {
    param([string] $From, [string] $To)
    # The module folder holds only what PowerShell and scripts meet by name: the cmdlet assembly and the models.
    # Everything else (the engine and its third-party closure) goes to Dependencies/, which the module loads in its
    # own load context (PowerShell 7) or serves to its own requests only (Windows PowerShell 5.1), so that other
    # modules' versions of Azure.Identity, MSAL, Kiota or System.Text.Json never meet ours.
    $dependencies = Join-Path $To 'Dependencies'
    $null = New-Item -ItemType Directory -Path $dependencies -Force
    $assemblies = Get-ChildItem $From -Filter '*.dll' -File | Where-Object Name -NotIn $NeverShip
    foreach ($assembly in $assemblies) {
        $destination = if ($assembly.Name -in $ModuleRootFiles) { $To } else { $dependencies }
        Copy-Item $assembly.FullName $destination
    }
    # Dependencies with platform-specific builds ship under Dependencies/runtimes/, as NuGet laid them out.
    $runtimes = Join-Path $From 'runtimes'
    if (Test-Path $runtimes) {
        Copy-Item $runtimes $dependencies -Recurse
    }
    if ($Configuration -eq 'Debug') {
        foreach ($symbols in Get-ChildItem $From -Filter "$ModuleName*.pdb") {
            $destination = if ("$($symbols.BaseName).dll" -in $ModuleRootFiles) { $To } else { $dependencies }
            Copy-Item $symbols.FullName $destination
        }
    }
}

function Invoke-SandboxPack {
    # The sandbox as a .NET tool package, beside the module zip; its version is the module's (Directory.Build.props
    # reads ProfilePositions.psd1), and passing it here as well makes a mismatch impossible.
    $version = Get-ModuleVersion
    $package = Join-Path $OutRoot "ProfilePositions.Sandbox.$version.nupkg"
    Write-Step "Package: $package"
    if (Test-Path $package) { Remove-Item $package -Force }
    Invoke-Native dotnet @('pack', (Join-Path $RepoRoot 'src/ProfilePositions.Sandbox'), '-c', $Configuration, '-o', $OutRoot, "-p:PackageVersion=$version", '--nologo', '-v', 'quiet')
    if (-not (Test-Path $package)) { throw "dotnet pack did not write $package." }
    $package
}

function Install-SandboxTool {
    # Installs the packed tool the way the README tells users to, offline: a nuget.config that clears every source
    # but out/, and a packages folder of its own, so neither a feed nor a cached older build of this version is used.
    param([string] $Package, [string] $ToolPath)
    $version = Get-ModuleVersion
    $scratch = Join-Path ([IO.Path]::GetTempPath()) "pp-tool-install-$PID"
    $null = New-Item -ItemType Directory -Force $scratch
    $config = Join-Path $scratch 'nuget.config'
    Set-Content -Path $config -Value "<?xml version=`"1.0`" encoding=`"utf-8`"?><configuration><packageSources><clear /><add key=`"local`" value=`"$(Split-Path $Package)`" /></packageSources></configuration>"
    $savedPackages = $env:NUGET_PACKAGES
    $env:NUGET_PACKAGES = Join-Path $scratch 'packages'
    try {
        if (Test-Path $ToolPath) { Remove-Item $ToolPath -Recurse -Force }
        Invoke-Native dotnet @('tool', 'install', '--tool-path', $ToolPath, 'ProfilePositions.Sandbox', '--version', $version, '--configfile', $config, '--add-source', (Split-Path $Package))
    }
    finally {
        $env:NUGET_PACKAGES = $savedPackages
        if ($null -eq $savedPackages) { Remove-Item Env:NUGET_PACKAGES -ErrorAction SilentlyContinue }
        Remove-Item $scratch -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Invoke-UserExample {
    # tests/UserExample as a user runs it: `Import-Module ProfilePositions` finds the built module on PSModulePath,
    # and Start-ProfileGraphSandbox finds the installed tool on PATH (nothing points it at the build). Returns one
    # summary per Pester version.
    param([string] $ResultsDirectory)
    $saved = @{ PATH = $env:PATH; PSModulePath = $env:PSModulePath; PROFILEPOSITIONS_SANDBOX = $env:PROFILEPOSITIONS_SANDBOX }
    $env:PATH = $ToolsOut + [IO.Path]::PathSeparator + $env:PATH
    $env:PSModulePath = $OutRoot + [IO.Path]::PathSeparator + $env:PSModulePath
    Remove-Item Env:PROFILEPOSITIONS_SANDBOX -ErrorAction SilentlyContinue
    try {
        foreach ($version in $UserExamplePesterVersions) {
            Write-Step "Test: tests/UserExample under Pester $version (installed module and tool)"
            $summaryPath = Join-Path $ResultsDirectory "user-example-$version.json"
            $code = Invoke-ChildPwsh -ScriptPath (Join-Path $RepoRoot 'build/RunPester.ps1') -ArgumentList @(
                '-PesterManifest', (Get-PesterManifest -Version $version), '-TestPath', (Join-Path $RepoRoot 'tests/UserExample'),
                '-ResultsDirectory', $ResultsDirectory, '-SummaryPath', $summaryPath, '-ResultName', "user-example-$version")
            $summary = if (Test-Path $summaryPath) { Get-Content $summaryPath -Raw | ConvertFrom-Json } else { $null }
            [pscustomobject]@{ Version = $version; ExitCode = $code; Summary = $summary }
        }
    }
    finally {
        foreach ($name in $saved.Keys) {
            if ($null -eq $saved[$name]) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue } else { Set-Item "Env:$name" $saved[$name] }
        }
    }
}

function Publish-Sandbox {
    Write-Step 'Build: sandbox -> out/sandbox'
    Invoke-Native dotnet @('publish', (Join-Path $RepoRoot 'src/ProfilePositions.Sandbox'), '-c', $Configuration, '-o', $SandboxOut, '--nologo', '-v', 'quiet')
}

function Get-TrxCounts {
    param([string] $TrxPath)
    [xml] $trx = Get-Content $TrxPath -Raw
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{
        Total   = [int] $counters.total
        Passed  = [int] $counters.passed
        Failed  = [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
        Skipped = [int] $counters.notExecuted
    }
}

function Invoke-Test {
    $pester = Invoke-Bootstrap
    Invoke-ModuleBuild
    # Packed once per run: SandboxTool.Tests installs this package, and so does the user-style example suite.
    $package = Invoke-SandboxPack
    Install-SandboxTool -Package $package -ToolPath $ToolsOut

    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    $null = New-Item -ItemType Directory $ResultsDir -Force

    $passed = 0; $failed = 0; $skipped = 0; $crashed = @()

    $testProjects = @('tests/ProfilePositions.Engine.Tests', 'tests/ProfilePositions.Sandbox.Tests')
    foreach ($project in $testProjects) {
        $name = Split-Path $project -Leaf
        Write-Step "Test: xunit $name"
        $trxName = "$name.trx"
        & dotnet test (Join-Path $RepoRoot $project) -c $Configuration --nologo `
            --logger "trx;LogFileName=$trxName" --logger 'console;verbosity=normal' --results-directory $ResultsDir |
            Where-Object { $_ -notmatch 'warning NU1603' } | Out-Host
        $exitCode = $LASTEXITCODE
        $trxPath = Join-Path $ResultsDir $trxName
        if (-not (Test-Path $trxPath)) {
            Write-Host "xunit ${name}: no results were written (exit code $exitCode)." -ForegroundColor Red
            $crashed += $name
            continue
        }
        $counts = Get-TrxCounts $trxPath
        Write-Host ("xunit {0}: {1} passed, {2} failed, {3} skipped" -f $name, $counts.Passed, $counts.Failed, $counts.Skipped)
        $passed += $counts.Passed; $failed += $counts.Failed; $skipped += $counts.Skipped
        if ($exitCode -ne 0 -and $counts.Failed -eq 0) {
            Write-Host "xunit ${name}: the runner exited with $exitCode although no test failed." -ForegroundColor Red
            $crashed += $name
        }
        if ($counts.Total -eq 0) {
            Write-Host "xunit ${name}: no tests were discovered." -ForegroundColor Red
            $crashed += $name
        }
    }

    Write-Step 'Test: Pester (fresh pwsh importing out/ProfilePositions)'
    $summaryPath = Join-Path $ResultsDir 'pester-summary.json'
    $runner = Join-Path $RepoRoot 'build/RunPester.ps1'
    $code = Invoke-ChildPwsh -ScriptPath $runner -ArgumentList @('-PesterManifest', $pester, '-TestPath', (Join-Path $RepoRoot 'tests/Pester'), '-ResultsDirectory', $ResultsDir, '-SummaryPath', $summaryPath)
    if (Test-Path $summaryPath) {
        $summary = Get-Content $summaryPath -Raw | ConvertFrom-Json
        $passed += $summary.Passed; $failed += $summary.Failed; $skipped += $summary.Skipped
        Write-Host ("Pester: {0} passed, {1} failed, {2} skipped" -f $summary.Passed, $summary.Failed, $summary.Skipped)
        if ($code -ne 0 -and $summary.Failed -eq 0) {
            Write-Host "Pester: the runner exited with $code although no test failed." -ForegroundColor Red
            $crashed += 'Pester'
        }
    }
    else {
        Write-Host "Pester: no summary was written (exit code $code)." -ForegroundColor Red
        $crashed += 'Pester'
    }

    foreach ($run in Invoke-UserExample -ResultsDirectory $ResultsDir) {
        $name = "UserExample (Pester $($run.Version))"
        if ($run.Summary) {
            $passed += $run.Summary.Passed; $failed += $run.Summary.Failed; $skipped += $run.Summary.Skipped
            Write-Host ("{0}: {1} passed, {2} failed, {3} skipped" -f $name, $run.Summary.Passed, $run.Summary.Failed, $run.Summary.Skipped)
            if ($run.ExitCode -ne 0 -and $run.Summary.Failed -eq 0) { $crashed += $name }
            if ($run.Summary.Passed + $run.Summary.Failed -eq 0) { Write-Host "${name}: no tests ran." -ForegroundColor Red; $crashed += $name }
        }
        else {
            Write-Host "${name}: no summary was written (exit code $($run.ExitCode))." -ForegroundColor Red
            $crashed += $name
        }
    }

    if ($crashed) {
        Write-Host "Runners that crashed or found nothing: $($crashed -join ', ')" -ForegroundColor Red
    }
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    # The last line of output is the summary; CI reads it.
    Write-Output $line
    if ($failed -gt 0 -or $crashed) { exit 1 }
    exit 0
}

function Invoke-Sandbox {
    Publish-Sandbox
    $arguments = @($SandboxArgs)
    if ($arguments -notcontains '--port') { $arguments += @('--port', '5000') }
    Write-Step "Sandbox: dotnet out/sandbox/ProfilePositions.Sandbox.dll $($arguments -join ' ') (Ctrl+C stops it)"
    & dotnet (Join-Path $SandboxOut 'ProfilePositions.Sandbox.dll') @arguments
    exit $LASTEXITCODE
}

function Invoke-Demo {
    Invoke-ModuleBuild
    Write-Step 'Demo: the main job against the sandbox, in a fresh pwsh'
    $code = Invoke-ChildPwsh -ScriptPath (Join-Path $RepoRoot 'build/Demo.ps1') -ArgumentList @(
        '-ModuleManifest', (Join-Path $ModuleOut "$ModuleName.psd1"),
        '-SandboxAssembly', (Join-Path $SandboxOut 'ProfilePositions.Sandbox.dll'))
    if ($code -ne 0) { Write-Host "Demo failed (exit code $code)." -ForegroundColor Red }
    exit $code
}

function Invoke-Bench {
    Invoke-ModuleBuild
    Write-Step 'Bench: Import-Module of the built module'
    $code = Invoke-ChildPwsh -ScriptPath (Join-Path $RepoRoot 'bench/Import.Bench.ps1') -ArgumentList @('-ModuleManifest', (Join-Path $ModuleOut "$ModuleName.psd1"))
    if ($code -ne 0) { throw "The import bench failed (exit code $code)." }

    Write-Step 'Bench: bulk speed, throttling, CPU and memory (bench/Bulk.Bench.ps1)'
    $code = Invoke-ChildPwsh -ScriptPath (Join-Path $RepoRoot 'bench/Bulk.Bench.ps1') -ArgumentList @('-ModuleManifest', (Join-Path $ModuleOut "$ModuleName.psd1"))
    if ($code -ne 0) { throw "The bulk bench failed (exit code $code)." }

    $loadProject = Join-Path $RepoRoot 'bench/SandboxLoad'
    if (Test-Path $loadProject) {
        Write-Step 'Bench: sandbox load (bench/SandboxLoad)'
        Invoke-Native dotnet @('run', '--project', $loadProject, '-c', 'Release')
    }
    else {
        Write-Host 'bench/SandboxLoad does not exist; the sandbox load bench was not run.' -ForegroundColor Yellow
    }
}

function Invoke-Soak {
    # The fault suite with its seed sweep (5,000 rows over 200 users) under each of five seeds (about 20 minutes).
    $pester = Invoke-Bootstrap
    Invoke-ModuleBuild
    $seeds = if ($env:PROFILEPOSITIONS_FAULT_SEEDS) { $env:PROFILEPOSITIONS_FAULT_SEEDS } else { '1,2,3,4,5' }
    Write-Step "Soak: tests/Pester/Faults.Tests.ps1 with seeds $seeds"
    $env:PROFILEPOSITIONS_FAULT_SEEDS = $seeds
    if (Test-Path $ResultsDir) { Remove-Item $ResultsDir -Recurse -Force }
    $null = New-Item -ItemType Directory $ResultsDir -Force
    $summaryPath = Join-Path $ResultsDir 'soak-summary.json'
    $runner = Join-Path $RepoRoot 'build/RunPester.ps1'
    $code = Invoke-ChildPwsh -ScriptPath $runner -ArgumentList @('-PesterManifest', $pester, '-TestPath', (Join-Path $RepoRoot 'tests/Pester/Faults.Tests.ps1'), '-ResultsDirectory', $ResultsDir, '-SummaryPath', $summaryPath)
    $summary = Get-Content $summaryPath -Raw | ConvertFrom-Json
    Write-Output ("{0} passed, {1} failed" -f $summary.Passed, $summary.Failed)
    if ($code -ne 0 -or $summary.Failed -gt 0) { exit 1 }
}

function Invoke-Package {
    Invoke-ModuleBuild
    $version = Get-ModuleVersion
    $zip = Join-Path $OutRoot "$ModuleName.$version.zip"
    Write-Step "Package: $zip"
    if (Test-Path $zip) { Remove-Item $zip -Force }
    Compress-Archive -Path $ModuleOut -DestinationPath $zip
    Write-Output $zip
    Write-Output (Invoke-SandboxPack)
}

switch ($Task) {
    'Bootstrap' { $null = Invoke-Bootstrap }
    'Build' { Invoke-ModuleBuild }
    'Test' { Invoke-Test }
    'Soak' { Invoke-Soak }
    'Sandbox' { Invoke-Sandbox }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
}
