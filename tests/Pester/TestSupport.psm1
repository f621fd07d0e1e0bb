<#
    Helpers shared by the Pester suites: start and stop the local Graph sandbox from out/sandbox, mint
    tokens, connect the module to it, and read or steer its admin routes (journal, state, faults). Starting,
    stopping, connecting, the journal, resets and fault rules go through the module's own testing helpers
    (Start-ProfileGraphSandbox and the rest), so the whole suite exercises what users get; the wrappers here only
    keep the suites' names.
    It also holds what the suites share to read the journal (Get-GraphRequest, Get-RequestJson, ...), to
    resolve the demo users into every form -UserId takes (Get-UserForm) and to seed or read positions without
    the module (New-SeedPosition, Get-StoredPosition). Every suite starts like this:

        BeforeAll {
            Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
            Import-TestedModule
            $script:sandbox = Start-TestSandbox
        }
        AfterAll { Stop-TestSandbox -Sandbox $script:sandbox }
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

function Import-TestedModule {
    <#
    .SYNOPSIS
        Imports the module under test into the global scope: $env:PROFILEPOSITIONS_MODULE when it is set
        (to test another build or an installed copy), else the built out/ProfilePositions.
    #>
    [CmdletBinding()]
    param()
    $path = if ($env:PROFILEPOSITIONS_MODULE) { $env:PROFILEPOSITIONS_MODULE } else { Get-BuiltModulePath }
    # -Global: imported from inside this module, it would otherwise be visible only here, not to the tests.
    Import-Module $path -Force -Global -ErrorAction Stop
}

# The suites drive the shipped testing helpers (Start-ProfileGraphSandbox and the rest, exported by the module under
# test) against this build's sandbox: PROFILEPOSITIONS_SANDBOX is where Start-ProfileGraphSandbox looks after -Path.
# An explicit setting wins (to test an installed tool instead).
if (-not $env:PROFILEPOSITIONS_SANDBOX) {
    $env:PROFILEPOSITIONS_SANDBOX = Join-Path $script:RepoRoot 'out/sandbox/ProfilePositions.Sandbox.dll'
}

function Start-TestSandbox {
    <#
    .SYNOPSIS
        Start-ProfileGraphSandbox with the sandbox's own command-line options (-ExtraArgs, e.g. '--loose' or
        '--https-port', '0'). The object it returns gains BaseUri, the name the suites use for its Uri.
    #>
    [CmdletBinding()]
    param(
        [string[]] $ExtraArgs = @(),
        [int] $TimeoutSeconds = 60
    )
    if (-not (Get-Command Start-ProfileGraphSandbox -ErrorAction SilentlyContinue)) {
        # A suite that keeps the module out of its own process (Isolation) gets the helpers alone: the module's nested
        # script module imports by itself (all but Connect-ProfileGraphSandbox work without the cmdlets).
        $moduleFolder = Split-Path -Parent $(if ($env:PROFILEPOSITIONS_MODULE) { $env:PROFILEPOSITIONS_MODULE } else { Get-BuiltModulePath })
        Import-Module (Join-Path $moduleFolder 'ProfilePositions.Testing.psm1') -Global -ErrorAction Stop
    }
    $sandbox = Start-ProfileGraphSandbox -ArgumentList $ExtraArgs -TimeoutSec $TimeoutSeconds
    $sandbox | Add-Member -MemberType AliasProperty -Name BaseUri -Value Uri -PassThru
}

function Stop-TestSandbox {
    <# Stop-ProfileGraphSandbox; $null (a BeforeAll that failed early) is fine. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [AllowNull()] $Sandbox)
    Stop-ProfileGraphSandbox -Sandbox $Sandbox
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
        Connect-ProfileGraphSandbox with the suites' default scope, User.ReadWrite.All.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $User,
        [string[]] $Scopes = @('User.ReadWrite.All')
    )
    Connect-ProfileGraphSandbox -Sandbox $Sandbox -User $User -Scopes $Scopes
}

