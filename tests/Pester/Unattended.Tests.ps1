#Requires -Version 7.0
<#
    Unattended runs (runbooks, scheduled tasks, CI): Connect-ProfileGraph -AccessTokenProvider asked at connect, before
    the token expires and once after a 401 (the refused request goes out once more, a $batch item in a new envelope),
    on the pipeline thread of the runspace that uses the connection (ForEach-Object -Parallel -Connection $using:c); a
    provider that fails or gives an unusable token stops with one error; a 401 that one renewal cannot fix stops the
    run with one terminating error that says what was sent, where it stopped and how to resume; reconnecting in another
    runspace never takes anything from requests in flight.

    The provider is a script block that reads everything from environment variables (it runs in whichever runspace
    uses the connection, so it cannot rely on the test's variables) and writes one line per call to a file:
    the call's number and the id of the runspace it ran in.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:modulePath = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
    $script:secretPattern = 'eyJ[A-Za-z0-9_-]{8,}'

    # Call 1 gets PP_PROVIDER_FIRST (when set), later calls PP_PROVIDER_QUERY; PP_PROVIDER_FAIL_AFTER=n throws from call n+1 on.
    $script:provider = {
        $log = $env:PP_PROVIDER_LOG
        $number = @(Get-Content -LiteralPath $log -ErrorAction SilentlyContinue).Count + 1
        Add-Content -LiteralPath $log -Value ('{0} {1}' -f $number, [runspace]::DefaultRunspace.InstanceId)
        if ($env:PP_PROVIDER_FAIL_AFTER -and $number -gt [int] $env:PP_PROVIDER_FAIL_AFTER) { throw 'The key vault could not be reached' }
        $query = if ($number -eq 1 -and $env:PP_PROVIDER_FIRST) { $env:PP_PROVIDER_FIRST } else { $env:PP_PROVIDER_QUERY }
        (Invoke-RestMethod -Uri "$env:PP_PROVIDER_SANDBOX/_sandbox/token?$query").access_token
    }

    function Get-ProviderCall {
        # One object per call of the provider: Number, Runspace (its InstanceId).
        @(Get-Content -LiteralPath $env:PP_PROVIDER_LOG -ErrorAction SilentlyContinue | ForEach-Object {
                $number, $runspace = $_ -split ' '
                [pscustomobject]@{ Number = [int] $number; Runspace = $runspace }
            })
    }

    function Set-ProviderToken([string] $Query, [string] $First, [int] $FailAfter) {
        $env:PP_PROVIDER_QUERY = $Query
        $env:PP_PROVIDER_FIRST = $First
        $env:PP_PROVIDER_FAIL_AFTER = if ($FailAfter) { "$FailAfter" } else { $null }
        Remove-Item -LiteralPath $env:PP_PROVIDER_LOG -ErrorAction SilentlyContinue
    }

    function Assert-NoSecret([string] $Text, [string] $Where) {
        $found = [regex]::Matches($Text, $script:secretPattern) | ForEach-Object { $_.Value.Substring(0, 12) + '...' }
        @($found) | Should -BeNullOrEmpty -Because "$Where must not show a token"
    }

    $env:PP_PROVIDER_LOG = Join-Path ([IO.Path]::GetTempPath()) "pp-provider-$([guid]::NewGuid().ToString('n')).log"
}

AfterAll {
    Remove-Item -LiteralPath $env:PP_PROVIDER_LOG -ErrorAction SilentlyContinue
    Remove-Item Env:PP_PROVIDER_LOG, Env:PP_PROVIDER_QUERY, Env:PP_PROVIDER_FIRST, Env:PP_PROVIDER_FAIL_AFTER, Env:PP_PROVIDER_SANDBOX -ErrorAction SilentlyContinue
}

