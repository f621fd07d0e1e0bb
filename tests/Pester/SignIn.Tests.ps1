#Requires -Version 7.0
<#
    Sign-in through MSAL (Azure.Identity) end to end against the sandbox's identity platform over HTTPS: the test-only
    trust of the sandbox's certificate, the device code flow approved or denied through the admin routes, silent
    refresh of short-lived tokens during a bulk run, a revoked sign-in that stops the run with one error, and no token,
    refresh token or device code in any stream.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:trustVariable = 'PROFILEPOSITIONS_TRUST_LOOPBACK_CERT'
    # What the sandbox's secrets look like: access and id tokens (JWTs), refresh tokens, device codes, authorization codes.
    $script:secretPattern = 'eyJ[A-Za-z0-9_-]{8,}|1\.SBX\.|SBXDC\.|SBXAC\.'

    function Assert-NoSecret([string] $Text, [string] $Where) {
        $found = [regex]::Matches($Text, $script:secretPattern) | ForEach-Object { $_.Value.Substring(0, [Math]::Min(12, $_.Value.Length)) + '...' }
        @($found) | Should -BeNullOrEmpty -Because "$Where must not show a token, refresh token or device code"
    }
}

AfterAll {
    Remove-Item "Env:$script:trustVariable" -ErrorAction SilentlyContinue
}