function Approve-TestDeviceCode {
    <#
    .SYNOPSIS
        Plays the user of a device-code sign-in: waits until a code is pending (GET /_sandbox/identity/pending), then
        approves it as -User (POST /_sandbox/identity/approve) or, with -Deny, refuses it. Returns the pending entry.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [string] $User = 'adele.vance@contoso.com',
        [string[]] $Scopes,
        [switch] $Deny,
        [int] $TimeoutSeconds = 30
    )
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    do {
        $pending = @(Invoke-SandboxAdmin -Sandbox $Sandbox -Path '_sandbox/identity/pending')
        if ($pending.Count -eq 0) { Start-Sleep -Milliseconds 100 }
    } while ($pending.Count -eq 0 -and [DateTime]::UtcNow -lt $deadline)
    if ($pending.Count -eq 0) { throw "No device code was pending within $TimeoutSeconds s." }
    $body = @{ userCode = $pending[0].userCode }
    if ($Deny) {
        $null = Invoke-SandboxAdmin -Sandbox $Sandbox -Method POST -Path '_sandbox/identity/deny' -Body $body
    }
    else {
        $body.user = $User
        if ($Scopes) { $body.scopes = $Scopes }
        $null = Invoke-SandboxAdmin -Sandbox $Sandbox -Method POST -Path '_sandbox/identity/approve' -Body $body
    }
    $pending[0]
}

function Start-DeviceCodeApproval {
    <#
    .SYNOPSIS
        Runs Approve-TestDeviceCode on a thread job, so the test's own thread can run Connect-ProfileGraph -UseDeviceCode
        meanwhile. Receive-Job -Wait gives the pending entry that was approved (or denied).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [string] $User = 'adele.vance@contoso.com',
        [switch] $Deny
    )
    Start-ThreadJob -ArgumentList $PSCommandPath, $Sandbox, $User, $Deny.IsPresent -ScriptBlock {
        param($support, $sandbox, $user, $deny)
        Import-Module $support
        Approve-TestDeviceCode -Sandbox $sandbox -User $user -Deny:$deny
    }
}

function Connect-TestSandboxDeviceCode {
    <#
    .SYNOPSIS
        Signs the module in to an HTTPS sandbox through MSAL's device code flow, approved as -User through the admin
        route: Connect-ProfileGraph -UseDeviceCode -AuthorityHost/-GraphEndpoint <sandbox https>, with the test-only
        trust of the sandbox's certificate (PROFILEPOSITIONS_TRUST_LOOPBACK_CERT) for the duration of the call.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [string] $User = 'adele.vance@contoso.com',
        [string[]] $Scopes = @('User.ReadWrite.All')
    )
    if (-not $Sandbox.HttpsUri) { throw 'Start the sandbox with -ExtraArgs --https-port, 0 for a device-code sign-in.' }
    $previous = $env:PROFILEPOSITIONS_TRUST_LOOPBACK_CERT
    $env:PROFILEPOSITIONS_TRUST_LOOPBACK_CERT = $Sandbox.CertificatePath
    $approval = Start-DeviceCodeApproval -Sandbox $Sandbox -User $User
    try {
        Connect-ProfileGraph -UseDeviceCode -AuthorityHost $Sandbox.HttpsUri -GraphEndpoint $Sandbox.HttpsUri -Scopes $Scopes -SignInTimeoutSec 60
        $null = $approval | Receive-Job -Wait -ErrorAction Stop
    }
    finally {
        $approval | Remove-Job -Force
        $env:PROFILEPOSITIONS_TRUST_LOOPBACK_CERT = $previous
    }
}

function Get-IdentityRequest {
    <# The journal entries of the identity platform's routes (devicecode, token, authorize...), oldest first. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    @(Get-SandboxJournal -Sandbox $Sandbox | Where-Object { Test-IdentityPath $_.path })
}

# The identity routes: /{tenant}/oauth2/..., /{tenant}/v2.0/..., /{tenant}/discovery/... and /devicelogin.
function Test-IdentityPath([string] $Path) { $Path -match '^/[^/_][^/]*/(oauth2|v2\.0|discovery)/' -or $Path -eq '/devicelogin' }