Describe 'Connect-ProfileGraph -AccessTokenProvider' {
    BeforeAll {
        $script:sandbox = Start-TestSandbox
        $env:PP_PROVIDER_SANDBOX = $script:sandbox.BaseUri
        $script:adele = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@contoso.com'
        $script:good = 'user=adele.vance@contoso.com&scopes=User.ReadWrite.All'
        # A token the module cannot tell from a good one, which Graph refuses (401): it is for another audience.
        $script:refused = $script:good + '&audience=api://not-graph'
    }
    AfterAll {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $script:sandbox
    }
    BeforeEach {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Reset-Sandbox -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'asks the provider once at connect and sends its token; the context shows the account and expiry, never the token' {
        Set-ProviderToken -Query $script:good

        $context = Connect-ProfileGraph -AccessTokenProvider $script:provider -GraphEndpoint $script:sandbox.BaseUri
        $null = New-ProfilePosition -JobTitle 'Provided' -ErrorAction Stop
        $null = Get-ProfilePosition -ErrorAction Stop

        $context.Account | Should -Be 'adele.vance@contoso.com'
        $context.TokenCredentialType | Should -Be 'AccessTokenProvider'
        $context.TokenExpiresOn | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddMinutes(50))
        @(Get-ProviderCall).Count | Should -Be 1 -Because 'a token that is good for an hour is not renewed'
        $graph = @(Get-GraphRequest -Sandbox $script:sandbox)
        $graph.Count | Should -Be 2
        $graph | ForEach-Object { $_.caller | Should -Be 'adele.vance@contoso.com' }
        Assert-NoSecret -Text (($context | Format-List * | Out-String) + (Get-ProfileGraphContext | Format-List * | Out-String)) -Where 'the context'
    }

    It 'asks again after a 401 and sends the refused request once more (a plain request)' {
        Set-ProviderToken -First $script:refused -Query $script:good
        $null = Connect-ProfileGraph -AccessTokenProvider $script:provider -GraphEndpoint $script:sandbox.BaseUri

        $created = New-ProfilePosition -UserId $script:adele.id -JobTitle 'After one 401' -ErrorAction Stop

        $created.Id | Should -Not -BeNullOrEmpty
        @(Get-ProviderCall).Count | Should -Be 2
        $posts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        @($posts.status) | Should -Be 401, 201
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -eq 'After one 401' }).Count | Should -Be 1
    }

    It 'renews once for a whole $batch refused with the same token, and re-sends its items in new envelopes' {
        Set-ProviderToken -First $script:refused -Query $script:good
        $null = Connect-ProfileGraph -AccessTokenProvider $script:provider -GraphEndpoint $script:sandbox.BaseUri
        $rows = 1..12 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "Batch 401 $_" } }

        $created = @($rows | New-ProfilePosition -BatchSize 4 -ThrottleLimit 3 -ErrorVariable failures)

        $failures | Should -BeNullOrEmpty
        $created.Count | Should -Be 12
        @(Get-ProviderCall).Count | Should -Be 2 -Because 'every item refused with the first token waits for the same renewal'
        $posts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        @($posts | Where-Object status -EQ 201).Count | Should -Be 12
        @($posts | Where-Object status -EQ 401).Count | Should -BeGreaterOrEqual 1
        @($posts | Where-Object status -NotIn 201, 401) | Should -BeNullOrEmpty
        # A refused item went out again in another envelope than the one that was refused.
        foreach ($refused in @($posts | Where-Object status -EQ 401)) {
            $again = @($posts | Where-Object { $_.status -eq 201 -and (Get-RequestJson $_).detail.jobTitle -eq (Get-RequestJson $refused).detail.jobTitle })
            $again.Count | Should -Be 1
            $again[0].batchId | Should -Not -Be $refused.batchId
        }
        $titles = @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -like 'Batch 401 *' } | ForEach-Object { $_.detail.jobTitle })
        $titles.Count | Should -Be 12
        @($titles | Sort-Object -Unique).Count | Should -Be 12
    }

    It 'renews a short-lived token before it expires, so Graph never refuses one' {
        # Four seconds: renewed half-way through what was left when it came.
        Set-ProviderToken -Query ($script:good + '&lifetime=4')
        $null = Connect-ProfileGraph -AccessTokenProvider $script:provider -GraphEndpoint $script:sandbox.BaseUri
        $null = New-ProfilePosition -JobTitle 'Before' -ErrorAction Stop
        Start-Sleep -Seconds 2.5

        $null = New-ProfilePosition -JobTitle 'After' -ErrorAction Stop

        @(Get-ProviderCall).Count | Should -BeGreaterOrEqual 2
        $posts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        @($posts.status) | Should -Be 201, 201
    }

    It 'refuses at connect, with one error naming the problem, a provider that <Case>' -ForEach @(
        @{ Case = 'throws'; Block = { throw 'The key vault could not be reached' }; Id = 'AccessTokenProviderFailed'; Message = '*-AccessTokenProvider script block failed: The key vault could not be reached*' }
        @{ Case = 'returns nothing'; Block = { $null }; Id = 'AccessTokenProviderReturnedNothing'; Message = '*returned no token*string or SecureString*' }
        @{ Case = 'returns an app-only token'; Block = { (Invoke-RestMethod "$env:PP_PROVIDER_SANDBOX/_sandbox/token?app=true&scopes=User.ReadWrite.All").access_token }; Id = 'AppOnlyTokenNotSupported'; Message = '*app-only*roles*no delegated scopes*managed identity*' }
        @{ Case = 'returns an expired token'; Block = { (Invoke-RestMethod "$env:PP_PROVIDER_SANDBOX/_sandbox/token?user=adele.vance@contoso.com&lifetime=-60").access_token }; Id = 'AccessTokenProviderExpiredToken'; Message = '*returned a token that expired at *' }
        @{ Case = 'returns a SecureString that is not a token'; Block = { ConvertTo-SecureString 'not a token' -AsPlainText -Force }; Id = 'InvalidAccessToken'; Message = '*not an access token*' }
    ) {
        $Error.Clear()
        $failure = $null
        try { Connect-ProfileGraph -AccessTokenProvider $Block -GraphEndpoint $script:sandbox.BaseUri }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -Be "$Id,ProfilePositions.Commands.ConnectProfileGraphCommand"
        $failure.Exception.Message | Should -BeLike $Message
        # (A script block that throws also leaves its own error in $Error, as any script does.)
        @($Error | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like '*ConnectProfileGraphCommand' }).Count | Should -Be 1
        Get-ProfileGraphContext | Should -BeNullOrEmpty
        Assert-NoSecret -Text ($Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() } | Out-String) -Where '$Error'
    }

    It 'stops the run with one error when the provider fails after a 401, and asks it no more' {
        Set-ProviderToken -First $script:refused -Query $script:good -FailAfter 1
        $null = Connect-ProfileGraph -AccessTokenProvider $script:provider -GraphEndpoint $script:sandbox.BaseUri
        $rows = 1..40 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "Vault down $_" } }

        $failure = $null
        try { $null = $rows | New-ProfilePosition -BatchSize 4 -ThrottleLimit 2 -ErrorVariable failures }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'AccessTokenProviderFailed,*'
        $failure.Exception.Message | Should -BeLike '*The key vault could not be reached*Stopped at row 1 *0 of them succeeded*After fixing the token provider*-SkipExisting*'
        @($failures | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -notlike 'AccessTokenProviderFailed,*' }) | Should -BeNullOrEmpty
        @(Get-ProviderCall).Count | Should -Be 2 -Because 'requests that waited for the failed call take its error'
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object status -NE 401) | Should -BeNullOrEmpty
        @(Get-GraphRequest -Sandbox $script:sandbox).Count | Should -BeLessOrEqual 8 -Because 'only the envelopes in flight with the refused token were sent'
    }

    It 'runs the provider in the runspace that uses the connection (ForEach-Object -Parallel -Connection $using:c), without a deadlock' {
        Set-ProviderToken -First $script:refused -Query $script:good
        $connection = Connect-ProfileGraph -AccessTokenProvider $script:provider -GraphEndpoint $script:sandbox.BaseUri
        $main = [runspace]::DefaultRunspace.InstanceId.ToString()
        $module = $script:modulePath; $adeleId = $script:adele.id

        $created = @(1..3 | ForEach-Object -ThrottleLimit 3 -TimeoutSeconds 60 -Parallel {
                Import-Module $using:module
                $rows = 1..4 | ForEach-Object { [pscustomobject]@{ UserId = $using:adeleId; JobTitle = "Parallel $using:_ $_" } }
                $rows | New-ProfilePosition -BatchSize 2 -Connection $using:connection
            })

        $created.Count | Should -Be 12
        $calls = @(Get-ProviderCall)
        $calls.Count | Should -Be 2
        $calls[0].Runspace | Should -Be $main -Because 'the connect ran it'
        $calls[1].Runspace | Should -Not -Be $main -Because 'the renewal ran in the -Parallel runspace whose request was refused'
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object { $_.method -eq 'POST' -and $_.status -eq 201 }).Count | Should -Be 12
    }
}

