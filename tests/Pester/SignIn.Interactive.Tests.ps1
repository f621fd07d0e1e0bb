#Requires -Version 7.0
<#
    The sign-ins a person starts, end to end through MSAL against the sandbox's identity platform, each in a fresh pwsh
    started without -NonInteractive and without CI (as a console a person sits at):
    - the interactive browser: on Linux MSAL starts the first of xdg-open, gnome-open, kfmclient, microsoft-edge and
      wslview that it finds on PATH, with the authorize URL as its one argument. The "browser" here is a stand-in
      xdg-open on PATH: it asks the sandbox's authorize route for that URL (as the user in PP_BROWSER_USER, trusting
      the sandbox's certificate explicitly), posts the form_post answer to MSAL's loopback listener and returns.
    - -ContextScope CurrentUser: the token cache (a plain owner-only file, with -AllowUnencryptedTokenCache, since this
      machine has no keyring) and the account record persist under XDG_DATA_HOME, which every test points at a
      folder of its own; a new pwsh signs in silently; Disconnect-ProfileGraph removes the files and says so.
    - hosts where no browser can open are refused at once, naming the other ways to sign in.
    - no token, refresh token, device code or authorization code in any stream, $Error, a transcript, or any file
      but the opted-in cache.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    # What the sandbox's secrets look like: JWTs (access and id tokens), refresh tokens, device codes, authorization codes.
    $script:secretPattern = 'eyJ[A-Za-z0-9_-]{8,}|1\.SBX\.|SBXDC\.|SBXAC\.'
    # Tokens live 60 s, which MSAL treats as expired already (it renews 5 minutes early): a saved sign-in can only be
    # reused by redeeming its persisted refresh token, which the journal shows.
    $script:sandbox = Start-TestSandbox -ExtraArgs '--https-port', '0', '--token-lifetime', '60'
    $script:https = $script:sandbox.HttpsUri

    # The stand-in browser. MSAL gives it the authorize URL and does not wait for it, as with a real browser.
    $script:browserFolder = Join-Path ([IO.Path]::GetTempPath()) ('pp-browser-' + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $script:browserFolder
    $script:browser = Join-Path $script:browserFolder 'xdg-open'
    Set-Content -Path $script:browser -Encoding utf8NoBOM -Value @'
#!/bin/sh
# Test stand-in for a browser: MSAL runs "xdg-open <authorize URL>".
printf '%s\n' "$1" >> "$PP_BROWSER_LOG"
page=$(curl -sS --cacert "$PROFILEPOSITIONS_TRUST_LOOPBACK_CERT" "$1&sandbox_user=$PP_BROWSER_USER") || exit 1
# The sandbox's form_post page has the form and each hidden input on a line of its own.
action=$(printf '%s\n' "$page" | sed -n 's/^<form method="POST" name="hiddenform" action="\([^"]*\)">$/\1/p' | sed 's/&amp;/\&/g')
set --
for field in $(printf '%s\n' "$page" | sed -n 's/^<input type="hidden" name="\([^"]*\)" value="\([^"]*\)" \/>$/\1=\2/p' | sed 's/&amp;/\&/g'); do
    set -- "$@" --data-urlencode "$field"
done
# What a browser does with that page: post the form to MSAL's loopback listener (http://localhost:<port>).
curl -sS -o /dev/null "$@" "$action"
'@
    chmod +x $script:browser
    $script:curl = (Get-Command curl -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source

    function New-TestFolder {
        $path = Join-Path ([IO.Path]::GetTempPath()) ('pp-persist-' + [guid]::NewGuid().ToString('n'))
        (New-Item -ItemType Directory -Path $path).FullName
    }

    # The environment of a console session a person sits at: a display, the stand-in browser first on PATH, the sandbox's
    # certificate trusted (test-only), persisted files under -Data.
    function Get-ConsoleEnvironment([string] $Data, [string] $User = 'megan.bowen@contoso.com', [string] $Log = (Join-Path $Data 'browser.log'), $Sandbox = $script:sandbox) {
        @{
            # The module, like the Azure CLI, opens no browser on Linux without a display; the stand-in needs none.
            DISPLAY = ':0'
            PATH = "$($script:browserFolder)$([IO.Path]::PathSeparator)$env:PATH"
            XDG_DATA_HOME = $Data
            PROFILEPOSITIONS_TRUST_LOOPBACK_CERT = $Sandbox.CertificatePath
            PP_BROWSER_USER = $User
            PP_BROWSER_LOG = $Log
        }
    }

    # Every file under a folder, relative, with its Unix mode in octal (600: read and write for the owner only).
    function Get-PersistedFile([string] $Root) {
        @(Get-ChildItem -LiteralPath $Root -Recurse -File -Force -ErrorAction SilentlyContinue |
            Where-Object Name -NE 'browser.log' |
            ForEach-Object { [pscustomobject]@{ Path = [IO.Path]::GetRelativePath($Root, $_.FullName); Mode = [Convert]::ToString([int][IO.File]::GetUnixFileMode($_.FullName), 8) } } |
            Sort-Object Path)
    }

    function Assert-NoSecret([string] $Text, [string] $Where, [string[]] $Values = @()) {
        $found = @([regex]::Matches($Text, $script:secretPattern) | ForEach-Object { $_.Value.Substring(0, [Math]::Min(12, $_.Value.Length)) + '...' })
        $found += @($Values | Where-Object { $_ -and $Text.Contains($_) } | ForEach-Object { $_.Substring(0, 12) + '...' })
        $found | Should -BeNullOrEmpty -Because "$Where must not show a token, refresh token, device code or authorization code"
    }

    # The secrets MSAL keeps in a plain (opted-in) cache file: access, refresh and id tokens.
    function Get-CachedSecret([string] $Path) {
        $cache = Get-Content -Raw -LiteralPath $Path | ConvertFrom-Json
        foreach ($kind in 'AccessToken', 'RefreshToken', 'IdToken') {
            if ($cache.$kind) { $cache.$kind.PSObject.Properties.Value | ForEach-Object { $_.secret } }
        }
    }

    $script:cacheFile = '.IdentityService/profilepositions.msal.cache.cae'
    $script:recordFile = 'ProfilePositions/authrecord.json'
}

AfterAll {
    Stop-TestSandbox -Sandbox $script:sandbox
    Remove-Item -Recurse -Force -LiteralPath $script:browserFolder -ErrorAction SilentlyContinue
}

Describe 'Interactive browser sign-in (stand-in xdg-open)' {
    BeforeEach {
        Reset-Sandbox -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
        $script:data = New-TestFolder
    }
    AfterEach { Remove-Item -Recurse -Force -LiteralPath $script:data -ErrorAction SilentlyContinue }

    It 'signs in through the browser MSAL starts, and a write runs as the user who signed in there' {
        $code = @'
$output = @(Connect-ProfileGraph -AuthorityHost $https -GraphEndpoint $https -Scopes User.ReadWrite.All -SignInTimeoutSec 60)
"OUTPUT: $($output.Count) $($output[0].Account) $($output[0].TokenCredentialType) $($output[0].ContextScope)"
$created = New-ProfilePosition -UserId 'adele.vance@contoso.com' -JobTitle 'Signed in with the browser' -ErrorAction Stop
"CREATED: $($created.Id)"
'@
        $run = Invoke-SignInSession -Code $code -Variables @{ https = $script:https } -Environment (Get-ConsoleEnvironment -Data $script:data)

        $run.Errors | Should -BeNullOrEmpty
        $run.ExitCode | Should -Be 0
        $run.Output | Should -Match 'OUTPUT: 1 megan.bowen@contoso.com InteractiveBrowser Process'
        $run.Output | Should -Match 'CREATED: \S+'
        # MSAL started the stand-in once, with the sandbox's authorize URL: PKCE, form_post, its loopback listener.
        $opened = @(Get-Content -LiteralPath (Join-Path $script:data 'browser.log'))
        $opened.Count | Should -Be 1
        $opened[0] | Should -BeLike "$($script:https)/common/oauth2/v2.0/authorize?*"
        $opened[0] | Should -Match 'code_challenge_method=S256'
        $opened[0] | Should -Match 'response_mode=form_post'
        $opened[0] | Should -Match 'redirect_uri=http%3A%2F%2Flocalhost%3A\d+'

        # The sandbox signed Megan in on the authorize route, MSAL redeemed the code, and the write ran with her token.
        $identity = @(Get-IdentityRequest -Sandbox $script:sandbox)
        $identity[0].path | Should -Be '/common/oauth2/v2.0/authorize'
        $identity[0].status | Should -Be 200
        $identity[0].user | Should -Be 'megan.bowen@contoso.com'
        $redeemed = @($identity | Where-Object { $_.body -match 'grant_type=authorization_code' })
        $redeemed.Count | Should -Be 1
        $redeemed[0].status | Should -Be 200
        @($identity | Where-Object path -Like '*devicecode*') | Should -BeNullOrEmpty
        $writes = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $writes.Count | Should -Be 1
        $writes[0].status | Should -Be 201
        $writes[0].caller | Should -Be 'megan.bowen@contoso.com'
        $adele = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@contoso.com'
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $adele.id | Where-Object { $_.detail.jobTitle -eq 'Signed in with the browser' }).Count | Should -Be 1
        # -ContextScope Process: nothing was written to disk.
        Get-PersistedFile -Root $script:data | Should -BeNullOrEmpty
    }

    It 'is refused at once, naming the other ways to sign in, where no browser can open: <Case>' -ForEach @(
        @{ Case = 'pwsh -NonInteractive'; NonInteractive = $true; Changes = @(@{}); Reasons = @('because PowerShell was started with -NonInteractive.') }
        # One console session, three hosts: the module looks at the environment at every Connect-ProfileGraph.
        @{
            Case = 'no display; no opener on PATH; CI set'; NonInteractive = $false
            Changes = @(
                @{ DISPLAY = $null; WAYLAND_DISPLAY = $null; WSL_DISTRO_NAME = $null; WSL_INTEROP = $null }
                # Only the folder of the pwsh that runs the test: no xdg-open, gnome-open, kfmclient, microsoft-edge or wslview.
                @{ PATH = (Split-Path (Get-Process -Id $PID).Path) }
                @{ CI = 'true' }
            )
            Reasons = @(
                'because there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set)'
                'because no program that opens a browser is on PATH (MSAL starts the first of xdg-open, gnome-open, kfmclient, microsoft-edge, wslview)'
                'because the environment variable CI is set'
            )
        }
    ) {
        $code = @'
foreach ($change in ($changes | ConvertFrom-Json -AsHashtable)) {
    $saved = @{}
    foreach ($name in $change.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $change[$name]) }
    try { $null = Connect-ProfileGraph -AuthorityHost $https -GraphEndpoint $https -SignInTimeoutSec 600; 'CONNECTED' }
    catch { "REFUSED: $($_.FullyQualifiedErrorId) | $($_.Exception.Message)" }
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
}
'@
        $variables = @{ https = $script:https; changes = (ConvertTo-Json -InputObject @($Changes) -Compress) }
        $run = Invoke-SignInSession -Code $code -Variables $variables -Environment (Get-ConsoleEnvironment -Data $script:data) -NonInteractive:$NonInteractive

        $run.ExitCode | Should -Be 0
        $refusals = @($run.Output -split "`n" | Where-Object { $_ -like 'REFUSED: *' -or $_ -like 'CONNECTED*' })
        $refusals.Count | Should -Be $Reasons.Count
        for ($i = 0; $i -lt $Reasons.Count; $i++) {
            $refusals[$i] | Should -BeLike 'REFUSED: InteractiveSignInUnavailable,ProfilePositions.Commands.ConnectProfileGraphCommand | Connect-ProfileGraph cannot sign in with a browser here, *'
            $refusals[$i] | Should -BeLike "*$([WildcardPattern]::Escape($Reasons[$i]))*"
            $refusals[$i] | Should -BeLike '*-UseDeviceCode*-AccessToken*-AccessTokenProvider*'
        }
        # At once: no browser was started, nothing was asked of the identity platform.
        Test-Path -LiteralPath (Join-Path $script:data 'browser.log') | Should -BeFalse
        Get-IdentityRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }

    It 'still signs in with a device code in a pwsh -NonInteractive without a display' {
        $environment = Get-ConsoleEnvironment -Data $script:data
        $environment.DISPLAY = $null
        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -User 'megan.bowen@contoso.com'
        try {
            $run = Invoke-SignInSession -NonInteractive -Variables @{ https = $script:https } -Environment $environment -Code @'
$context = Connect-ProfileGraph -UseDeviceCode -AuthorityHost $https -GraphEndpoint $https -Scopes User.ReadWrite.All -SignInTimeoutSec 60
"OUTPUT: $($context.Account) $($context.TokenCredentialType)"
'@
            $null = $approval | Receive-Job -Wait -ErrorAction Stop
        }
        finally { $approval | Remove-Job -Force }

        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -Match 'OUTPUT: megan.bowen@contoso.com DeviceCode'
    }
}