function Get-SandboxJournal {
    <# The requests the sandbox received (GET /_sandbox/requests), oldest first. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Get-ProfileGraphSandboxRequest -Sandbox $Sandbox -IncludeEnvelope -IncludeIdentity
}

function Clear-SandboxJournal {
    <# Empties the request journal (DELETE /_sandbox/requests). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Reset-ProfileGraphSandbox -Sandbox $Sandbox -Requests
}

function Reset-Sandbox {
    <# Restores the seeded demo tenant (POST /_sandbox/state/reset). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Reset-ProfileGraphSandbox -Sandbox $Sandbox
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
    Invoke-SandboxAdmin -Sandbox $Sandbox -Path '_sandbox/users'
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
        [Parameter(Mandatory)] [Collections.IDictionary[]] $Rule
    )
    Add-ProfileGraphSandboxFault -Sandbox $Sandbox -Rule $Rule
}

function Clear-SandboxFault {
    <# Removes every fault rule (DELETE /_sandbox/faults). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Reset-ProfileGraphSandbox -Sandbox $Sandbox -Faults
}

function Get-GraphRequest {
    <#
    The Graph operations the sandbox received, oldest first: plain requests and each item of a $batch envelope (which
    carries the envelope's batchId). The envelopes themselves only with -IncludeEnvelope; admin routes and the identity
    platform's routes (Get-IdentityRequest) never.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [switch] $IncludeEnvelope)
    @(Get-SandboxJournal -Sandbox $Sandbox | Where-Object {
            $_.path -notlike '/_sandbox*' -and -not (Test-IdentityPath $_.path) -and ($IncludeEnvelope -or $_.path -notlike '*/$batch')
        })
}

function Get-RequestJson {
    <# The body the sandbox received, parsed into ordered hashtables; $null when there was none. #>
    [CmdletBinding()]
    param([Parameter(Position = 0)] $Entry)
    $body = $Entry.body
    if ($null -eq $body -or ($body -is [string] -and $body.Trim() -eq '')) { return $null }
    if ($body -isnot [string]) { $body = ConvertTo-Json -InputObject $body -Depth 30 -Compress }
    ConvertFrom-Json -InputObject $body -AsHashtable -DateKind String -NoEnumerate
}

function Get-RequestQuery {
    <# The decoded query string of a journal entry ('' when there was none). #>
    [CmdletBinding()]
    param([Parameter(Position = 0)] $Entry)
    if ($Entry.query) { [uri]::UnescapeDataString(($Entry.query -replace '\+', ' ')) } else { '' }
}

function ConvertTo-SortedValue($Value) {
    # Dictionaries rebuilt with their keys sorted, at every level.
    if ($Value -is [System.Collections.IDictionary]) {
        $sorted = [ordered]@{}
        foreach ($key in @($Value.Keys) | Sort-Object) { $sorted[$key] = ConvertTo-SortedValue $Value[$key] }
        return $sorted
    }
    if ($Value -is [System.Collections.IList]) { return , @($Value | ForEach-Object { ConvertTo-SortedValue $_ }) }
    return $Value
}

function ConvertTo-CanonicalJson {
    <# JSON with object keys sorted at every level, so two bodies compare by content, not by key order. #>
    [CmdletBinding()]
    param([Parameter(Position = 0)] $Value)
    ConvertTo-Json -InputObject (ConvertTo-SortedValue $Value) -Depth 30 -Compress
}

function Test-UserPath {
    <#
    .SYNOPSIS
        True when a request path addresses $User's profile positions ($Rest follows /profile/positions),
        in either form Graph accepts: /users/{key} or /users('{key}') with apostrophes doubled.
    #>
    [CmdletBinding()]
    param([string] $Path, [string] $User, [string] $Rest)
    $decoded = [uri]::UnescapeDataString(($Path -split '\?')[0])
    $quoted = $User -replace "'", "''"
    $decoded -ceq "/beta/users/$User/profile/positions$Rest" -or $decoded -ceq "/beta/users('$quoted')/profile/positions$Rest"
}

# The forms -UserId can take; Get-UserForm resolves each to a demo user.
$script:UserFormNames = 'an object id', 'a UPN', 'a guest #EXT# UPN', 'a UPN starting with $', 'a UPN with an apostrophe', 'me', 'omitted'

function Get-UserFormCase {
    <# One Pester test case per -UserId form, @{ Form = <name> }, for It -ForEach (usable in BeforeDiscovery). #>
    [CmdletBinding()]
    param()
    $script:UserFormNames | ForEach-Object { @{ Form = $_ } }
}

function Find-SandboxUser {
    <# The first demo user whose userPrincipalName is -like $UserPrincipalName; $null when none is. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $UserPrincipalName
    )
    Get-SandboxUsers -Sandbox $Sandbox | Where-Object { $_.userPrincipalName -like $UserPrincipalName } | Select-Object -First 1
}

