#Requires -Version 7.0
<#
    The sandbox as users get it: the .NET tool package (out/ProfilePositions.Sandbox.<version>.nupkg, made by
    build.ps1 -Task Package and by -Task Test before Pester) installs offline from the output folder alone and its
    command starts and answers; Start-ProfileGraphSandbox finds it in each documented place (-Path, PATH, the global
    tools folder, a local tool manifest); a sandbox outlives no crashed test run (--parent-pid); and the other testing
    helpers do what their help says, checked on the sandbox's own routes.

    Every install uses a nuget.config with <clear/> and the output folder only, and a NUGET_PACKAGES folder of its own,
    so nothing is fetched from any feed and no cached copy of an older build of the same version is used.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:root = Get-TestRepositoryRoot
    $script:version = (Import-PowerShellDataFile (Join-Path $script:root 'ProfilePositions.psd1')).ModuleVersion
    $script:feed = Join-Path $script:root 'out'
    $script:package = Join-Path $script:feed "ProfilePositions.Sandbox.$($script:version).nupkg"
    if (-not (Test-Path $script:package)) {
        # Run on its own (not through build.ps1 -Task Test, which packs once per run): pack it the way Package does.
        & dotnet pack (Join-Path $script:root 'src/ProfilePositions.Sandbox') -c Release -o $script:feed "-p:PackageVersion=$($script:version)" --nologo -v quiet | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "dotnet pack of the sandbox failed ($LASTEXITCODE)." }
    }

    $script:nugetConfig = Join-Path $TestDrive 'nuget.config'
    Set-Content -Path $script:nugetConfig -Value @"
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$($script:feed)" />
  </packageSources>
</configuration>
"@
    $script:packages = Join-Path $TestDrive 'nuget-packages'
    $script:saved = @{ NUGET_PACKAGES = $env:NUGET_PACKAGES; PATH = $env:PATH; DOTNET_CLI_HOME = $env:DOTNET_CLI_HOME; PROFILEPOSITIONS_SANDBOX = $env:PROFILEPOSITIONS_SANDBOX }
    $env:NUGET_PACKAGES = $script:packages

    function Install-SandboxTool([string] $ToolPath) {
        $output = & dotnet tool install --tool-path $ToolPath ProfilePositions.Sandbox --version $script:version --configfile $script:nugetConfig --add-source $script:feed 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
    }

    $script:toolPath = Join-Path $TestDrive 'tools'
    $script:install = Install-SandboxTool $script:toolPath
    $script:command = Join-Path $script:toolPath ($(if ($IsWindows) { 'profilepositions-sandbox.exe' } else { 'profilepositions-sandbox' }))

    function Wait-ProcessGone([int] $Id, [int] $TimeoutSeconds = 60) {
        # Waits for a process to end by itself; true when it did within the (generous) time.
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            if (-not (Get-Process -Id $Id -ErrorAction SilentlyContinue)) { return $true }
            Start-Sleep -Milliseconds 200
        }
        $false
    }
}

AfterAll {
    foreach ($name in $script:saved.Keys) { Set-Item -Path "Env:$name" -Value $script:saved[$name] -ErrorAction SilentlyContinue; if ($null -eq $script:saved[$name]) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue } }
}

