#Requires -Version 7.0
<#
    The scope preflight against the sandbox: when the token certainly lacks the scope (another user's profile without a
    .All scope, a write without any write scope) the command stops before sending anything for that row, with one
    terminating error that names the scope, the Connect-ProfileGraph command that adds it, the row, what was done and how
    to resume; when the module cannot be certain (a UPN that may be the signed-in user's alias, a token without scp) the
    request goes out and Graph's 403 stays a per-row error. -WhatIf warns instead of stopping.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:megan = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'megan.bowen@*'
    $script:lee = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'lee.gu@*'

    function Connect-As([string[]] $Scopes) {
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:megan.userPrincipalName -Scopes $Scopes
    }

    function New-Row([string] $UserId, [string] $Title) { [pscustomobject]@{ UserId = $UserId; JobTitle = $Title; CompanyName = 'Preflight' } }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Scope preflight' {
    BeforeEach {
        Reset-Sandbox -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'stops at the first row for another user when the token writes only its own profile: earlier rows done, nothing sent for it or later' {
        Connect-As 'User.ReadWrite'
        $rows = @(
            New-Row $script:megan.id 'P1 own by id'
            New-Row 'me' 'P2 own as me'
            New-Row $script:lee.id 'P3 for Lee'
            New-Row 'me' 'P4 never read'
        )
        $failure = $null
        $output = @()
        try { $rows | New-ProfilePosition -SummaryVariable summary | ForEach-Object { $output += $_ } }
        catch { $failure = $_ }

        $failure | Should -Not -BeNullOrEmpty -Because 'a missing scope stops the run with a terminating error'
        $failure.FullyQualifiedErrorId | Should -BeLike 'MissingScope,*'
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $message = $failure.Exception.Message
        $message | Should -BeLike "*another user ('$($script:lee.id)')*User.ReadWrite.All*"
        $message | Should -BeLike "*Connect-ProfileGraph -Scopes User.ReadWrite.All signs in with it*: Connect-ProfileGraph -AccessToken <a token that carries User.ReadWrite.All> -GraphEndpoint $($script:sandbox.BaseUri).*"
        $message | Should -BeLike "*Stopped at row 3 (user '$($script:lee.id)', job title 'P3 for Lee')*"
        $message | Should -BeLike '*2 created, 1 not sent;*' -Because 'the refused row was not sent'
        $message | Should -BeLike '*After connecting with User.ReadWrite.All, run the same command again with -SkipExisting*' -Because 'it says how to resume'
        $failure.ErrorDetails.RecommendedAction | Should -BeLike 'Connect-ProfileGraph -AccessToken <a token that carries User.ReadWrite.All>*'
        $output.JobTitle | Should -Be @('P1 own by id', 'P2 own as me')
        $summary.Created | Should -Be 2
        $summary.Failed | Should -Be 0
        $summary.NotSent | Should -Be 1 -Because 'row 3 was refused before it was sent; row 4 was never read'
        $summary.Items | Should -Be 3
        $summary.Stopped | Should -BeTrue

        $journal = @(Get-GraphRequest -Sandbox $script:sandbox)
        @($journal | Where-Object method -EQ 'POST').Count | Should -Be 2
        @($journal | Where-Object path -Like "*$($script:lee.id)*") | Should -BeNullOrEmpty -Because 'nothing was sent for Lee'
    }

    It 'refuses a write without any write scope before any request, naming User.ReadWrite for the own profile' {
        Connect-As 'User.Read'
        $failure = $null
        try { New-ProfilePosition -JobTitle 'Nothing sent' }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'MissingScope,*'
        $failure.Exception.Message | Should -BeLike '*Writing your own profile needs the delegated permission User.ReadWrite,*its scopes: User.Read*was not sent*'
        $failure.Exception.Message | Should -BeLike '*Connect-ProfileGraph -Scopes User.ReadWrite signs in*Connect-ProfileGraph -AccessToken <a token that carries User.ReadWrite>*'
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }

    It 'refuses Get-ProfilePosition of another user with User.Read, and lets User.ReadBasic.All read it' {
        Connect-As 'User.Read'
        $failure = $null
        try { Get-ProfilePosition -UserId $script:lee.userPrincipalName }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'MissingScope,*'
        $failure.Exception.Message | Should -BeLike '*Reading the profile of another user*User.Read.All*Connect-ProfileGraph -Scopes User.Read.All*'
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty

        # Piped: the own profile is read, the other user's row stops the command, also with $WhatIfPreference set
        # (Get-ProfilePosition has no -WhatIf, so the preference does not turn the stop into a warning).
        $failure = $null
        $read = @()
        try {
            $WhatIfPreference = $true
            'me', $script:lee.userPrincipalName | Get-ProfilePosition | ForEach-Object { $read += $_ }
        }
        catch { $failure = $_ }
        finally { $WhatIfPreference = $false }
        $failure.FullyQualifiedErrorId | Should -BeLike 'MissingScope,*'
        $failure.Exception.Message | Should -BeLike "*Stopped at row 2 (user '$($script:lee.userPrincipalName)')*"
        @(Get-GraphRequest -Sandbox $script:sandbox).path | Should -Be @('/beta/me/profile/positions')

        Connect-As 'User.ReadBasic.All'
        Clear-SandboxJournal -Sandbox $script:sandbox
        $null = Get-ProfilePosition -UserId $script:lee.userPrincipalName -ErrorAction Stop
        @(Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 1
    }

    It 'compares the UPN case-insensitively: the signed-in user in capitals is written with User.ReadWrite' {
        Connect-As 'User.ReadWrite'
        $created = New-ProfilePosition -UserId $script:megan.userPrincipalName.ToUpperInvariant() -JobTitle 'Own in capitals' -ErrorAction Stop

        $created.JobTitle | Should -Be 'Own in capitals'
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST').Count | Should -Be 1
    }

    It 'sends a UPN that may be an alias of the signed-in user, and Graph''s 403 stays a per-row error' {
        Connect-As 'User.ReadWrite'
        $alias = ($script:megan.userPrincipalName -split '@')[0] + '@contoso.onmicrosoft.com'
        $rows = @((New-Row $alias 'Alias'), (New-Row 'me' 'After the alias'))

        $output = @($rows | New-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue)

        $output.JobTitle | Should -Be 'After the alias' -Because 'the run goes on'
        $failures.Count | Should -Be 1
        $failures[0].Exception.StatusCode | Should -Be 403
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Authorization_RequestDenied,*'
        "$($failures[0])" | Should -BeLike "Row 1 (user '$alias'*"
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'User\.ReadWrite\.All'
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST').Count | Should -Be 2
    }

    It 'sends when the token has no scp at all: Graph decides' {
        Connect-As ''
        (Get-ProfileGraphContext).Scopes | Should -BeNullOrEmpty

        New-ProfilePosition -UserId $script:lee.id -JobTitle 'No scp' -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].Exception.StatusCode | Should -Be 403
        @(Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 1
    }

    It 'under -WhatIf warns once that a run would stop, and sends nothing' {
        Connect-As 'User.ReadWrite'
        $rows = @((New-Row 'me' 'W1'), (New-Row $script:lee.id 'W2'), (New-Row $script:lee.id 'W3'))

        $rows | New-ProfilePosition -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue

        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike "Row 2: without -WhatIf the command would stop here. *another user*User.ReadWrite.All*Connect-ProfileGraph -Scopes User.ReadWrite.All*"
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }

    It 'removing another user''s position with User.ReadWrite stops before the DELETE' {
        Connect-As 'User.ReadWrite.All'
        $seeded = New-ProfilePosition -UserId $script:lee.id -JobTitle 'Lee keeps this' -ErrorAction Stop
        Connect-As 'User.ReadWrite'
        Clear-SandboxJournal -Sandbox $script:sandbox
        $failure = $null
        try { Remove-ProfilePosition -UserId $script:lee.id -Id $seeded.Id }
        catch { $failure = $_ }

        $failure.FullyQualifiedErrorId | Should -BeLike 'MissingScope,*RemoveProfilePositionCommand'
        $failure.Exception.Message | Should -BeLike "*Stopped at this item (user '$($script:lee.id)', position '$($seeded.Id)')*"
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:lee.id | Where-Object id -EQ $seeded.Id).Count | Should -Be 1
    }
}