function Get-UserForm {
    <#
    .SYNOPSIS
        Every way -UserId can be given, keyed by the names Get-UserFormCase yields. Each entry holds the value
        passed (Value, $null when omitted), the user it must reach (OwnerId, the object id; PathUser, the key
        the request path must carry) and the UserId the output objects carry (OutputUserId).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        # The UPN of the signed-in user, whom 'me' and an omitted -UserId reach.
        [Parameter(Mandatory)] [string] $SignedIn
    )
    $users = @(Get-SandboxUsers -Sandbox $Sandbox)
    function Find-User([string] $Like) {
        $found = @($users | Where-Object { $_.userPrincipalName -like $Like })
        if ($found.Count -eq 0) { throw "The sandbox has no demo user whose UPN is like '$Like'." }
        $found[0]
    }
    function New-Form($User, [string] $Key) {
        # -UserId given as $Key (the user's id, UPN or 'me'): the path carries the key and the output echoes it.
        @{ Value = $Key; OwnerId = $User.id; PathUser = $Key; OutputUserId = $Key }
    }
    $me = Find-User ([WildcardPattern]::Escape($SignedIn))
    $megan = Find-User 'megan.bowen@*'
    $innocenty = Find-User 'innocenty.popov@*'
    $guest = Find-User '*#EXT#*'
    $dollar = Find-User '$*'
    $apostrophe = Find-User "*'*"
    @{
        'an object id'             = New-Form $megan $megan.id
        'a UPN'                    = New-Form $innocenty $innocenty.userPrincipalName
        'a guest #EXT# UPN'        = New-Form $guest $guest.userPrincipalName
        'a UPN starting with $'    = New-Form $dollar $dollar.userPrincipalName
        'a UPN with an apostrophe' = New-Form $apostrophe $apostrophe.userPrincipalName
        # Output objects name the signed-in account for /me, so an export names its owner wherever it is imported.
        'me'                       = @{ Value = 'me'; OwnerId = $me.id; PathUser = 'me'; OutputUserId = $me.userPrincipalName }
        'omitted'                  = @{ Value = $null; OwnerId = $me.id; PathUser = 'me'; OutputUserId = $me.userPrincipalName }
    }
}

function Test-RequestUser {
    <# True when a request path reaches the user of a form from Get-UserForm ($Rest follows /profile/positions). #>
    [CmdletBinding()]
    param([string] $Path, $Form, [string] $Rest = '')
    if ($Form.PathUser -eq 'me') {
        $decoded = [uri]::UnescapeDataString(($Path -split '\?')[0])
        return $decoded -ceq "/beta/me/profile/positions$Rest"
    }
    Test-UserPath -Path $Path -User $Form.PathUser -Rest $Rest
}

function Get-SeedHeader($Sandbox) {
    # The seeding helpers act as the demo tenant's admin (the same user the suites sign in as), with one
    # token per sandbox, kept on the sandbox object.
    if (-not $Sandbox.PSObject.Properties['SeedToken']) {
        $token = Get-TestToken -Sandbox $Sandbox -User 'adele.vance@contoso.com' -Scopes 'User.ReadWrite.All'
        $Sandbox | Add-Member -NotePropertyName SeedToken -NotePropertyValue $token
    }
    @{ Authorization = "Bearer $($Sandbox.SeedToken)" }
}