Describe 'The tool package' {
    It 'is packed beside the module zip with the module version, as a .NET tool that needs the ASP.NET Core runtime' {
        Test-Path $script:package | Should -BeTrue
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($script:package)
        try {
            $nuspec = [xml] ([IO.StreamReader]::new(($zip.Entries | Where-Object FullName -Like '*.nuspec').Open()).ReadToEnd())
            $settings = [xml] ([IO.StreamReader]::new(($zip.Entries | Where-Object FullName -Like 'tools/*/DotnetToolSettings.xml').Open()).ReadToEnd())
            $runtimeConfig = [IO.StreamReader]::new(($zip.Entries | Where-Object FullName -Like 'tools/*/ProfilePositions.Sandbox.runtimeconfig.json').Open()).ReadToEnd() | ConvertFrom-Json
        }
        finally { $zip.Dispose() }
        $nuspec.package.metadata.id | Should -Be 'ProfilePositions.Sandbox'
        $nuspec.package.metadata.version | Should -Be $script:version
        $nuspec.package.metadata.description | Should -Match 'ASP\.NET Core 10 runtime'
        $settings.DotNetCliTool.Commands.Command.Name | Should -Be 'profilepositions-sandbox'
        @($runtimeConfig.runtimeOptions.frameworks.name) | Should -Contain 'Microsoft.AspNetCore.App'
    }

    It 'installs offline from the output folder alone' {
        $script:install.ExitCode | Should -Be 0 -Because $script:install.Output
        Test-Path $script:command | Should -BeTrue
    }

    It 'gives a command that prints its options' {
        $help = & $script:command --help | Out-String
        $LASTEXITCODE | Should -Be 0
        $help | Should -Match '--parent-pid <pid>'
        $help | Should -Match 'POST shutdown'
    }

    It 'gives a command that Start-ProfileGraphSandbox -Path starts, and that answers its health route' {
        $sandbox = Start-ProfileGraphSandbox -Path $script:toolPath -Seed 5
        try {
            $sandbox.Source | Should -Be '-Path'
            $sandbox.Uri | Should -Match '^http://127\.0\.0\.1:\d+$'
            $health = Invoke-RestMethod "$($sandbox.Uri)/_sandbox/health"
            $health.status | Should -Be 'ok'
            $health.seed | Should -Be 5
            $health.pid | Should -Be $sandbox.Process.Id
            $sandbox.Seed | Should -Be 5
            @($sandbox.Users.userPrincipalName) | Should -Contain 'adele.vance@contoso.com'
        }
        finally { Stop-ProfileGraphSandbox $sandbox }
        $sandbox.Process.HasExited | Should -BeTrue
        Test-Path $sandbox.LogPath | Should -BeFalse
    }
}

Describe 'Start-ProfileGraphSandbox finds the tool' {
    BeforeEach {
        Remove-Item Env:PROFILEPOSITIONS_SANDBOX -ErrorAction SilentlyContinue
        # No sandbox on PATH and an empty home, unless a test puts one there.
        $env:PATH = (($script:saved.PATH -split [IO.Path]::PathSeparator) | Where-Object { -not (Test-Path (Join-Path $_ 'profilepositions-sandbox')) }) -join [IO.Path]::PathSeparator
        $env:DOTNET_CLI_HOME = Join-Path $TestDrive 'empty-home'
        $null = New-Item -ItemType Directory -Force $env:DOTNET_CLI_HOME
    }

    AfterEach {
        $env:PATH = $script:saved.PATH
        $env:DOTNET_CLI_HOME = $script:saved.DOTNET_CLI_HOME
        if ($null -eq $env:DOTNET_CLI_HOME) { Remove-Item Env:DOTNET_CLI_HOME -ErrorAction SilentlyContinue }
        $env:PROFILEPOSITIONS_SANDBOX = $script:saved.PROFILEPOSITIONS_SANDBOX
    }

    It 'on PATH' {
        $env:PATH = $script:toolPath + [IO.Path]::PathSeparator + $env:PATH
        $sandbox = Start-ProfileGraphSandbox
        try {
            $sandbox.Source | Should -Be 'PATH'
            (Invoke-RestMethod "$($sandbox.Uri)/_sandbox/health").status | Should -Be 'ok'
        }
        finally { Stop-ProfileGraphSandbox $sandbox }
    }

    It 'in the global tools folder' {
        $home2 = Join-Path $TestDrive 'home'
        $installed = Install-SandboxTool (Join-Path $home2 '.dotnet/tools')
        $installed.ExitCode | Should -Be 0 -Because $installed.Output
        $env:DOTNET_CLI_HOME = $home2
        $sandbox = Start-ProfileGraphSandbox
        try {
            $sandbox.Source | Should -Be 'global tools folder'
            (Invoke-RestMethod "$($sandbox.Uri)/_sandbox/health").status | Should -Be 'ok'
        }
        finally { Stop-ProfileGraphSandbox $sandbox }
    }

    It 'in a local tool manifest, run through dotnet tool run' {
        $project = Join-Path $TestDrive 'project'
        $null = New-Item -ItemType Directory -Force $project
        Push-Location $project
        try {
            & dotnet new tool-manifest 2>&1 | Out-Null
            $LASTEXITCODE | Should -Be 0
            $output = & dotnet tool install --local ProfilePositions.Sandbox --version $script:version --configfile $script:nugetConfig --add-source $script:feed 2>&1 | Out-String
            $LASTEXITCODE | Should -Be 0 -Because $output
            $sandbox = Start-ProfileGraphSandbox -Seed 9
            try {
                $sandbox.Source | Should -BeLike 'local tool manifest (*dotnet-tools.json)'
                $health = Invoke-RestMethod "$($sandbox.Uri)/_sandbox/health"
                $health.seed | Should -Be 9
                # Behind dotnet tool run the sandbox may be a child of the launcher: Process is the sandbox's own.
                $sandbox.Process.Id | Should -Be $health.pid
            }
            finally { Stop-ProfileGraphSandbox $sandbox }
            $sandbox.Process.HasExited | Should -BeTrue
            $sandbox.Launcher.HasExited | Should -BeTrue
        }
        finally { Pop-Location }
    }

    It 'and says where it looked and how to install it when it is nowhere' {
        Push-Location $TestDrive
        try {
            { Start-ProfileGraphSandbox } | Should -Throw -ExpectedMessage '*looked in: PATH; *empty-home*; a local tool manifest*dotnet tool install --global ProfilePositions.Sandbox --add-source*ASP.NET Core 10 runtime*'
        }
        finally { Pop-Location }
    }

    It 'refuses a -Path that holds no sandbox, naming it' {
        { Start-ProfileGraphSandbox -Path $TestDrive } | Should -Throw -ExpectedMessage "*-Path '$TestDrive' is not the sandbox*"
    }
}

