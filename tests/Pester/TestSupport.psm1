<#
    Helpers shared by the Pester suites: start and stop the local Graph sandbox from out/sandbox, mint
    tokens, connect the module to it, and read or steer its admin routes (journal, state, faults).
    Every suite imports the built module (out/ProfilePositions) and this file:

        BeforeAll {
            Import-Module (Join-Path $PSScriptRoot '../../out/ProfilePositions/ProfilePositions.psd1') -Force
            Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
            $sandbox = Start-TestSandbox
        }
        AfterAll { Stop-TestSandbox -Sandbox $sandbox }
#>

Set-StrictMode -Version 3.0

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-TestRepositoryRoot {
    <# The repository root (two folders above tests/Pester). #>
    $script:RepoRoot
}

function Get-BuiltModulePath {
    <# The manifest of the built module, out/ProfilePositions/ProfilePositions.psd1. #>
    $path = Join-Path $script:RepoRoot 'out/ProfilePositions/ProfilePositions.psd1'
    if (-not (Test-Path $path)) { throw "The module is not built ($path). Run: dotnet pwsh ./build.ps1 -Task Build" }
    $path
}

function Start-TestSandbox {
    <#
    .SYNOPSIS
        Starts out/sandbox/ProfilePositions.Sandbox.dll on a port the OS picks and waits until it listens.
    .OUTPUTS
        [pscustomobject] @{ BaseUri = 'http://127.0.0.1:<port>'; Process = <Process>; LogPath = <stdout file> }
    #>
    [CmdletBinding()]
    param(
        [string[]] $ExtraArgs = @(),
        [int] $TimeoutSeconds = 60
    )
    $assembly = Join-Path $script:RepoRoot 'out/sandbox/ProfilePositions.Sandbox.dll'
    if (-not (Test-Path $assembly)) { throw "The sandbox is not built ($assembly). Run: dotnet pwsh ./build.ps1 -Task Build" }

    # Output goes to files, not pipes, so a chatty sandbox can never block on a full pipe.
    $logBase = Join-Path ([IO.Path]::GetTempPath()) ("pp-sandbox-{0}" -f [guid]::NewGuid().ToString('n'))
    $stdout = "$logBase.out.log"
    $stderr = "$logBase.err.log"
    $arguments = @($assembly, '--port', '0') + $ExtraArgs
    $quoted = $arguments | ForEach-Object { if ($_ -match '[\s"]') { '"' + ($_ -replace '"', '\"') + '"' } else { $_ } }
    $process = Start-Process -FilePath 'dotnet' -ArgumentList $quoted -RedirectStandardOutput $stdout -RedirectStandardError $stderr -PassThru

    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $baseUri = $null
    while (-not $baseUri) {
        if ($process.HasExited) {
            $err = if (Test-Path $stderr) { Get-Content $stderr -Raw } else { '' }
            throw "The sandbox exited with code $($process.ExitCode) before listening. $err"
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            Stop-Process -Id $process.Id -Force -ErrorAction SilentlyContinue
            throw "The sandbox did not print 'Now listening on:' within $TimeoutSeconds s."
        }
        if (Test-Path $stdout) {
            $match = Select-String -Path $stdout -Pattern 'Now listening on:\s*(http://\S+)' | Select-Object -First 1
            if ($match) { $baseUri = $match.Matches[0].Groups[1].Value.TrimEnd('/') }
        }
        if (-not $baseUri) { Start-Sleep -Milliseconds 100 }
    }
    [pscustomobject]@{ BaseUri = $baseUri; Process = $process; LogPath = $stdout; ErrorLogPath = $stderr }
}

function Stop-TestSandbox {
    <# Stops a sandbox started by Start-TestSandbox and removes its log files. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [AllowNull()] $Sandbox)
    if ($null -eq $Sandbox) { return }
    if (-not $Sandbox.Process.HasExited) {
        $Sandbox.Process.Kill($true)
        $null = $Sandbox.Process.WaitForExit(10000)
    }
    Remove-Item $Sandbox.LogPath, $Sandbox.ErrorLogPath -ErrorAction SilentlyContinue
}