function New-SeedPosition {
    <# Seeds a position straight through the sandbox's Graph API, by object id, without the module. Returns it. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $OwnerId,
        [Parameter(Mandatory)] [hashtable] $Body
    )
    $parameters = @{
        Method      = 'POST'
        Uri         = "$($Sandbox.BaseUri)/beta/users/$OwnerId/profile/positions"
        Headers     = Get-SeedHeader $Sandbox
        ContentType = 'application/json'
        Body        = ConvertTo-Json -InputObject $Body -Depth 10
    }
    Invoke-RestMethod @parameters
}

function Get-StoredPosition {
    <# What the sandbox holds for a user, read straight through its Graph API (every page). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $OwnerId
    )
    $uri = "$($Sandbox.BaseUri)/beta/users/$OwnerId/profile/positions"
    while ($uri) {
        $page = Invoke-RestMethod -Uri $uri -Headers (Get-SeedHeader $Sandbox)
        $page.value
        $next = $page.PSObject.Properties['@odata.nextLink']
        $uri = if ($next) { $next.Value } else { $null }
    }
}

function Invoke-ConsoleSession {
    <#
    Runs lines in a fresh pwsh that imports the tested module, connects to the sandbox as -User and then reads its
    commands, and any prompt's answer, from standard input, the way a person types them. Returns everything the
    console printed.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $User,
        [Parameter(Mandatory)] [string[]] $Lines
    )
    $env:PP_TEST_MODULE = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
    $env:PP_TEST_TOKEN = Get-TestToken -Sandbox $Sandbox -User $User
    $env:PP_TEST_ENDPOINT = $Sandbox.BaseUri
    try {
        $pwsh = Get-FreshPwsh
        $prefix = $pwsh.Prefix
        (@($script:FreshSessionSetup) + $Lines + 'exit') -join "`n" | & $pwsh.Path @prefix -NoProfile -Command - 2>&1 | Out-String
    }
    finally {
        Remove-Item Env:PP_TEST_TOKEN, Env:PP_TEST_MODULE, Env:PP_TEST_ENDPOINT -ErrorAction SilentlyContinue
    }
}

# What a fresh session runs first: import the tested module and connect to the sandbox (PP_TEST_* variables).
$script:FreshSessionSetup = 'Import-Module $env:PP_TEST_MODULE; $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $env:PP_TEST_TOKEN -AsPlainText -Force) -GraphEndpoint $env:PP_TEST_ENDPOINT'

function Get-FreshPwsh {
    # The pwsh this run uses (under `dotnet pwsh` the process is dotnet, which needs the pwsh command first).
    $path = (Get-Process -Id $PID).Path
    [pscustomobject]@{ Path = $path; Prefix = @(if ($path -like '*dotnet*') { 'pwsh' }) }
}