Describe 'No sandbox outlives the process that started it' {
    It 'exits by itself when the pwsh that started it is killed' {
        $pidFile = Join-Path $TestDrive 'pids.txt'
        $script = Join-Path $TestDrive 'starter.ps1'
        # The starter writes its own process id (under `dotnet pwsh` a launcher runs pwsh as its child) and the sandbox's.
        Set-Content -Path $script -Value @"
`$ErrorActionPreference = 'Stop'
Import-Module '$((Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1')'
`$sandbox = Start-ProfileGraphSandbox -Path '$($script:toolPath)'
Set-Content -Path '$pidFile.tmp' -Value "`$PID `$(`$sandbox.Process.Id)"
Move-Item '$pidFile.tmp' '$pidFile'
Start-Sleep -Seconds 600
"@
        $pwsh = (Get-Process -Id $PID).Path
        $prefix = @(if ($pwsh -like '*dotnet*') { 'pwsh' })
        $starter = Start-Process -FilePath $pwsh -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-File', $script)) -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'starter.out') -RedirectStandardError (Join-Path $TestDrive 'starter.err')
        $starterPwsh = $null; $sandboxId = $null
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $pidFile)) {
                if ($starter.HasExited) { throw "The starting pwsh ended early: $(Get-Content (Join-Path $TestDrive 'starter.err') -Raw)" }
                if ([DateTime]::UtcNow -gt $deadline) { throw 'The starting pwsh did not start a sandbox within 60 s.' }
                Start-Sleep -Milliseconds 200
            }
            $starterPwsh, $sandboxId = [int[]] ((Get-Content $pidFile -Raw).Trim() -split ' ')
            Get-Process -Id $sandboxId -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty

            # As a crashed test run: the pwsh is killed, so no AfterAll and no Stop-ProfileGraphSandbox runs.
            Stop-Process -Id $starterPwsh -Force
            Wait-ProcessGone -Id $sandboxId | Should -BeTrue -Because "the sandbox (process $sandboxId) watches the pwsh that started it (process $starterPwsh)"
        }
        finally {
            foreach ($id in @($sandboxId, $starterPwsh, $starter.Id)) {
                if ($id) { Stop-Process -Id $id -Force -ErrorAction SilentlyContinue }
            }
        }
    }
}