Describe '-ContextScope CurrentUser (persisted sign-in)' {
    BeforeEach {
        Reset-Sandbox -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
        $script:data = New-TestFolder
        $script:environment = Get-ConsoleEnvironment -Data $script:data
        $script:connectDeviceCode = 'Connect-ProfileGraph -UseDeviceCode -AuthorityHost $https -GraphEndpoint $https -Scopes User.ReadWrite.All -ContextScope CurrentUser -AllowUnencryptedTokenCache -SignInTimeoutSec 60'
    }
    AfterEach { Remove-Item -Recurse -Force -LiteralPath $script:data -ErrorAction SilentlyContinue }

    It 'keeps the sign-in in owner-only files, and a new pwsh signs in silently from them and writes' {
        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -User 'megan.bowen@contoso.com'
        try {
            $first = Invoke-SignInSession -Variables @{ https = $script:https } -Environment $script:environment -Code "`$c = $($script:connectDeviceCode); `"SCOPE: `$(`$c.ContextScope)`""
            $null = $approval | Receive-Job -Wait -ErrorAction Stop
        }
        finally { $approval | Remove-Job -Force }

        $first.Errors | Should -BeNullOrEmpty
        $first.Output | Should -Match 'SCOPE: CurrentUser'
        # Said once, at connect: where the unencrypted cache is, and that only its owner can read it.
        $warnings = @($first.Output -split "`n" | Where-Object { $_ -like 'WARNING:*' })
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -BeLike "WARNING: The token cache is kept unencrypted in $(Join-Path $script:data $script:cacheFile) (readable by you only), as -AllowUnencryptedTokenCache allows*"
        $files = Get-PersistedFile -Root $script:data
        $files.Path | Should -Be @($script:cacheFile, $script:recordFile)
        $files.Mode | Should -Be @('600', '600')
        Assert-NoSecret -Text (Get-Content -Raw -LiteralPath (Join-Path $script:data $script:recordFile)) -Where 'the account record'
        @(Get-CachedSecret -Path (Join-Path $script:data $script:cacheFile)) | Where-Object { $_ -like '1.SBX.*' } | Should -Not -BeNullOrEmpty -Because 'the opted-in cache holds the refresh token'

        # A new pwsh, -NonInteractive as a scheduled task would be: no prompt is possible, none is needed.
        Clear-SandboxJournal -Sandbox $script:sandbox
        $second = Invoke-SignInSession -NonInteractive -Variables @{ https = $script:https } -Environment $script:environment -Code @"
`$c = $($script:connectDeviceCode) -WarningAction SilentlyContinue
"SCOPE: `$(`$c.Account) `$(`$c.ContextScope)"
`$created = New-ProfilePosition -JobTitle 'Signed in silently' -ErrorAction Stop
"CREATED: `$(`$created.Id)"
"@

        $second.Errors | Should -BeNullOrEmpty
        $second.Output | Should -Match 'SCOPE: megan.bowen@contoso.com CurrentUser'
        $second.Output | Should -Match 'CREATED: \S+'
        $second.Output | Should -Not -Match 'To sign in' -Because 'no device-code prompt was shown'
        # No device code was asked for or is pending; the persisted refresh token was redeemed, then the write ran as Megan.
        $identity = @(Get-IdentityRequest -Sandbox $script:sandbox)
        @($identity | Where-Object { $_.path -like '*devicecode*' -or $_.path -like '*authorize*' }) | Should -BeNullOrEmpty
        $identity.Count | Should -BeGreaterOrEqual 1
        foreach ($request in $identity) {
            $request.body | Should -Match 'grant_type=refresh_token'
            $request.status | Should -Be 200
        }
        @(Invoke-SandboxAdmin -Sandbox $script:sandbox -Path '_sandbox/identity/pending') | Should -BeNullOrEmpty
        $writes = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $writes.Count | Should -Be 1
        $writes[0].status | Should -Be 201
        $writes[0].caller | Should -Be 'megan.bowen@contoso.com'
        (Get-PersistedFile -Root $script:data).Mode | Should -Be @('600', '600') -Because 'MSAL rewrote the cache after the refresh, still owner-only'
    }

    It 'signs in silently after the identity platform restarted: the sandbox keeps its signing key and refresh tokens with --data' {
        $folder = New-TestFolder
        $tenant = Join-Path $folder 'tenant.json'
        $before = Start-TestSandbox -ExtraArgs '--https-port', '0', '--token-lifetime', '60', '--data', $tenant
        $https = $before.HttpsUri
        $environment = Get-ConsoleEnvironment -Data $script:data -Sandbox $before
        try {
            $approval = Start-DeviceCodeApproval -Sandbox $before -User 'megan.bowen@contoso.com'
            try {
                $null = Invoke-SignInSession -Variables @{ https = $https } -Environment $environment -Code "`$null = $($script:connectDeviceCode) -WarningAction SilentlyContinue"
                $null = $approval | Receive-Job -Wait -ErrorAction Stop
            }
            finally { $approval | Remove-Job -Force }
        }
        finally { Stop-TestSandbox -Sandbox $before }
        (Get-PersistedFile -Root $script:data).Path | Should -Be @($script:cacheFile, $script:recordFile)

        # The same authority (the same https port) and the same --data: a new process, the same identity platform.
        $after = Start-TestSandbox -ExtraArgs '--https-port', ([uri]$https).Port, '--token-lifetime', '60', '--data', $tenant
        try {
            $after.CertificatePath | Should -Be $before.CertificatePath
            $run = Invoke-SignInSession -NonInteractive -Variables @{ https = $https } -Environment $environment -Code @"
`$c = $($script:connectDeviceCode) -WarningAction SilentlyContinue
`$created = New-ProfilePosition -JobTitle 'After the restart' -ErrorAction Stop
"CREATED: `$(`$c.Account) `$(`$created.Id)"
"@

            $run.Errors | Should -BeNullOrEmpty
            $run.Output | Should -Match 'CREATED: megan.bowen@contoso.com \S+'
            $identity = @(Get-IdentityRequest -Sandbox $after)
            @($identity | Where-Object { $_.path -like '*devicecode*' -or $_.path -like '*authorize*' }) | Should -BeNullOrEmpty
            @($identity | Where-Object { $_.body -match 'grant_type=refresh_token' -and $_.status -eq 200 }).Count | Should -BeGreaterOrEqual 1
            @(Get-GraphRequest -Sandbox $after | Where-Object { $_.method -eq 'POST' -and $_.status -eq 201 -and $_.caller -eq 'megan.bowen@contoso.com' }).Count | Should -Be 1
        }
        finally {
            Stop-TestSandbox -Sandbox $after
            Remove-Item -Recurse -Force -LiteralPath $folder -ErrorAction SilentlyContinue
        }
    }

    It 'is removed by Disconnect-ProfileGraph of the live connection (browser sign-in), which says which files went' {
        $run = Invoke-SignInSession -Variables @{ https = $script:https } -Environment $script:environment -Code @'
$null = Connect-ProfileGraph -AuthorityHost $https -GraphEndpoint $https -ContextScope CurrentUser -AllowUnencryptedTokenCache -WarningAction SilentlyContinue
"BEFORE: $((Get-ChildItem -Recurse -File -Force $env:XDG_DATA_HOME | Where-Object Name -NE 'browser.log').Count)"
$said = @(Disconnect-ProfileGraph 6>&1)
"SAID: $($said -join ' / ')"
"CONTEXT: [$(Get-ProfileGraphContext)]"
'@

        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -Match 'BEFORE: 2'
        $run.Output | Should -BeLike "*SAID: Removed the saved sign-in (-ContextScope CurrentUser): *$(Join-Path $script:data $script:recordFile)*$(Join-Path $script:data $script:cacheFile)*"
        $run.Output | Should -Match 'CONTEXT: \[\]'
        Get-PersistedFile -Root $script:data | Should -BeNullOrEmpty
    }

    It 'is removed by Disconnect-ProfileGraph in a new session with nothing in memory' {
        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -User 'megan.bowen@contoso.com'
        try {
            $null = Invoke-SignInSession -Variables @{ https = $script:https } -Environment $script:environment -Code "`$null = $($script:connectDeviceCode) -WarningAction SilentlyContinue"
            $null = $approval | Receive-Job -Wait -ErrorAction Stop
        }
        finally { $approval | Remove-Job -Force }
        (Get-PersistedFile -Root $script:data).Path | Should -Be @($script:cacheFile, $script:recordFile)

        $run = Invoke-SignInSession -Environment $script:environment -Code '"SAID: $(@(Disconnect-ProfileGraph -Verbose 6>&1 4>&1) -join '' / '')"'

        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -BeLike "*SAID: Removed the saved sign-in (-ContextScope CurrentUser): *$(Join-Path $script:data $script:recordFile)*$(Join-Path $script:data $script:cacheFile)*. The next Connect-ProfileGraph signs in again. / There was no connection in memory to forget.*"
        Get-PersistedFile -Root $script:data | Should -BeNullOrEmpty
        # Once more: nothing left to remove, nothing said but the verbose line.
        $again = Invoke-SignInSession -Environment $script:environment -Code '"SAID: $(@(Disconnect-ProfileGraph -Verbose 6>&1 4>&1) -join '' / '')"'
        $again.Output | Should -Match 'SAID: There was no connection to forget\.'
    }

    It 'says once, at connect, that nothing will be saved without -AllowUnencryptedTokenCache on a machine without a keyring, and saves nothing' {
        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -User 'megan.bowen@contoso.com'
        try {
            $run = Invoke-SignInSession -Variables @{ https = $script:https } -Environment $script:environment -Code @'
$c = Connect-ProfileGraph -UseDeviceCode -AuthorityHost $https -GraphEndpoint $https -ContextScope CurrentUser -SignInTimeoutSec 60
"SCOPE: $($c.ContextScope)"
$null = Get-ProfilePosition -ErrorAction Stop
'@
            $null = $approval | Receive-Job -Wait -ErrorAction Stop
        }
        finally { $approval | Remove-Job -Force }

        $run.Errors | Should -BeNullOrEmpty
        $warnings = @($run.Output -split "`n" | Where-Object { $_ -like 'WARNING:*' })
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -BeLike 'WARNING: Nothing will be saved: -ContextScope CurrentUser keeps the sign-in in an encrypted store, and this machine offers none*You are signed in for this process only.*-ContextScope CurrentUser -AllowUnencryptedTokenCache.'
        $run.Output | Should -Match 'SCOPE: Process'
        Get-PersistedFile -Root $script:data | Should -BeNullOrEmpty
        # The store was checked before the sign-in: one device code, no second prompt.
        @(Get-IdentityRequest -Sandbox $script:sandbox | Where-Object path -Like '*devicecode').Count | Should -Be 1
    }
}

Describe 'Token hygiene of the browser, device-code and persisted sign-ins' {
    BeforeAll {
        Reset-Sandbox -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
        $script:data = New-TestFolder
        $script:environment = Get-ConsoleEnvironment -Data $script:data
    }
    AfterAll { Remove-Item -Recurse -Force -LiteralPath $script:data -ErrorAction SilentlyContinue }

    It 'shows no token, refresh token, device code or authorization code in any stream, $Error, a transcript or a file but the opted-in cache' {
        # Everything on: verbose, debug, a transcript; then every error record in full. (-WarningAction Continue with
        # -Debug, which would otherwise make each warning a "Continue?" prompt that a redirected console cannot show.)
        $prelude = @'
$null = Start-Transcript -LiteralPath $transcript -IncludeInvocationHeader
$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
'@
        $epilogue = @'
Get-ProfileGraphContext | Format-List * | Out-String
$Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() } | Out-String
$null = Stop-Transcript
'@
        $browser = Invoke-SignInSession -Variables @{ https = $script:https; transcript = (Join-Path $script:data 'browser.transcript.txt') } -Environment $script:environment -Code @"
$prelude
`$null = Connect-ProfileGraph -AuthorityHost `$https -GraphEndpoint `$https -Scopes User.ReadWrite.All -ContextScope CurrentUser -AllowUnencryptedTokenCache -Verbose -Debug -WarningAction Continue
`$null = 1..3 | ForEach-Object { [pscustomobject]@{ JobTitle = "Hygiene `$_" } } | New-ProfilePosition -UserId me -Verbose -Debug -WarningAction Continue
try { Connect-ProfileGraph -AuthorityHost `$https -GraphEndpoint `$https -AccessToken (ConvertTo-SecureString 'not-a-token' -AsPlainText -Force) -ContextScope CurrentUser } catch { }
$epilogue
"@
        $secrets = @(Get-CachedSecret -Path (Join-Path $script:data $script:cacheFile))

        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -User 'adele.vance@contoso.com'
        try {
            $deviceCode = Invoke-SignInSession -Variables @{ https = $script:https; transcript = (Join-Path $script:data 'devicecode.transcript.txt') } -Environment $script:environment -Code @"
$prelude
`$null = Connect-ProfileGraph -AuthorityHost `$https -GraphEndpoint `$https -Scopes User.ReadWrite.All -ContextScope CurrentUser -AllowUnencryptedTokenCache -Verbose -Debug -WarningAction Continue
`$null = Get-ProfilePosition -Verbose -Debug -WarningAction Continue
Disconnect-ProfileGraph -Verbose -Debug -WarningAction Continue
`$null = Connect-ProfileGraph -UseDeviceCode -AuthorityHost `$https -GraphEndpoint `$https -ContextScope CurrentUser -AllowUnencryptedTokenCache -SignInTimeoutSec 60 -Verbose -Debug -WarningAction Continue
`$null = Get-ProfilePosition -Verbose -Debug -WarningAction Continue
$epilogue
"@
            $null = $approval | Receive-Job -Wait -ErrorAction Stop
        }
        finally { $approval | Remove-Job -Force }
        $secrets += @(Get-CachedSecret -Path (Join-Path $script:data $script:cacheFile))

        $browser.Errors | Should -BeNullOrEmpty
        $deviceCode.Errors | Should -BeNullOrEmpty
        $secrets.Count | Should -BeGreaterOrEqual 4 -Because 'the cache held access, refresh and id tokens to look for'
        # The runs did what they should, with the streams on.
        $browser.Output | Should -Match 'VERBOSE: '
        $browser.Output | Should -Match 'ContextScopeWithAccessToken'
        $deviceCode.Output | Should -Match 'To sign in, use a web browser'
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object { $_.method -eq 'POST' -and $_.status -eq 201 }).Count | Should -Be 3
        @(Get-IdentityRequest -Sandbox $script:sandbox | Where-Object { $_.body -match 'grant_type=(authorization_code|device_code|urn)' -and $_.status -eq 200 }).Count | Should -Be 2

        Assert-NoSecret -Text ($browser.Output + $browser.Errors) -Where 'the browser session''s streams and $Error' -Values $secrets
        Assert-NoSecret -Text ($deviceCode.Output + $deviceCode.Errors) -Where 'the device-code session''s streams and $Error' -Values $secrets
        $transcripts = @(Get-ChildItem -LiteralPath $script:data -Filter '*.transcript.txt')
        $transcripts.Count | Should -Be 2
        foreach ($file in Get-ChildItem -LiteralPath $script:data, $script:browserFolder -Recurse -File -Force) {
            if ($file.FullName -eq (Join-Path $script:data $script:cacheFile)) { continue }
            Assert-NoSecret -Text (Get-Content -Raw -LiteralPath $file.FullName) -Where $file.FullName -Values $secrets
        }
    }
}