Describe 'A 401 that one renewal cannot fix stops the run' {
    BeforeAll {
        $script:slow = Start-TestSandbox
        $script:adele = Find-SandboxUser -Sandbox $script:slow -UserPrincipalName 'adele.vance@contoso.com'
        $script:csv = Join-Path ([IO.Path]::GetTempPath()) "pp-unattended-$([guid]::NewGuid().ToString('n')).csv"
        1..100 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "Import $_"; CompanyName = 'Runbook Co' } } |
            Export-Csv -LiteralPath $script:csv -NoTypeInformation
    }
    AfterAll {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $script:slow
        Remove-Item -LiteralPath $script:csv -ErrorAction SilentlyContinue
    }
    BeforeEach {
        Reset-Sandbox -Sandbox $script:slow
        Clear-SandboxFault -Sandbox $script:slow
        Clear-SandboxJournal -Sandbox $script:slow
    }

    It 'a 100-row import in pwsh -File whose -AccessToken expires mid-run: one error, nothing sent after it, exit code 1, and -SkipExisting finishes it' {
        # Every $batch envelope takes 120 ms, so a token of three seconds expires during the import. It is minted inside
        # the script, right before the import, so pwsh's start-up does not use it up.
        $null = Add-SandboxFault -Sandbox $script:slow -Rule @{ target = 'envelope'; latencyMs = 120; times = 100000 }
        $script = @'
Import-Module $env:PP_TEST_MODULE
# A first read with a token of an hour, so that nothing of the three-second token goes to warming up.
$token = (Invoke-RestMethod "$env:PP_TEST_ENDPOINT/_sandbox/token?user=adele.vance@contoso.com&scopes=User.ReadWrite.All").access_token
$null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $env:PP_TEST_ENDPOINT
$null = Get-ProfilePosition -UserId adele.vance@contoso.com -ErrorAction Stop
$token = (Invoke-RestMethod "$env:PP_TEST_ENDPOINT/_sandbox/token?user=adele.vance@contoso.com&scopes=User.ReadWrite.All&lifetime=3").access_token
$null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $env:PP_TEST_ENDPOINT
# 50 envelopes one after another at 120 ms each: at least 6 s, twice the token's life.
Import-Csv -LiteralPath $env:PP_TEST_CSV | New-ProfilePosition -BatchSize 2 -ThrottleLimit 1 | Out-Null
"AFTER: $?"
"ERRORS: $($Error.Count)"
"MESSAGE: $($Error[0].Exception.Message)"
"ID: $($Error[0].FullyQualifiedErrorId)"
# As a runbook should: with Stop, the command's terminating error ends the script, and pwsh exits with 1.
$ErrorActionPreference = 'Stop'
Get-ProfilePosition -UserId adele.vance@contoso.com
"NOT REACHED"
'@
        $path = Join-Path ([IO.Path]::GetTempPath()) "pp-unattended-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -LiteralPath $path -Value $script
        $errors = "$path.err"
        $env:PP_TEST_MODULE = $script:modulePath; $env:PP_TEST_ENDPOINT = $script:slow.BaseUri; $env:PP_TEST_CSV = $script:csv
        try {
            # Under `dotnet pwsh` the process is dotnet, which needs the pwsh command first.
            $pwsh = (Get-Process -Id $PID).Path
            $prefix = @(if ($pwsh -like '*dotnet*') { 'pwsh' })
            $output = '' | & $pwsh @prefix -NoProfile -NonInteractive -File $path 2> $errors | Out-String
            $exitCode = $LASTEXITCODE
            $stderr = Get-Content -Raw -LiteralPath $errors
        }
        finally {
            Remove-Item -LiteralPath $path, $errors -ErrorAction SilentlyContinue
            Remove-Item Env:PP_TEST_MODULE, Env:PP_TEST_ENDPOINT, Env:PP_TEST_CSV -ErrorAction SilentlyContinue
        }

        $exitCode | Should -Be 1
        $output | Should -BeLike '*AFTER: False*'
        $output | Should -Not -BeLike '*NOT REACHED*'
        # One error, not one per remaining row.
        $output | Should -BeLike '*ERRORS: 1*'
        $output | Should -BeLike '*ID: InvalidAuthenticationToken,ProfilePositions.Commands.NewProfilePositionCommand*'
        $message = ($output -split "`n" | Where-Object { $_ -like 'MESSAGE: *' }) -replace '^MESSAGE: '
        $message | Should -BeLike 'Graph refused the access token: Graph returned 401 InvalidAuthenticationToken*expired at *cannot be renewed*-AccessTokenProvider*'
        $message -match 'Stopped at row (\d+) ' | Should -BeTrue -Because $message
        $row = [int] $Matches[1]
        $message -match '(\d+) of 100 rows read were sent, (\d+) of them succeeded' | Should -BeTrue -Because $message
        $succeeded = [int] $Matches[2]
        $message | Should -BeLike '*After Connect-ProfileGraph with a new token, run the same command again with -SkipExisting*'
        $stderr | Should -BeLike '*Stopped at row*'
        Assert-NoSecret -Text ($output + $stderr) -Where 'the console'

        $posts = @(Get-GraphRequest -Sandbox $script:slow | Where-Object method -EQ 'POST')
        $refused = @($posts | Where-Object status -EQ 401)
        $refused.Count | Should -BeGreaterOrEqual 1
        $refused.Count | Should -BeLessOrEqual 2 -Because 'only the items in flight (one envelope of two) met the expired token'
        # Nothing went out after the first refusal beyond what was in flight with it.
        $first = ($refused | Measure-Object -Property seq -Minimum).Minimum
        @($posts | Where-Object { $_.seq -gt $first -and $_.status -ne 401 }).Count | Should -Be 0
        $stored = @(Get-StoredPosition -Sandbox $script:slow -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -like 'Import *' })
        $stored.Count | Should -BeGreaterOrEqual $succeeded
        # The other item of the refused envelope may have been created, if it came first.
        $stored.Count | Should -BeLessOrEqual ($succeeded + 1)
        $stored.Count | Should -BeLessThan 100
        $succeeded | Should -BeGreaterThan 0 -Because 'the token expired in mid-run'
        $row | Should -Be ($succeeded + 1)

        # What the message says: connect with a new token, run the same import with -SkipExisting.
        Clear-SandboxFault -Sandbox $script:slow
        $null = Connect-TestSandbox -Sandbox $script:slow -User 'adele.vance@contoso.com'
        $null = Import-Csv -LiteralPath $script:csv | New-ProfilePosition -SkipExisting -BatchSize 20 -ThrottleLimit 4 -ErrorVariable again
        $again | Should -BeNullOrEmpty
        $titles = @(Get-StoredPosition -Sandbox $script:slow -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -like 'Import *' } | ForEach-Object { $_.detail.jobTitle })
        $titles.Count | Should -Be 100
        @($titles | Sort-Object -Unique).Count | Should -Be 100
    }

    It 'a -AccessToken Graph refuses from the start stops at row 1 of an Update, and says to run it again' {
        $token = (Invoke-SandboxAdmin -Sandbox $script:slow -Path '_sandbox/token?user=adele.vance@contoso.com&scopes=User.ReadWrite.All&audience=api://not-graph').access_token
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $script:slow.BaseUri
        $rows = 1..10 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; WorkPositionId = "position-$_"; JobTitle = "Updated $_" } }

        $failure = $null
        try { $null = $rows | Update-ProfilePosition -BatchSize 5 -ThrottleLimit 1 -ErrorVariable failures }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -Be 'InvalidAuthenticationToken,ProfilePositions.Commands.UpdateProfilePositionCommand'
        $failure.Exception.Message | Should -BeLike 'Graph refused the access token: Graph returned 401 InvalidAuthenticationToken*Stopped at row 1 *0 of them succeeded*After Connect-ProfileGraph with a new token, run the same command again*'
        @($failures | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -notlike 'InvalidAuthenticationToken,*' }) | Should -BeNullOrEmpty
        @(Get-GraphRequest -Sandbox $script:slow).Count | Should -BeIn (1..5) -Because 'at most one envelope of five was in flight'
    }

    It 'a 403 about one user stays that row''s error, and the run goes on' {
        $null = Connect-TestSandbox -Sandbox $script:slow -User 'adele.vance@contoso.com' -Scopes 'User.ReadWrite'
        # Adele's name in another domain may be her own UPN there, so the scope preflight cannot be sure and sends it;
        # Graph refuses it (another user's profile without User.ReadWrite.All).
        $alias = 'adele.vance@contoso.onmicrosoft.com'
        $rows = @(
            [pscustomobject]@{ UserId = $script:adele.id; JobTitle = 'Own 1' }
            [pscustomobject]@{ UserId = $alias; JobTitle = 'Not mine' }
            [pscustomobject]@{ UserId = $script:adele.id; JobTitle = 'Own 2' }
        )

        $created = @($rows | New-ProfilePosition -BatchSize 1 -ErrorVariable failures -ErrorAction SilentlyContinue)

        $created.Count | Should -Be 2
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Authorization_RequestDenied,*'
        "$($failures[0])" | Should -BeLike 'Row 2 *'
    }
}