Describe 'The testing helpers' {
    BeforeAll {
        $script:sandbox = Start-ProfileGraphSandbox -Path $script:toolPath -Seed 11
        $script:adele = 'adele.vance@contoso.com'
        $script:megan = 'megan.bowen@contoso.com'
    }

    AfterAll {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-ProfileGraphSandbox $script:sandbox
    }

    BeforeEach { Reset-ProfileGraphSandbox $script:sandbox }

    It 'Connect-ProfileGraphSandbox connects as the user with the scopes asked for, User.ReadWrite by default' {
        $context = Connect-ProfileGraphSandbox $script:sandbox -User $script:megan
        $context.Account | Should -Be $script:megan
        $context.Scopes | Should -Be @('User.ReadWrite')
        (Get-ProfileGraphContext).GraphEndpoint.ToString().TrimEnd('/') | Should -Be $script:sandbox.Uri
        $denied = $null
        try { $null = New-ProfilePosition -UserId $script:adele -JobTitle 'Not mine' -ErrorAction Stop } catch { $denied = $_ }
        $denied.FullyQualifiedErrorId | Should -BeLike 'MissingScope*'
        @(Get-ProfileGraphSandboxRequest $script:sandbox -Method POST).Count | Should -Be 0 -Because 'the token proves the scope is missing, so nothing is sent'

        $context = Connect-ProfileGraphSandbox $script:sandbox -User $script:adele -Scopes User.ReadWrite.All
        $context.Scopes | Should -Contain 'User.ReadWrite.All'
        $null = New-ProfilePosition -UserId $script:megan -JobTitle 'Written for Megan'
        (Get-ProfileGraphSandboxRequest $script:sandbox -Method POST -StatusCode 201).caller | Should -Be $script:adele
    }

    It 'Connect-ProfileGraphSandbox names the sandbox and where its users are when the user is unknown' {
        { Connect-ProfileGraphSandbox $script:sandbox -User 'nobody@contoso.com' } | Should -Throw -ExpectedMessage "*gave no token for 'nobody@contoso.com'*`$sandbox.Users*"
    }

    It 'Get-ProfileGraphSandboxRequest filters by method, path, user and status, and parses the body' {
        $null = Connect-ProfileGraphSandbox $script:sandbox -User $script:adele -Scopes User.ReadWrite.All
        $created = New-ProfilePosition -UserId $script:megan -JobTitle 'Filtered' -CompanyName 'Contoso'
        $null = Get-ProfilePosition -UserId $script:megan
        $null = Get-ProfilePosition -WorkPositionId 'no-such-id' -ErrorAction SilentlyContinue

        $all = @(Get-ProfileGraphSandboxRequest $script:sandbox)
        $all.Count | Should -Be 3
        $all[0].PSObject.TypeNames[0] | Should -Be 'ProfilePositions.GraphSandboxRequest'
        $post = @(Get-ProfileGraphSandboxRequest $script:sandbox -Method post)
        $post.Count | Should -Be 1
        $post[0].Json.detail.jobTitle | Should -Be 'Filtered'
        $post[0].user | Should -Be $script:megan
        @(Get-ProfileGraphSandboxRequest $script:sandbox -User 'megan.*').Count | Should -Be 2
        @(Get-ProfileGraphSandboxRequest $script:sandbox -Path '/beta/me/*').Count | Should -Be 1
        @(Get-ProfileGraphSandboxRequest $script:sandbox -StatusCode 404).path | Should -Be '/beta/me/profile/positions/no-such-id'
        @(Get-ProfileGraphSandboxRequest $script:sandbox -Method GET -StatusCode 200).Count | Should -Be 1
        $created.Id | Should -Not -BeNullOrEmpty
        # No Authorization header is ever kept.
        ($all | ForEach-Object { $_.headers.PSObject.Properties.Name }) | Should -Not -Contain 'Authorization'
    }

    It 'Get-ProfileGraphSandboxRequest gives the items of a $batch, and the envelope only with -IncludeEnvelope' {
        $null = Connect-ProfileGraphSandbox $script:sandbox -User $script:adele -Scopes User.ReadWrite.All
        $null = 1..3 | ForEach-Object { [pscustomobject]@{ UserId = $script:megan; JobTitle = "Batched $_" } } | New-ProfilePosition -BatchSize 3
        $items = @(Get-ProfileGraphSandboxRequest $script:sandbox -Method POST)
        $items.Count | Should -Be 3
        @($items.batchId | Select-Object -Unique).Count | Should -Be 1
        $envelopes = @(Get-ProfileGraphSandboxRequest $script:sandbox -Method POST -IncludeEnvelope | Where-Object path -Like '*/$batch')
        $envelopes.Count | Should -Be 1
    }

    It 'Add-ProfileGraphSandboxFault sends the rule as the sandbox names its members, and the fault is seen in the journal' {
        $rule = Add-ProfileGraphSandboxFault $script:sandbox -StatusCode 503 -RetryAfter '0' -Method POST -Path '/profile/positions$' -Target Any -Nth 1 -CommitAfter -Id 'first-post'
        $rule.id | Should -Be 'first-post'
        $rule.status | Should -Be 503
        $rule.target | Should -Be 'any'
        $rule.commit | Should -Be 'after'
        $rule.times | Should -Be 1
        $rule.PSObject.TypeNames[0] | Should -Be 'ProfilePositions.GraphSandboxFault'
        $transport = Add-ProfileGraphSandboxFault $script:sandbox -Transport HalfBody -Method DELETE -User $script:megan -Probability 0.5 -Times 2
        $transport.transport | Should -Be 'halfBody'
        $transport.probability | Should -Be 0.5
        $transport.user | Should -Be $script:megan
        $latency = Add-ProfileGraphSandboxFault $script:sandbox -LatencyMs 10 -Method GET -Target BatchItem
        $latency.latencyMs | Should -Be 10
        $latency.target | Should -Be 'batchItem'
        $latency.status | Should -BeNullOrEmpty
        $fromRules = @(Add-ProfileGraphSandboxFault $script:sandbox -Rule @{ method = 'PATCH'; status = 429; retryAfter = '1' }, @{ method = 'PATCH'; latencyMs = 5 })
        $fromRules.Count | Should -Be 2
        @(Invoke-RestMethod "$($script:sandbox.Uri)/_sandbox/faults" | ForEach-Object { $_ }).Count | Should -Be 5

        $null = Connect-ProfileGraphSandbox $script:sandbox -User $script:adele -Scopes User.ReadWrite.All
        $null = New-ProfilePosition -JobTitle 'Committed before the 503'
        $posts = @(Get-ProfileGraphSandboxRequest $script:sandbox -Method POST)
        $posts[0].status | Should -Be 503
        $posts[0].fault | Should -BeLike 'rule first-post*'
        # The write was applied before the 503; the module read before sending again and wrote nothing twice.
        @(Get-ProfilePosition -All | Where-Object JobTitle -EQ 'Committed before the 503').Count | Should -Be 1
    }

    It 'Add-ProfileGraphSandboxFault passes on the sandbox''s refusal of a bad rule' {
        { Add-ProfileGraphSandboxFault $script:sandbox -Rule @{ method = 'GET'; status = 418 } } | Should -Throw -ExpectedMessage "*'status' must be one of*"
    }

    It 'Reset-ProfileGraphSandbox -Requests and -Faults clear one thing each; alone it restores the whole tenant' {
        $null = Connect-ProfileGraphSandbox $script:sandbox -User $script:adele -Scopes User.ReadWrite.All
        $null = New-ProfilePosition -JobTitle 'Gone after reset'
        $null = Add-ProfileGraphSandboxFault $script:sandbox -LatencyMs 1
        $faults = { @(Invoke-RestMethod "$($script:sandbox.Uri)/_sandbox/faults" | ForEach-Object { $_ }).Count }
        $positions = { (Invoke-RestMethod "$($script:sandbox.Uri)/_sandbox/health").positions }
        $before = & $positions

        Reset-ProfileGraphSandbox $script:sandbox -Requests
        @(Get-ProfileGraphSandboxRequest $script:sandbox).Count | Should -Be 0
        & $faults | Should -Be 1
        & $positions | Should -Be $before

        Reset-ProfileGraphSandbox $script:sandbox -Faults
        & $faults | Should -Be 0
        & $positions | Should -Be $before

        $null = New-ProfilePosition -JobTitle 'Also gone'
        $null = Add-ProfileGraphSandboxFault $script:sandbox -LatencyMs 1
        $script:sandbox | Reset-ProfileGraphSandbox
        & $faults | Should -Be 0
        @(Get-ProfileGraphSandboxRequest $script:sandbox).Count | Should -Be 0
        & $positions | Should -Be ($before - 1)
    }

    It 'Stop-ProfileGraphSandbox takes $null and an already stopped sandbox' {
        { Stop-ProfileGraphSandbox $null } | Should -Not -Throw
        $other = Start-ProfileGraphSandbox -Path $script:toolPath
        Stop-ProfileGraphSandbox $other
        { $other | Stop-ProfileGraphSandbox } | Should -Not -Throw
        $other.Process.HasExited | Should -BeTrue
    }
}