Describe 'Connect-ProfileGraph -UseDeviceCode against the sandbox identity platform' {
    BeforeAll {
        $script:sandbox = Start-TestSandbox -ExtraArgs '--https-port', '0'
        $script:https = $script:sandbox.HttpsUri
    }
    AfterAll {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $script:sandbox
    }
    BeforeEach {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Remove-Item "Env:$script:trustVariable" -ErrorAction SilentlyContinue
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'refuses the self-signed certificate without the test-only opt-in, and says which variable opts in' {
        $failure = $null
        try { Connect-ProfileGraph -UseDeviceCode -AuthorityHost $script:https -GraphEndpoint $script:https -SignInTimeoutSec 20 }
        catch { $failure = $_ }

        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'AuthenticationFailed,*'
        $failure.Exception.Message | Should -BeLike "*not trusted*$script:trustVariable*"
        # The TLS handshake failed: no request reached the identity platform.
        Get-IdentityRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
        Get-ProfileGraphContext | Should -BeNullOrEmpty
    }

    It 'trusts only the certificate the variable names: another self-signed certificate is refused' {
        $key = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=127.0.0.1', $key, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $other = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
        $path = Join-Path ([IO.Path]::GetTempPath()) "pp-other-$([guid]::NewGuid().ToString('n')).pem"
        Set-Content -Path $path -Value $other.ExportCertificatePem()
        try {
            Set-Item "Env:$script:trustVariable" $path
            { Connect-ProfileGraph -UseDeviceCode -AuthorityHost $script:https -GraphEndpoint $script:https -SignInTimeoutSec 20 } |
                Should -Throw -ErrorId 'AuthenticationFailed,*'
            Get-IdentityRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
        }
        finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }

    It 'says so when the variable names a file that is not a PEM certificate' {
        $path = Join-Path ([IO.Path]::GetTempPath()) "pp-not-pem-$([guid]::NewGuid().ToString('n')).pem"
        Set-Content -Path $path -Value 'not a certificate'
        try {
            Set-Item "Env:$script:trustVariable" $path
            { Connect-ProfileGraph -UseDeviceCode -AuthorityHost $script:https -GraphEndpoint $script:https } |
                Should -Throw -ErrorId 'LoopbackCertificateUnreadable,*' -ExpectedMessage "*$script:trustVariable*HTTPS certificate:*"
            Get-IdentityRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
        }
        finally { Remove-Item $path -ErrorAction SilentlyContinue }
    }

    It 'trusts the sandbox certificate for a loopback https Graph endpoint too (-AccessToken)' {
        Set-Item "Env:$script:trustVariable" $script:sandbox.CertificatePath
        $token = ConvertTo-SecureString (Get-TestToken -Sandbox $script:sandbox -User 'adele.vance@contoso.com') -AsPlainText -Force
        $null = Connect-ProfileGraph -AccessToken $token -GraphEndpoint $script:https

        $null = Get-ProfilePosition -ErrorAction Stop

        $request = @(Get-GraphRequest -Sandbox $script:sandbox)
        $request.Count | Should -Be 1
        $request[0].status | Should -Be 200
        $request[0].caller | Should -Be 'adele.vance@contoso.com'
    }

    It 'signs in in a fresh pwsh: the prompt goes to the host, the output is the context, and a write runs as the approved user' {
        Set-Item "Env:$script:trustVariable" $script:sandbox.CertificatePath
        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -User 'megan.bowen@contoso.com'
        $code = @'
$output = @(Connect-ProfileGraph -UseDeviceCode -AuthorityHost $https -GraphEndpoint $https -Scopes User.ReadWrite.All -SignInTimeoutSec 60 -Verbose)
"OUTPUT: $($output.Count) $($output[0].GetType().FullName) $($output[0].Account) $($output[0].TokenCredentialType) $($output[0].AuthorityHost)"
$created = New-ProfilePosition -UserId 'adele.vance@contoso.com' -JobTitle 'Signed in with a device code' -Verbose
"CREATED: $($created.Id)"
$Error | Out-String
'@
        try {
            $run = Invoke-ScriptInFreshPwsh -Sandbox $script:sandbox -User 'adele.vance@contoso.com' -Code $code -Variables @{ https = $script:https }
            $pending = $approval | Receive-Job -Wait -ErrorAction Stop
        }
        finally { $approval | Remove-Job -Force }

        $run.ExitCode | Should -Be 0
        $run.Errors | Should -BeNullOrEmpty
        # The prompt reached the host with the very code the test approved; the output stream held the context only.
        $prompt = "To sign in, use a web browser to open the page $($script:https)/devicelogin and enter the code $($pending.userCode) to authenticate."
        $run.Output | Should -BeLike "*$prompt*OUTPUT: 1 ProfilePositions.ProfileGraphContext megan.bowen@contoso.com DeviceCode $($script:https)/*"
        $run.Output | Should -Match 'CREATED: \S+'
        Assert-NoSecret -Text ($run.Output + $run.Errors) -Where 'the console, verbose output and $Error'

        # MSAL asked for a device code, polled, redeemed it (no instance discovery, no metadata from the internet)...
        $identity = @(Get-IdentityRequest -Sandbox $script:sandbox)
        $identity[0].path | Should -Be '/common/oauth2/v2.0/devicecode'
        @($identity | Where-Object path -NE '/common/oauth2/v2.0/token' | Select-Object -Skip 1) | Should -BeNullOrEmpty
        @($identity | Where-Object { $_.status -eq 200 -and $_.user -eq 'megan.bowen@contoso.com' }).Count | Should -BeGreaterOrEqual 1
        # ...and the write went to Graph with the approved user's token.
        $writes = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        $writes.Count | Should -Be 1
        $writes[0].status | Should -Be 201
        $writes[0].caller | Should -Be 'megan.bowen@contoso.com'
        Test-UserPath -Path $writes[0].path -User 'adele.vance@contoso.com' | Should -BeTrue
        $adele = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@contoso.com'
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $adele.id | Where-Object { $_.detail.jobTitle -eq 'Signed in with a device code' }).Count | Should -Be 1
    }

    It 'gives one clear error when the device code is denied, and stays disconnected' {
        Set-Item "Env:$script:trustVariable" $script:sandbox.CertificatePath
        $approval = Start-DeviceCodeApproval -Sandbox $script:sandbox -Deny
        $Error.Clear()
        $failure = $null
        try { Connect-ProfileGraph -UseDeviceCode -AuthorityHost $script:https -GraphEndpoint $script:https -SignInTimeoutSec 60 }
        catch { $failure = $_ }
        finally { $null = $approval | Receive-Job -Wait; $approval | Remove-Job -Force }

        $failure.FullyQualifiedErrorId | Should -Be 'SignInDeclined,ProfilePositions.Commands.ConnectProfileGraphCommand'
        $failure.Exception.Message | Should -BeLike '*declined*Connect-ProfileGraph -UseDeviceCode again*'
        @($Error | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like '*ConnectProfileGraphCommand' }).Count | Should -Be 1
        Assert-NoSecret -Text ($Error | Out-String) -Where '$Error'
        Get-ProfileGraphContext | Should -BeNullOrEmpty
        # The last poll got the identity platform's answer to a declined code, and nothing was polled after it.
        $last = (Get-IdentityRequest -Sandbox $script:sandbox)[-1]
        $last.path | Should -Be '/common/oauth2/v2.0/token'
        $last.status | Should -Be 400
    }

    It 'gives up after -SignInTimeoutSec when nobody enters the code' {
        Set-Item "Env:$script:trustVariable" $script:sandbox.CertificatePath
        $watch = [Diagnostics.Stopwatch]::StartNew()

        { Connect-ProfileGraph -UseDeviceCode -AuthorityHost $script:https -GraphEndpoint $script:https -SignInTimeoutSec 2 } |
            Should -Throw -ErrorId 'SignInTimedOut,*' -ExpectedMessage '*2 seconds (-SignInTimeoutSec)*'

        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
        @(Get-IdentityRequest -Sandbox $script:sandbox)[0].path | Should -Be '/common/oauth2/v2.0/devicecode'
        Get-ProfileGraphContext | Should -BeNullOrEmpty
    }
}