function Invoke-ScriptInFreshPwsh {
    <#
    Runs code in a fresh `pwsh -NoProfile -NonInteractive -File` (nothing on standard input, so any prompt fails)
    after a prelude that imports the tested module, connects to the sandbox as -User and sets -Variables. Returns
    ExitCode, Output (standard output) and Errors (standard error) as text.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $User,
        [Parameter(Mandatory)] [string] $Code,
        [hashtable] $Variables = @{},
        [string[]] $Scopes = @('User.ReadWrite.All')
    )
    $env:PP_TEST_MODULE = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
    $env:PP_TEST_TOKEN = Get-TestToken -Sandbox $Sandbox -User $User -Scopes $Scopes
    $env:PP_TEST_ENDPOINT = $Sandbox.BaseUri
    $directory = Join-Path ([IO.Path]::GetTempPath()) ('pp-fresh-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $directory
    try {
        $assignments = foreach ($name in $Variables.Keys) { "`$$name = '$($Variables[$name] -replace "'", "''")'" }
        $path = Join-Path $directory 'script.ps1'
        # The code follows the prelude on lines of its own, as written (tabs and blank lines kept).
        Set-Content -Path $path -Encoding utf8NoBOM -Value ((@($script:FreshSessionSetup) + @($assignments) + $Code) -join "`n")
        $errors = Join-Path $directory 'stderr.txt'
        $pwsh = Get-FreshPwsh
        $prefix = $pwsh.Prefix
        $output = '' | & $pwsh.Path @prefix -NoProfile -NonInteractive -File $path 2> $errors | Out-String
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output; Errors = "$(Get-Content -Raw -Path $errors)" }
    }
    finally {
        Remove-Item -Recurse -Force -Path $directory -ErrorAction SilentlyContinue
        Remove-Item Env:PP_TEST_TOKEN, Env:PP_TEST_MODULE, Env:PP_TEST_ENDPOINT -ErrorAction SilentlyContinue
    }
}

function Invoke-SignInSession {
    <#
    Runs code in a fresh `pwsh -NoProfile -File` that imports the tested module and does not sign in: the code signs in
    itself (browser, device code, a saved sign-in). Without -NonInteractive, and with CI removed from its environment,
    unless -NonInteractive or -Environment says otherwise: the interactive sign-in tests need a session a person could
    be sitting at. -Environment sets (or, with $null, removes) variables for the child only. Standard input is empty.
    Returns ExitCode, Output (standard output) and Errors (standard error) as text.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Code,
        [hashtable] $Variables = @{},
        [hashtable] $Environment = @{},
        [switch] $NonInteractive
    )
    $directory = Join-Path ([IO.Path]::GetTempPath()) ('pp-signin-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $directory
    $module = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
    $settings = @{ CI = $null }
    foreach ($name in $Environment.Keys) { $settings[$name] = $Environment[$name] }
    $saved = @{}
    foreach ($name in $settings.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    try {
        foreach ($name in $settings.Keys) { [Environment]::SetEnvironmentVariable($name, $settings[$name]) }
        $assignments = foreach ($name in $Variables.Keys) { "`$$name = '$($Variables[$name] -replace "'", "''")'" }
        $path = Join-Path $directory 'script.ps1'
        # Plain text, so that what the console shows ("WARNING: ...") can be matched line by line.
        $prelude = @('$PSStyle.OutputRendering = ''PlainText''', "Import-Module '$($module -replace "'", "''")'")
        Set-Content -Path $path -Encoding utf8NoBOM -Value (($prelude + @($assignments) + $Code) -join "`n")
        $errors = Join-Path $directory 'stderr.txt'
        $pwsh = Get-FreshPwsh
        $arguments = @($pwsh.Prefix) + @('-NoProfile') + @(if ($NonInteractive) { '-NonInteractive' }) + @('-File', $path)
        $output = '' | & $pwsh.Path @arguments 2> $errors | Out-String
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output; Errors = "$(Get-Content -Raw -Path $errors)" }
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        Remove-Item -Recurse -Force -Path $directory -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Invoke-ConsoleSession, Invoke-ScriptInFreshPwsh, Invoke-SignInSession, Get-TestRepositoryRoot, Get-BuiltModulePath, Import-TestedModule, Start-TestSandbox, Stop-TestSandbox,
    Get-TestToken, Connect-TestSandbox, Approve-TestDeviceCode, Start-DeviceCodeApproval, Invoke-SandboxAdmin, Connect-TestSandboxDeviceCode, Get-IdentityRequest, Get-SandboxJournal, Clear-SandboxJournal, Reset-Sandbox, Get-SandboxState, Get-SandboxUsers,
    Add-SandboxFault, Clear-SandboxFault, Get-GraphRequest, Get-RequestJson, Get-RequestQuery, ConvertTo-CanonicalJson, Test-UserPath,
    Get-UserFormCase, Find-SandboxUser, Get-UserForm, Test-RequestUser, New-SeedPosition, Get-StoredPosition