Describe 'Start-ProfileGraphSandbox options' {
    It 'passes -Https, -DataPath, -PageSize, -Loose and -ArgumentList on to the sandbox' {
        $data = Join-Path $TestDrive 'tenant.json'
        $sandbox = Start-ProfileGraphSandbox -Path $script:toolPath -Https -DataPath $data -PageSize 2 -Loose -ArgumentList '--token-lifetime', '120'
        try {
            $sandbox.HttpsUri | Should -Match '^https://127\.0\.0\.1:\d+$'
            Test-Path $sandbox.CertificatePath | Should -BeTrue
            $sandbox.DataPath | Should -Be $data
            Test-Path $data | Should -BeTrue -Because 'the first start writes the demo tenant to the data file'
            $stdout = Get-Content $sandbox.LogPath -Raw
            $stdout | Should -Match ([regex]::Escape("data $data"))
            $null = Connect-ProfileGraphSandbox $sandbox -User 'adele.vance@contoso.com' -Scopes User.ReadWrite.All
            1..3 | ForEach-Object { $null = New-ProfilePosition -JobTitle "Paged $_" -AdditionalProperties @{ notInGraph = 'kept by --loose' } -WarningAction SilentlyContinue }
            $null = Get-ProfilePosition -All
            # Three positions in pages of two: two GETs.
            @(Get-ProfileGraphSandboxRequest $sandbox -Method GET).Count | Should -Be 2
            @(Get-ProfileGraphSandboxRequest $sandbox -Method POST -StatusCode 201).Count | Should -Be 3
        }
        finally { Stop-ProfileGraphSandbox $sandbox }
        # A stop (not a kill) lets the sandbox close its store; the data survives for the next start.
        $again = Start-ProfileGraphSandbox -Path $script:toolPath -DataPath $data
        try { (Invoke-RestMethod "$($again.Uri)/_sandbox/health").positions | Should -BeGreaterOrEqual 3 }
        finally { Stop-ProfileGraphSandbox $again }
    }

    It 'says what the sandbox printed when it refuses its options' {
        { Start-ProfileGraphSandbox -Path $script:toolPath -ArgumentList '--no-such-option' } | Should -Throw -ExpectedMessage "*exited with code 2 before it listened*Unknown option '--no-such-option'*"
    }

    It 'passes -Seed, -LatencyMs and -ThrottleLimit/-ThrottleSeconds as the sandbox spells them' {
        $sandbox = Start-ProfileGraphSandbox -Path $script:toolPath -Seed 3 -LatencyMs 1, 2 -ThrottleLimit 500 -ThrottleSeconds 2.5 -ShuffleBatch
        try {
            $sandbox.Seed | Should -Be 3
            $stats = Invoke-RestMethod "$($sandbox.Uri)/_sandbox/stats"
            $stats.throttle.limit | Should -Be 500
            $stats.throttle.seconds | Should -Be 2.5
        }
        finally { Stop-ProfileGraphSandbox $sandbox }
    }
}

