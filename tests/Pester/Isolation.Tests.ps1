<#
    Dependency isolation: the engine and its third-party closure load in the module's own AssemblyLoadContext,
    the models in the default one, and other versions of our dependencies in the default context (another
    module's) do not disturb the module, whichever loads first. Load contexts are per process, so each scenario
    runs in a fresh pwsh and reports what it saw as JSON.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $script:sandbox = Start-TestSandbox
    $script:token = Get-TestToken -Sandbox $script:sandbox -User 'adele.vance@contoso.com'
    $script:manifest = if ($env:PROFILEPOSITIONS_MODULE) { $env:PROFILEPOSITIONS_MODULE } else { Get-BuiltModulePath }

    # Emits, into the default context, assemblies named like our dependencies at other versions: a higher one
    # (which a default context would happily bind our requests to) and a lower one.
    $script:conflicts = @(
        @{ Name = 'Microsoft.Kiota.Abstractions'; Version = '99.0.0.0' }
        @{ Name = 'Microsoft.Identity.Client'; Version = '99.1.0.0' }
        @{ Name = 'Azure.Core'; Version = '1.0.0.0' }
    )
    $script:loadConflicts = @'
$conflictFolder = Join-Path ([IO.Path]::GetTempPath()) ("pp-conflict-" + [guid]::NewGuid().ToString('n'))
$null = New-Item -ItemType Directory $conflictFolder
foreach ($conflict in $Conflicts) {
    $name = [Reflection.AssemblyName]::new($conflict.Name)
    $name.Version = [version] $conflict.Version
    $builder = [System.Reflection.Emit.PersistedAssemblyBuilder]::new($name, [object].Assembly)
    $type = $builder.DefineDynamicModule($conflict.Name).DefineType("$($conflict.Name).ConflictMarker", 'Public, Class')
    $null = $type.CreateType()
    $path = Join-Path $conflictFolder "$($conflict.Name).dll"
    $builder.Save($path)
    $null = [Reflection.Assembly]::LoadFrom($path)
}
'@
    $script:useModule = @'
$null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $Token -AsPlainText -Force) -GraphEndpoint $BaseUri
$title = "Isolation " + [guid]::NewGuid().ToString('n')
$created = New-ProfilePosition -JobTitle $title
$read = @(Get-ProfilePosition -All)
$report.Runs += [pscustomobject]@{ Created = [bool] $created.Id; Found = @($read | Where-Object Id -eq $created.Id).Count; TypeIsShared = $read[0].GetType() -eq [ProfilePositions.WorkPosition] }
'@

    function Invoke-IsolationScenario {
        # Runs $Body in a fresh pwsh; the body fills $report, which comes back as an object.
        param([string] $Body)
        $script = @'
param($Manifest, $BaseUri, $Token, $ConflictsJson)
$ErrorActionPreference = 'Stop'
$Conflicts = @($ConflictsJson | ConvertFrom-Json)
$report = [pscustomobject]@{ Runs = @(); Assemblies = @(); Resolved = @(); Models = $null; Conflicts = @(); Error = $null }
function Get-ContextName($Assembly) {
    # 'Default', or the type of a custom context (the module's has no name: its contract predates named contexts).
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($Assembly)
    if ($context -eq [System.Runtime.Loader.AssemblyLoadContext]::Default) { 'Default' } else { $context.GetType().FullName }
}
try {
'@ + "`n" + $Body + "`n" + @'
    $engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'ProfilePositions.Engine' }
    $report.Assemblies = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic } | ForEach-Object {
            [pscustomobject]@{ Name = $_.GetName().Name; Version = "$($_.GetName().Version)"; Context = Get-ContextName $_; Location = $_.Location } })
    # What the module's context serves for names its engine needs, also the ones this sign-in path has not touched yet.
    $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine)
    $report.Resolved = @('ProfilePositions.Engine', 'Microsoft.Kiota.Abstractions', 'Azure.Identity', 'Microsoft.Identity.Client', 'Azure.Core', 'ProfilePositions.Models' | ForEach-Object {
            $assembly = $context.LoadFromAssemblyName([Reflection.AssemblyName]::new($_))
            [pscustomobject]@{ Name = $_; Version = "$($assembly.GetName().Version)"; Context = Get-ContextName $assembly; Location = $assembly.Location } })
    $report.Models = Get-ContextName ([ProfilePositions.WorkPosition].Assembly)
}
catch {
    $report.Error = "$_ $($_.Exception)"
}
$report | ConvertTo-Json -Depth 5 -Compress
'@
        $path = Join-Path $TestDrive ("scenario-{0}.ps1" -f [guid]::NewGuid().ToString('n'))
        Set-Content -Path $path -Value $script
        $pwsh = [Environment]::ProcessPath
        $prefix = @()
        if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $prefix = @([Reflection.Assembly]::GetEntryAssembly().Location) }
        $conflictsJson = ConvertTo-Json -InputObject @($script:conflicts) -Compress
        $output = & $pwsh @prefix -NoProfile -NonInteractive -File $path $script:manifest $script:sandbox.BaseUri $script:token $conflictsJson
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        @($output)[-1] | ConvertFrom-Json
    }

    function Assert-Isolated($Report) {
        $Report.Error | Should -BeNullOrEmpty
        $Report.Runs.Count | Should -BeGreaterThan 0
        foreach ($run in $Report.Runs) {
            $run.Created | Should -BeTrue
            $run.Found | Should -Be 1
            $run.TypeIsShared | Should -BeTrue
        }
        $Report.Models | Should -Be 'Default'
        $dependencies = [IO.Path]::Combine((Split-Path $script:manifest), 'Dependencies')
        foreach ($name in 'ProfilePositions.Engine', 'Microsoft.Kiota.Abstractions', 'Azure.Identity', 'Microsoft.Identity.Client', 'Azure.Core') {
            $resolved = @($Report.Resolved | Where-Object Name -eq $name)[0]
            $resolved.Context | Should -Be 'ProfilePositions.Isolation.ModuleLoadContext' -Because $name
            Split-Path $resolved.Location | Should -Be $dependencies -Because $name
        }
        (@($Report.Resolved | Where-Object Name -eq 'ProfilePositions.Models')[0]).Context | Should -Be 'Default'
        # Whatever the commands loaded of ours sits in the module's context, never in Default.
        $ours = @($Report.Assemblies | Where-Object { $_.Location -and (Split-Path $_.Location) -eq $dependencies })
        $ours.Name | Should -Contain 'ProfilePositions.Engine'
        $ours.Name | Should -Contain 'Microsoft.Kiota.Abstractions'
        $ours.Name | Should -Contain 'Microsoft.Graph.Core'
        $ours | ForEach-Object { $_.Context | Should -Be 'ProfilePositions.Isolation.ModuleLoadContext' -Because $_.Name }
    }

    function Assert-ConflictsUntouched($Report) {
        foreach ($conflict in $script:conflicts) {
            $theirs = @($Report.Assemblies | Where-Object { $_.Name -eq $conflict.Name -and $_.Version -eq $conflict.Version })
            $theirs.Count | Should -Be 1 -Because "the other $($conflict.Name) stays loaded"
            $theirs[0].Context | Should -Be 'Default'
            $ours = @($Report.Resolved | Where-Object Name -eq $conflict.Name)[0]
            $ours.Version | Should -Not -Be $conflict.Version
        }
    }
}

