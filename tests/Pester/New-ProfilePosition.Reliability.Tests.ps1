#Requires -Version 7.0
<#
    New-ProfilePosition when Graph fails a create: nothing lost, nothing written twice. A fault rule hits one of
    several piped rows (503 before and after the commit, 504 after, a reset connection and a cut-off response
    after the commit); afterwards the sandbox holds exactly one position per row, the journal shows no row created
    twice, and the output has one object per row. -SkipExisting: the same import run twice writes nothing the
    second time. The tests assert on the final state, not on attempt counts, so they hold whatever .NET's
    connection pool does on its own (it resends a request once when a pooled connection closes before any
    response byte).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:owner = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'megan.bowen@*'
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function New-ImportRow([string] $Company, [int] $Count = 3) {
        # Rows as Import-Csv makes them: one company per scenario, so its positions can be told apart.
        foreach ($number in 1..$Count) {
            [pscustomobject]@{ UserId = $script:owner.id; JobTitle = "Row $number"; CompanyName = $Company; StartMonthYear = "2020-0$number"; IsCurrent = 'False' }
        }
    }

    function Get-StatePosition([string] $Company) {
        # The positions /_sandbox/state holds for the owner under a company name.
        $state = Get-SandboxState -Sandbox $script:sandbox
        $all = foreach ($property in $state.positions.PSObject.Properties) { $property.Value }
        @($all | Where-Object { $_.detail.company.displayName -eq $Company })
    }

    function Get-SucceededPost([string] $Company) {
        # The POSTs the sandbox answered with 2xx for a company, as the JSON it received.
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object { $_.method -eq 'POST' -and $_.status -ge 200 -and $_.status -lt 300 } |
            ForEach-Object { Get-RequestJson $_ } | Where-Object { $_.detail.company.displayName -eq $Company })
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'A create that fails on one of several piped rows' {
    BeforeEach {
        Clear-SandboxFault -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
    }
    AfterEach { Clear-SandboxFault -Sandbox $script:sandbox }

    It '<Name> leaves exactly one position per row' -ForEach @(
        @{ Name = '503 before the commit'; Rule = @{ status = 503; commit = 'before'; retryAfter = '0' } }
        @{ Name = '503 after the commit'; Rule = @{ status = 503; commit = 'after' } }
        @{ Name = '504 after the commit'; Rule = @{ status = 504; commit = 'after' } }
        @{ Name = '500 before the commit'; Rule = @{ status = 500; commit = 'before'; retryAfter = '0' } }
        @{ Name = 'a reset connection after the commit'; Rule = @{ transport = 'reset'; commit = 'after' } }
        @{ Name = 'a response cut off after the commit'; Rule = @{ transport = 'halfBody'; commit = 'after' } }
        @{ Name = 'a connection closed before the commit'; Rule = @{ transport = 'close'; commit = 'before' } }
        @{ Name = 'a connection closed after the commit'; Rule = @{ transport = 'close'; commit = 'after' } }
    ) {
        $company = 'Reliability ' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $rule = @{ method = 'POST'; path = 'profile/positions$'; nth = 2 } + $Rule
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule $rule

        $output = @(New-ImportRow $company | New-ProfilePosition -ErrorVariable failures)

        $failures | Should -BeNullOrEmpty
        $fired = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object { $_.fault })
        $fired.Count | Should -BeGreaterOrEqual 1 -Because 'the fault rule must have hit a create'
        $output.Count | Should -Be 3
        $output.Detail.JobTitle | Should -Be @('Row 1', 'Row 2', 'Row 3')
        @($output.Id | Sort-Object -Unique).Count | Should -Be 3
        $output.UserId | Should -Be @($script:owner.id, $script:owner.id, $script:owner.id)

        $stored = Get-StatePosition $company
        $stored.Count | Should -Be 3
        ($stored.detail.jobTitle | Sort-Object) | Should -Be @('Row 1', 'Row 2', 'Row 3')
        ($stored.id | Sort-Object) | Should -Be ($output.Id | Sort-Object)
        foreach ($title in 'Row 1', 'Row 2', 'Row 3') {
            @(Get-SucceededPost $company | Where-Object { $_.detail.jobTitle -eq $title }).Count | Should -BeLessOrEqual 1 -Because "$title must not be created twice"
        }
    }

    It 'says in the verbose stream that it read the positions and found the create committed' {
        $company = 'Reliability ' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = 'profile/positions$'; nth = 1; status = 503; commit = 'after' }

        $records = @(New-ImportRow $company -Count 1 | New-ProfilePosition -Verbose 4>&1)

        $created = @($records | Where-Object { $_ -is [ProfilePositions.WorkPosition] })
        $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $created.Count | Should -Be 1
        ($verbose | Where-Object { $_ -like '*outcome unknown (503*' }) | Should -Not -BeNullOrEmpty
        ($verbose | Where-Object { $_ -like "*found the created position $($created[0].Id)*" }) | Should -Not -BeNullOrEmpty
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST').Count | Should -Be 1
        (Get-StatePosition $company).Count | Should -Be 1
    }

    It 'gives up at the retry limit when every create fails before its commit, saying nothing was created' {
        $company = 'Reliability ' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule @{ method = 'POST'; path = 'profile/positions$'; status = 503; commit = 'before'; retryAfter = '0' }

        $output = @(New-ImportRow $company -Count 1 | New-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue)

        $output.Count | Should -Be 0
        $failures.Count | Should -Be 1
        $failures[0].Exception.Message | Should -BeLike '*nothing was created*'
        $failures[0].FullyQualifiedErrorId | Should -BeLike '*,ProfilePositions.Commands.NewProfilePositionCommand'
        (Get-StatePosition $company).Count | Should -Be 0
    }

    It 'does not retry or read after a 400' {
        $company = 'Reliability ' + [guid]::NewGuid().ToString('n').Substring(0, 8)

        # The sandbox runs strict: a member it does not know is refused with 400.
        $null = New-ProfilePosition -UserId $script:owner.id -CompanyName $company -AdditionalProperties @{ notAGraphMember = 1 } -ErrorVariable failures -ErrorAction SilentlyContinue 3>$null

        $requests = @(Get-GraphRequest -Sandbox $script:sandbox)
        @($requests | Where-Object method -EQ 'POST').Count | Should -Be 1
        $requests[0].status | Should -Be 400
        @($requests | Where-Object method -EQ 'GET').Count | Should -Be 0
        $failures.Count | Should -Be 1
        $failures[0].Exception.StatusCode | Should -Be 400
        (Get-StatePosition $company).Count | Should -Be 0
    }
}