Describe 'README: Testing your own scripts' {
    BeforeAll {
        $readme = Get-Content (Join-Path $script:root 'README.md') -Raw
        $section = ($readme -split '### A Pester file that uses the helpers')[1]
        $script:blocks = @([regex]::Matches($section, '```powershell\r?\n(.*?)```', 'Singleline') | ForEach-Object { $_.Groups[1].Value })
        $script:example = Join-Path $script:root 'tests/UserExample'
    }

    It 'shows the script and the Pester file of tests/UserExample as CI runs them' {
        $scriptFile = Get-Content (Join-Path $script:example 'Set-CurrentJob.ps1') -Raw
        $script:blocks[0].Trim() | Should -BeExactly ($scriptFile.Substring($scriptFile.IndexOf('[CmdletBinding')).Trim() -replace "`r`n", "`n")
        $script:blocks[1].Trim() | Should -BeExactly ((Get-Content (Join-Path $script:example 'Set-CurrentJob.Tests.ps1') -Raw).Trim() -replace "`r`n", "`n")
    }

    It 'is right that Mock -ModuleName ProfilePositions fails: a binary module has nothing to mock inside' {
        { Mock -ModuleName ProfilePositions Get-Date { } } | Should -Throw -ExpectedMessage "*'ProfilePositions' is not a Script or Manifest module*"
    }

    It 'is right that Mock -ModuleName with a module of yours mocks a cmdlet where that module calls it' {
        $null = New-Module -Name MyModule -ScriptBlock { function Set-MyJob { New-ProfilePosition -JobTitle 'From my module' } } | Import-Module -PassThru
        try {
            Mock -ModuleName MyModule New-ProfilePosition { 'mocked' }
            Set-MyJob | Should -Be 'mocked'
            Should -Invoke New-ProfilePosition -ModuleName MyModule -Times 1 -Exactly -ParameterFilter { $JobTitle -eq 'From my module' }
        }
        finally { Remove-Module MyModule }
    }

    It 'is right that the helpers are mocked by name like any function' {
        Mock Start-ProfileGraphSandbox { [pscustomobject]@{ Uri = 'http://127.0.0.1:9'; Process = $null; Users = @() } }
        (Start-ProfileGraphSandbox -Seed 4).Uri | Should -Be 'http://127.0.0.1:9'
        Should -Invoke Start-ProfileGraphSandbox -Times 1 -Exactly -ParameterFilter { $Seed -eq 4 }
    }
}