Describe 'Reconnecting in another runspace while a run is in flight' {
    BeforeAll {
        $script:slow = Start-TestSandbox -ExtraArgs '--latency-ms', '100'
        $env:PP_PROVIDER_SANDBOX = $script:slow.BaseUri
        $script:adele = Find-SandboxUser -Sandbox $script:slow -UserPrincipalName 'adele.vance@contoso.com'
    }
    AfterAll {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Stop-TestSandbox -Sandbox $script:slow
    }
    BeforeEach {
        Disconnect-ProfileGraph -ErrorAction SilentlyContinue
        Reset-Sandbox -Sandbox $script:slow
        Clear-SandboxJournal -Sandbox $script:slow
    }

    It 'gives every row exactly one outcome while another runspace reconnects, disconnects and renews the token of the connection in use' {
        # Tokens of two seconds: both runspaces renew them all the time, each on its own pipeline thread.
        Set-ProviderToken -Query 'user=adele.vance@contoso.com&scopes=User.ReadWrite.All&lifetime=2'
        $other = [powershell]::Create()
        try {
            # The other runspace connects first, so its connection is the process default, which the run here uses.
            # The script block is handed over as it is: the module runs an unbound copy of it wherever it is needed.
            $null = $other.AddScript({
                    param($Module, $Endpoint, $Provider)
                    Import-Module $Module
                    Connect-ProfileGraph -AccessTokenProvider $Provider -GraphEndpoint $Endpoint
                }).AddArgument($script:modulePath).AddArgument($script:slow.BaseUri).AddArgument($script:provider)
            $shared = @($other.Invoke())[0]
            $other.Commands.Clear()
            $shared.Account | Should -Be 'adele.vance@contoso.com'

            $rows = 1..60 | ForEach-Object { [pscustomobject]@{ UserId = $script:adele.id; JobTitle = "In flight $_" } }
            $null = $other.AddScript({
                    param($Endpoint, $Provider, $Shared, $AdeleId)
                    Start-Sleep -Milliseconds 300
                    $null = Connect-ProfileGraph -AccessTokenProvider $Provider -GraphEndpoint $Endpoint
                    Start-Sleep -Milliseconds 300
                    Disconnect-ProfileGraph
                    $null = Connect-ProfileGraph -AccessTokenProvider $Provider -GraphEndpoint $Endpoint
                    # Reads through the connection the run here uses: its token is renewed here too.
                    1..4 | ForEach-Object { Start-Sleep -Milliseconds 400; $null = Get-ProfilePosition -UserId $AdeleId -Connection $Shared -Top 1 }
                    Disconnect-ProfileGraph -Connection $Shared
                }).AddArgument($script:slow.BaseUri).AddArgument($script:provider).AddArgument($shared).AddArgument($script:adele.id)
            $async = $other.BeginInvoke()
            $created = @($rows | New-ProfilePosition -BatchSize 2 -ThrottleLimit 2 -ErrorVariable failures -SummaryVariable summary)
            $null = $other.EndInvoke($async)
            $otherErrors = @($other.Streams.Error)
        }
        finally { $other.Dispose() }

        $otherErrors | Should -BeNullOrEmpty
        $failures | Should -BeNullOrEmpty
        $created.Count | Should -Be 60
        $summary.Created | Should -Be 60
        $posts = @(Get-GraphRequest -Sandbox $script:slow | Where-Object method -EQ 'POST')
        @($posts | Where-Object status -EQ 201).Count | Should -Be 60
        # A token that expired on its way is refused (401, nothing written) and its request sent once more; nothing else.
        @($posts | Where-Object status -NotIn 201, 401) | Should -BeNullOrEmpty
        $titles = @(Get-StoredPosition -Sandbox $script:slow -OwnerId $script:adele.id | Where-Object { $_.detail.jobTitle -like 'In flight *' } | ForEach-Object { $_.detail.jobTitle })
        $titles.Count | Should -Be 60
        @($titles | Sort-Object -Unique).Count | Should -Be 60
        # The other runspace's four reads (Get-StoredPosition reads too, without $top).
        $reads = @(Get-GraphRequest -Sandbox $script:slow | Where-Object { $_.method -eq 'GET' -and $_.query -like '*top=1*' })
        @($reads | Where-Object status -EQ 200).Count | Should -Be 4
        $runspaces = @(Get-ProviderCall | ForEach-Object Runspace | Sort-Object -Unique)
        $runspaces.Count | Should -Be 2 -Because 'both runspaces ran the provider, each for its own requests'
    }
}
