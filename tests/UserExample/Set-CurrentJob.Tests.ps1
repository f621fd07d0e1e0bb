<#
    A user's own Pester tests of a script that uses ProfilePositions (Set-CurrentJob.ps1), written as the README's
    "Testing your own scripts" shows: the module is imported by name from an installed copy, the sandbox is the
    installed .NET tool (profilepositions-sandbox), found by Start-ProfileGraphSandbox, and nothing of this
    repository's private test support is used. build.ps1 -Task Test runs it under Pester 5.7.1 and Pester 6.2.0.
#>

BeforeAll {
    Import-Module ProfilePositions
    $sandbox = Start-ProfileGraphSandbox -Seed 1
    Write-Host "Sandbox $($sandbox.Uri), found in: $($sandbox.Source)"
    $scriptUnderTest = Join-Path $PSScriptRoot 'Set-CurrentJob.ps1'
    $admin = 'adele.vance@contoso.com'
    $user = 'megan.bowen@contoso.com'
}

AfterAll {
    Disconnect-ProfileGraph
    Stop-ProfileGraphSandbox $sandbox
}

Describe 'Set-CurrentJob.ps1 against the sandbox' {
    BeforeEach {
        Reset-ProfileGraphSandbox $sandbox
        $null = Connect-ProfileGraphSandbox $sandbox -User $admin -Scopes User.ReadWrite.All
        $null = New-ProfilePosition -UserId $user -JobTitle 'Analyst' -CompanyName 'Contoso' -StartMonthYear '2020-01-01' -IsCurrent
        # Only what the script sends is in the journal.
        Reset-ProfileGraphSandbox $sandbox -Requests
    }

    It 'closes the current position and creates the new one as current' {
        $created = & $scriptUnderTest -UserId $user -JobTitle 'Lead Engineer' -CompanyName 'Contoso' -Start '2026-03-15'

        $created.JobTitle | Should -Be 'Lead Engineer'
        $patch = @(Get-ProfileGraphSandboxRequest $sandbox -Method PATCH)
        $patch.Count | Should -Be 1
        $patch[0].user | Should -Be $user
        $patch[0].Json.isCurrent | Should -BeFalse
        $patch[0].Json.detail.endMonthYear | Should -Be '2026-03-01'
        $post = @(Get-ProfileGraphSandboxRequest $sandbox -Method POST -Path '*/profile/positions')
        $post.Count | Should -Be 1
        $post[0].Json.detail.jobTitle | Should -Be 'Lead Engineer'
        $post[0].Json.detail.company.displayName | Should -Be 'Contoso'
        $post[0].Json.isCurrent | Should -BeTrue
        @(Get-ProfilePosition -UserId $user -All | Where-Object IsCurrent).JobTitle | Should -Be 'Lead Engineer'
    }

    It 'sends no write under -WhatIf' {
        & $scriptUnderTest -UserId $user -JobTitle 'Lead Engineer' -CompanyName 'Contoso' -WhatIf

        Get-ProfileGraphSandboxRequest $sandbox -Method POST, PATCH, DELETE | Should -BeNullOrEmpty
        @(Get-ProfileGraphSandboxRequest $sandbox -Method GET).Count | Should -BeGreaterThan 0
    }

    It 'creates the position once when Graph answers 503 to the create' {
        $null = Add-ProfileGraphSandboxFault $sandbox -StatusCode 503 -RetryAfter 0 -Method POST -Nth 1

        $null = & $scriptUnderTest -UserId $user -JobTitle 'Retried' -CompanyName 'Contoso'

        @(Get-ProfileGraphSandboxRequest $sandbox -Method POST).status | Should -Be @(503, 201)
        @(Get-ProfilePosition -UserId $user -All | Where-Object JobTitle -EQ 'Retried').Count | Should -Be 1
    }

    It 'stops before sending when the signed-in user may only write their own profile' {
        $null = Connect-ProfileGraphSandbox $sandbox -User $admin
        $before = @(Get-ProfileGraphSandboxRequest $sandbox -Method POST).Count

        { & $scriptUnderTest -UserId $user -JobTitle 'Denied' -CompanyName 'Contoso' } | Should -Throw -ExpectedMessage '*needs the delegated permission*so it was not sent*'
        @(Get-ProfileGraphSandboxRequest $sandbox -Method POST).Count | Should -Be $before -Because 'the token proves the scope is missing, so nothing is sent'
    }
}

Describe 'Set-CurrentJob.ps1 with Mock (no sandbox)' {
    It 'passes the title, the company and the first of the month on' {
        # The cmdlets are mocked where the script calls them: in this test's scope, so no -ModuleName.
        Mock Get-ProfilePosition { [pscustomobject]@{ Id = 'old'; UserId = $UserId; IsCurrent = $true } }
        Mock Update-ProfilePosition { }
        Mock New-ProfilePosition { [pscustomobject]@{ JobTitle = $JobTitle } }

        $null = & $scriptUnderTest -UserId $user -JobTitle 'Lead Engineer' -CompanyName 'Contoso' -Start '2026-03-15'

        Should -Invoke Update-ProfilePosition -Times 1 -Exactly -ParameterFilter { $EndMonthYear -eq '2026-03-01' -and -not $IsCurrent }
        Should -Invoke New-ProfilePosition -Times 1 -Exactly -ParameterFilter {
            $UserId -eq $user -and $JobTitle -eq 'Lead Engineer' -and $CompanyName -eq 'Contoso' -and $StartMonthYear -eq '2026-03-01' -and $IsCurrent
        }
    }
}