function Invoke-SandboxAdmin {
    # One call to an admin route; the admin routes need no token.
    param($Sandbox, [string] $Method = 'GET', [string] $Path, $Body)
    $parameters = @{ Method = $Method; Uri = "$($Sandbox.BaseUri)/$($Path.TrimStart('/'))" }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $parameters.ContentType = 'application/json'
        $parameters.Body = if ($Body -is [string]) { $Body } else { ConvertTo-Json -InputObject $Body -Depth 20 }
    }
    # Invoke-RestMethod may write a JSON array as one object; unroll it so callers always get items.
    Invoke-RestMethod @parameters | ForEach-Object { $_ }
}

function Get-TestToken {
    <#
    .SYNOPSIS
        Mints a sandbox token for a user (UPN or id): GET /_sandbox/token. Returns the token string.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $User,
        [string[]] $Scopes = @('User.ReadWrite.All'),
        [switch] $App,
        [int] $Lifetime
    )
    $query = 'user={0}&scopes={1}' -f [uri]::EscapeDataString($User), [uri]::EscapeDataString($Scopes -join ' ')
    if ($App) { $query += '&app=true' }
    if ($PSBoundParameters.ContainsKey('Lifetime')) { $query += "&lifetime=$Lifetime" }
    (Invoke-SandboxAdmin -Sandbox $Sandbox -Path "_sandbox/token?$query").access_token
}

function Connect-TestSandbox {
    <#
    .SYNOPSIS
        Connects the module to the sandbox as a user: Connect-ProfileGraph -AccessToken <token> -GraphEndpoint <sandbox>.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $User,
        [string[]] $Scopes = @('User.ReadWrite.All')
    )
    $token = Get-TestToken -Sandbox $Sandbox -User $User -Scopes $Scopes
    $secure = ConvertTo-SecureString -String $token -AsPlainText -Force
    Connect-ProfileGraph -AccessToken $secure -GraphEndpoint $Sandbox.BaseUri
}

function Get-SandboxJournal {
    <# The requests the sandbox received (GET /_sandbox/requests), oldest first. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    $journal = Invoke-SandboxAdmin -Sandbox $Sandbox -Path '_sandbox/requests'
    @($journal)
}

function Clear-SandboxJournal {
    <# Empties the request journal (DELETE /_sandbox/requests). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    $null = Invoke-SandboxAdmin -Sandbox $Sandbox -Method DELETE -Path '_sandbox/requests'
}

function Reset-Sandbox {
    <# Restores the seeded demo tenant (POST /_sandbox/state/reset). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    $null = Invoke-SandboxAdmin -Sandbox $Sandbox -Method POST -Path '_sandbox/state/reset'
}

function Get-SandboxState {
    <# The sandbox's whole state (GET /_sandbox/state). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-SandboxAdmin -Sandbox $Sandbox -Path '_sandbox/state'
}

function Get-SandboxUsers {
    <# The demo users: id, userPrincipalName, displayName (GET /_sandbox/users). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    @(Invoke-SandboxAdmin -Sandbox $Sandbox -Path '_sandbox/users')
}

function Add-SandboxFault {
    <#
    .SYNOPSIS
        Adds a fault rule (POST /_sandbox/faults), e.g. -Rule @{ method = 'POST'; status = 503; nth = 1 }.
        Returns the stored rule(s).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] $Rule
    )
    Invoke-SandboxAdmin -Sandbox $Sandbox -Method POST -Path '_sandbox/faults' -Body $Rule
}

function Clear-SandboxFault {
    <# Removes every fault rule (DELETE /_sandbox/faults). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    $null = Invoke-SandboxAdmin -Sandbox $Sandbox -Method DELETE -Path '_sandbox/faults'
}

Export-ModuleMember -Function Get-TestRepositoryRoot, Get-BuiltModulePath, Start-TestSandbox, Stop-TestSandbox, Get-TestToken,
    Connect-TestSandbox, Get-SandboxJournal, Clear-SandboxJournal, Reset-Sandbox, Get-SandboxState, Get-SandboxUsers,
    Add-SandboxFault, Clear-SandboxFault