Describe 'Tokens that expire during a run' {
    BeforeAll {
        # Tokens live 60 s, which MSAL treats as expired already (it renews 5 minutes early): every token request of the
        # connection refreshes. No grace period: two refreshes with the same refresh token at once would fail.
        $script:sandbox = Start-TestSandbox -ExtraArgs '--https-port', '0', '--token-lifetime', '60', '--refresh-grace', '0'
        $script:adele = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@contoso.com'
        Set-Item "Env:$script:trustVariable" $script:sandbox.CertificatePath
    }
    AfterAll {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $script:sandbox
    }
    BeforeEach {
        Reset-Sandbox -Sandbox $script:sandbox
        $null = Connect-TestSandboxDeviceCode -Sandbox $script:sandbox -User 'adele.vance@contoso.com'
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'refreshes silently, one refresh at a time, and 50 rows go on without an error' {
        $rows = 1..50 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "Refreshed $_" } }

        $created = @($rows | New-ProfilePosition -BatchSize 5 -ThrottleLimit 4 -ErrorVariable failures -Verbose 4>&1 | Where-Object { $_ -is [ProfilePositions.WorkPosition] })

        $failures | Should -BeNullOrEmpty
        $created.Count | Should -Be 50
        $graph = @(Get-GraphRequest -Sandbox $script:sandbox)
        @($graph | Where-Object { $_.method -eq 'POST' -and $_.status -eq 201 -and $_.caller -eq 'adele.vance@contoso.com' }).Count | Should -Be 50
        @($graph | Where-Object status -EQ 401) | Should -BeNullOrEmpty
        # The tokens were renewed with the refresh token during the run, every refresh accepted although a rotated-out
        # refresh token is refused at once here: the connection never refreshed twice at the same time.
        $refreshes = @(Get-IdentityRequest -Sandbox $script:sandbox)
        $refreshes.Count | Should -BeGreaterOrEqual 1
        foreach ($refresh in $refreshes) {
            # After the sign-in MSAL asks the account's home tenant.
            $refresh.path | Should -BeLike '/*/oauth2/v2.0/token'
            $refresh.body | Should -Match 'grant_type=refresh_token'
            $refresh.status | Should -Be 200
        }
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -like 'Refreshed *' }).Count | Should -Be 50
    }

    It 'stops with one error naming the row and Connect-ProfileGraph when the refresh token is revoked before the run' {
        $null = Invoke-SandboxAdmin -Sandbox $script:sandbox -Method POST -Path '_sandbox/identity/revoke?user=adele.vance@contoso.com'
        Clear-SandboxJournal -Sandbox $script:sandbox
        $rows = 1..50 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "Revoked $_" } }
        $Error.Clear()

        $failure = $null
        try { $null = $rows | New-ProfilePosition -BatchSize 5 -ThrottleLimit 4 -ErrorVariable failures }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'SignInRequired,*'
        $failure.Exception.Message | Should -BeLike '*adele.vance@contoso.com*can no longer be renewed*AADSTS50173*Run Connect-ProfileGraph again*Stopped at row 1 *-SkipExisting*'
        # (-ErrorVariable also holds the terminating error, as the exception that stopped the command.)
        @($failures | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -notlike 'SignInRequired,*' }) | Should -BeNullOrEmpty -Because 'no row gets an error of its own'
        Assert-NoSecret -Text (($Error | Out-String) + $failure.Exception.ToString()) -Where '$Error'
        # One refused refresh, nothing sent to Graph, no retry storm.
        $identity = @(Get-IdentityRequest -Sandbox $script:sandbox)
        $identity.Count | Should -BeIn 1, 2
        $identity | ForEach-Object { $_.status | Should -Be 400 }
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }

    It 'stops at the first row after a revocation in mid-run, and -SkipExisting after Connect-ProfileGraph finishes the import' {
        $revoke = "$($script:sandbox.BaseUri)/_sandbox/identity/revoke?user=adele.vance@contoso.com"
        $rows = 1..50 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "Midway $_" } }

        $failure = $null
        try {
            $null = $rows | ForEach-Object { if ($_.JobTitle -eq 'Midway 21') { $null = Invoke-RestMethod -Method Post -Uri $revoke }; $_ } |
                New-ProfilePosition -BatchSize 5 -ThrottleLimit 2 -ErrorVariable failures
        }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'SignInRequired,*'
        $failure.Exception.Message -match 'Stopped at row (\d+) ' | Should -BeTrue -Because $failure.Exception.Message
        [int] $Matches[1] | Should -BeLessOrEqual 21
        @($failures | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -notlike 'SignInRequired,*' }) | Should -BeNullOrEmpty
        $stored = @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -like 'Midway *' })
        $stored.Count | Should -BeLessThan 50
        @(Get-IdentityRequest -Sandbox $script:sandbox | Where-Object status -NE 200).Count | Should -BeIn 1, 2

        # What the message says to do: sign in again, run the same import with -SkipExisting.
        $null = Connect-TestSandboxDeviceCode -Sandbox $script:sandbox -User 'adele.vance@contoso.com'
        $null = $rows | New-ProfilePosition -SkipExisting -ErrorVariable again
        $again | Should -BeNullOrEmpty
        $titles = @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -like 'Midway *' } | ForEach-Object { $_.detail.jobTitle })
        $titles.Count | Should -Be 50
        @($titles | Sort-Object -Unique).Count | Should -Be 50
    }

    It 'shows no token, refresh token or device code in any stream while it refreshes' {
        $rows = 1..10 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "Quiet $_" } }
        $Error.Clear()
        $DebugPreference = 'Continue'
        try {
            $everything = $rows | New-ProfilePosition -BatchSize 2 -Verbose *>&1 | Out-String
            $everything += Get-ProfileGraphContext | Format-List * | Out-String
            $null = Invoke-SandboxAdmin -Sandbox $script:sandbox -Method POST -Path '_sandbox/identity/revoke?user=adele.vance@contoso.com'
            try { $everything += Get-ProfilePosition -Verbose *>&1 | Out-String } catch { $everything += $_ | Format-List * -Force | Out-String }
        }
        finally { $DebugPreference = 'SilentlyContinue' }

        $everything | Should -Match 'HTTP POST'
        Assert-NoSecret -Text $everything -Where 'output, verbose, debug and error streams'
        Assert-NoSecret -Text ($Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() } | Out-String) -Where '$Error'
        @(Get-IdentityRequest -Sandbox $script:sandbox | Where-Object status -EQ 200).Count | Should -BeGreaterOrEqual 1
    }
}