AfterAll {
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Dependency isolation' {
    It 'loads the engine, Kiota, Azure.Identity and MSAL in the module''s context and the models in Default' {
        $report = Invoke-IsolationScenario -Body @"
Import-Module `$Manifest
$script:useModule
"@
        Assert-Isolated $report
        $report.Runs[0].TypeIsShared | Should -BeTrue
        # The module folder's own assemblies are the only ones of ours in Default.
        @($report.Assemblies | Where-Object { $_.Context -eq 'Default' -and $_.Name -like 'ProfilePositions*' }).Name | Sort-Object |
            Should -Be @('ProfilePositions', 'ProfilePositions.Models')
    }

    It 'resolves [ProfilePositions.WorkPosition] from a script as the type the commands return' {
        $report = Invoke-IsolationScenario -Body @"
Import-Module `$Manifest
`$typed = [ProfilePositions.WorkPosition]::new()
if (`$typed.GetType().Assembly -ne [ProfilePositions.WorkPosition].Assembly) { throw 'two WorkPosition types' }
$script:useModule
"@
        Assert-Isolated $report
    }

    It 'works when other versions of its dependencies are already in the default context' {
        $report = Invoke-IsolationScenario -Body @"
$script:loadConflicts
Import-Module `$Manifest
$script:useModule
"@
        Assert-Isolated $report
        Assert-ConflictsUntouched $report
    }

    It 'keeps working when other versions of its dependencies load after it' {
        $report = Invoke-IsolationScenario -Body @"
Import-Module `$Manifest
$script:useModule
$script:loadConflicts
$script:useModule
"@
        Assert-Isolated $report
        $report.Runs.Count | Should -Be 2
        Assert-ConflictsUntouched $report
    }

    It 'imports again after Remove-Module and still works' {
        $report = Invoke-IsolationScenario -Body @"
Import-Module `$Manifest
$script:useModule
Remove-Module ProfilePositions
Import-Module `$Manifest
$script:useModule
"@
        Assert-Isolated $report
        $report.Runs.Count | Should -Be 2
        @($report.Assemblies | Where-Object Name -eq 'ProfilePositions.Engine').Count | Should -Be 1
    }
}