Describe 'New-ProfilePosition -SkipExisting' {
    BeforeEach {
        Clear-SandboxFault -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'writes nothing when the same import runs a second time, and outputs the same positions' {
        $company = 'Skip ' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $csv = Join-Path $TestDrive "$($company -replace ' ', '-').csv"
        New-ImportRow $company | Export-Csv -Path $csv -NoTypeInformation

        $first = @(Import-Csv -Path $csv | New-ProfilePosition -SkipExisting)
        Clear-SandboxJournal -Sandbox $script:sandbox
        $records = @(Import-Csv -Path $csv | New-ProfilePosition -SkipExisting -Verbose 4>&1)

        $second = @($records | Where-Object { $_ -is [ProfilePositions.WorkPosition] })
        $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $first.Count | Should -Be 3
        $second.Count | Should -Be 3
        $second.Id | Should -Be $first.Id
        $second.Detail.JobTitle | Should -Be @('Row 1', 'Row 2', 'Row 3')
        $second.UserId | Should -Be $first.UserId
        @($verbose | Where-Object { $_ -like '*already exists; skipped*' }).Count | Should -Be 3
        $requests = @(Get-GraphRequest -Sandbox $script:sandbox)
        @($requests | Where-Object method -NE 'GET').Count | Should -Be 0 -Because 'the second run sends no POST'
        @($requests | Where-Object method -EQ 'GET').Count | Should -Be 1 -Because "the user's positions are read once per run"
        (Get-StatePosition $company).Count | Should -Be 3
    }

    It 'creates only the rows that do not exist yet, in both parameter sets' {
        $company = 'Skip ' + [guid]::NewGuid().ToString('n').Substring(0, 8)
        $existing = New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:owner.id -Body @{ detail = @{ jobTitle = 'Row 1'; company = @{ displayName = $company } } }
        Clear-SandboxJournal -Sandbox $script:sandbox

        $expanded = @(
            [pscustomobject]@{ UserId = $script:owner.id; JobTitle = 'Row 1'; CompanyName = $company }
            [pscustomobject]@{ UserId = $script:owner.id; JobTitle = 'Row 2'; CompanyName = $company }
        ) | New-ProfilePosition -SkipExisting
        $bodies = @(
            @{ detail = @{ jobTitle = 'Row 2'; company = @{ displayName = $company } } }
            @{ detail = @{ JobTitle = 'Row 3'; Company = @{ DisplayName = $company } } }
        ) | New-ProfilePosition -UserId $script:owner.id -SkipExisting

        $expanded[0].Id | Should -Be $existing.id
        $bodies[0].Id | Should -Be $expanded[1].Id
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST').Count | Should -Be 2
        ((Get-StatePosition $company).detail.jobTitle | Sort-Object) | Should -Be @('Row 1', 'Row 2', 'Row 3')
    }
}
