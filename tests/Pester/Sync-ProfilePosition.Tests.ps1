#Requires -Version 7.0
<#
    Sync-ProfilePosition as a nightly HR import drives it: rows piped in describe each listed user's complete set of
    positions, and the sandbox's journal and state say what was sent and what the profiles hold afterwards.
    The figures are the issue's: 40 users x 2 positions; the same file again; 3 changed departments; 2 rows dropped with
    and without -RemoveUnlisted; ambiguity; -WhatIf; the remove guard; a user absent from the input; -ClearEmpty; the
    module's own output as input; 1,000 users under the fault suite's seeded mixed faults; a run stopped midway.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'FaultSupport.psm1') -Force
    Import-TestedModule
    $script:modulePath = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
    $script:data = Join-Path $TestDrive 'sync-users.json'
    $script:users = @(New-SweepDataFile -Path $script:data -UserCount 40)
    $script:sandbox = Start-TestSandbox -ExtraArgs '--data', $script:data

    # HR rows: per user "Job <n>" at Contoso from 2020-0<n>, in R&D.
    function New-SyncRow([object[]] $User, [int] $PerUser = 2, [string] $Department = 'R&D') {
        foreach ($one in $User) {
            for ($number = 1; $number -le $PerUser; $number++) {
                [pscustomobject]@{ UserId = $one.id; JobTitle = "Job $number"; CompanyName = 'Contoso'; StartMonthYear = '2020-{0:D2}' -f $number; Department = $Department }
            }
        }
    }

    # What the sandbox holds, one entry per position, with its natural key (user, title, company, start month).
    function Get-StoredSync($Sandbox) {
        $state = Get-SandboxState -Sandbox $Sandbox
        foreach ($user in $state.positions.PSObject.Properties) {
            foreach ($position in @($user.Value)) {
                $start = if ($position.detail.startMonthYear) { ([string] $position.detail.startMonthYear).Substring(0, 7) } else { '' }
                [pscustomobject]@{
                    UserId = $user.Name; Id = $position.id; Department = $position.detail.company.department
                    Key = '{0}|{1}|{2}|{3}' -f $user.Name, $position.detail.jobTitle, $position.detail.company.displayName, $start
                }
            }
        }
    }

    # The natural keys the rows describe, with their departments.
    function Get-DesiredKey([object[]] $Rows) {
        foreach ($row in $Rows) { [pscustomobject]@{ Key = '{0}|{1}|{2}|{3}' -f $row.UserId, $row.JobTitle, $row.CompanyName, $row.StartMonthYear; Department = $row.Department } }
    }

    # The writes the sandbox received (batch items and plain requests; not the envelopes).
    function Get-Write($Sandbox) { @(Get-GraphRequest -Sandbox $Sandbox | Where-Object method -In 'POST', 'PATCH', 'DELETE') }

    function Assert-StateIsDesired($Sandbox, [object[]] $Rows, [string[]] $UserIds) {
        $stored = @(Get-StoredSync $Sandbox | Where-Object UserId -In $UserIds)
        @($stored | Group-Object Key | Where-Object Count -GT 1 | ForEach-Object Name) | Should -BeNullOrEmpty -Because 'no position is there twice'
        $wanted = @(Get-DesiredKey $Rows)
        @($stored.Key | Sort-Object) | Should -Be @($wanted.Key | Sort-Object) -Because 'the profiles hold exactly the rows'
        $departments = @{}
        foreach ($entry in $stored) { $departments[$entry.Key] = $entry.Department }
        @($wanted | Where-Object { $departments[$_.Key] -cne $_.Department } | ForEach-Object Key) | Should -BeNullOrEmpty -Because 'every department is the row''s'
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'A nightly sync of 40 users x 2 positions' {
    BeforeAll {
        Reset-Sandbox -Sandbox $script:sandbox
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User 'adele.vance@contoso.com'
        $script:rows = @(New-SyncRow -User $script:users)
        $script:csv = Join-Path $TestDrive 'hr.csv'
        $script:rows | Export-Csv -Path $script:csv -NoTypeInformation
        $script:ids = @($script:users.id)
    }

    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'the first sync creates the 80 positions, reading the 40 users in shared $batch envelopes' {
        $output = @(Import-Csv -Path $script:csv | Sync-ProfilePosition -SummaryVariable summary)

        $output.Count | Should -Be 80
        @($output | Where-Object Action -NE 'Created') | Should -BeNullOrEmpty
        @($output | Where-Object { -not $_.Id }) | Should -BeNullOrEmpty -Because 'every result names the created position'
        $output[0].PSObject.TypeNames | Should -Contain 'ProfilePositions.SyncResult'
        $output[0].Key | Should -Be 'Job 1 | Contoso | 2020-01'
        $output[0].Rows | Should -Be @(1)
        $summary.Created | Should -Be 80
        $summary.Failed | Should -Be 0

        $journal = @(Get-GraphRequest -Sandbox $script:sandbox)
        @($journal | Where-Object method -EQ 'POST').Count | Should -Be 80
        $reads = @($journal | Where-Object method -EQ 'GET')
        $reads.Count | Should -Be 40 -Because 'each user is read once (one page each)'
        # 40 reads fill two envelopes of 20. The dispatcher waits a few milliseconds for an envelope to fill, so on a
        # loaded machine the first read or two may go out before the rest are queued: at most one request more.
        $readRequests = @($reads | Where-Object { $null -ne $_.batchId } | ForEach-Object batchId | Sort-Object -Unique).Count + @($reads | Where-Object { $null -eq $_.batchId }).Count
        $readRequests | Should -BeIn 2, 3 -Because 'the 40 reads share $batch envelopes (40 requests without them)'
        Assert-StateIsDesired $script:sandbox $script:rows $script:ids
    }

    It 'the same file again writes nothing and reports every position Unchanged' {
        $output = @(Import-Csv -Path $script:csv | Sync-ProfilePosition -SummaryVariable summary)

        Get-Write $script:sandbox | Should -BeNullOrEmpty
        $output.Count | Should -Be 80
        @($output | Where-Object Action -NE 'Unchanged') | Should -BeNullOrEmpty
        $summary.Unchanged | Should -Be 80
        "$summary" | Should -Match '80 unchanged'
    }

    It 'three changed departments are exactly three PATCHes, each with the department alone' {
        $changed = @($script:rows | ForEach-Object { $_.PSObject.Copy() })
        foreach ($index in 3, 17, 64) { $changed[$index].Department = 'Marketing' }

        $output = @($changed | Sync-ProfilePosition)

        $writes = Get-Write $script:sandbox
        $writes.Count | Should -Be 3
        @($writes.method | Sort-Object -Unique) | Should -Be 'PATCH'
        foreach ($write in $writes) { ConvertTo-CanonicalJson (Get-RequestJson $write) | Should -Be '{"detail":{"company":{"department":"Marketing"}}}' }
        $updated = @($output | Where-Object Action -EQ 'Updated')
        $updated.Count | Should -Be 3
        $updated.Rows | Should -Be @(4, 18, 65)
        "$($updated[0].Changes)" | Should -Be "detail.company.department: 'R&D' -> 'Marketing'"
        foreach ($result in $updated) { @($writes | Where-Object { $_.path -like "*/$($result.Id)" }).Count | Should -Be 1 }
        Assert-StateIsDesired $script:sandbox $changed $script:ids
        # Back to the file's departments for the next tests.
        $null = @($script:rows | Sync-ProfilePosition)
    }

    It 'two rows dropped: without -RemoveUnlisted nothing is written and two positions are Unlisted' {
        # The second position of the first two users: they stay in the input with their other row.
        $fewer = @(for ($i = 0; $i -lt $script:rows.Count; $i++) { if ($i -notin 1, 3) { $script:rows[$i] } })

        $output = @($fewer | Sync-ProfilePosition -SummaryVariable summary)

        Get-Write $script:sandbox | Should -BeNullOrEmpty
        $unlisted = @($output | Where-Object Action -EQ 'Unlisted')
        $unlisted.Count | Should -Be 2
        @($unlisted.UserId | Sort-Object) | Should -Be @($script:users[0].id, $script:users[1].id | Sort-Object)
        @($unlisted.Key) | Should -Be 'Job 2 | Contoso | 2020-02', 'Job 2 | Contoso | 2020-02'
        $summary.Unlisted | Should -Be 2
        @(Get-StoredSync $script:sandbox).Count | Should -Be 80
    }

    It 'two rows dropped with -RemoveUnlisted: exactly two DELETEs, of those positions' {
        $fewer = @(for ($i = 0; $i -lt $script:rows.Count; $i++) { if ($i -notin 1, 3) { $script:rows[$i] } })
        $before = @(Get-StoredSync $script:sandbox | Where-Object { $_.UserId -in $script:users[0].id, $script:users[1].id -and $_.Key -like '*|Job 2|*' })

        $output = @($fewer | Sync-ProfilePosition -RemoveUnlisted)

        $writes = Get-Write $script:sandbox
        $writes.Count | Should -Be 2
        @($writes.method | Sort-Object -Unique) | Should -Be 'DELETE'
        $removed = @($output | Where-Object Action -EQ 'Removed')
        @($removed.Id | Sort-Object) | Should -Be @($before.Id | Sort-Object)
        Assert-StateIsDesired $script:sandbox $fewer $script:ids
    }

    It 'a user absent from the input keeps everything, even with -RemoveUnlisted' {
        $null = @($script:rows | Sync-ProfilePosition)
        Clear-SandboxJournal -Sandbox $script:sandbox
        $absent = $script:users[39]
        $before = @(Get-StoredSync $script:sandbox | Where-Object UserId -EQ $absent.id)

        $output = @($script:rows | Where-Object UserId -NE $absent.id | Sync-ProfilePosition -RemoveUnlisted)

        Get-Write $script:sandbox | Should -BeNullOrEmpty
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object path -Like "*$($absent.id)*") | Should -BeNullOrEmpty -Because 'the absent user is not even read'
        @($output | Where-Object UserId -EQ $absent.id) | Should -BeNullOrEmpty
        @(Get-StoredSync $script:sandbox | Where-Object UserId -EQ $absent.id).Id | Should -Be $before.Id
    }

    It '-WhatIf reads, prints the plan per user and sends no write' {
        $planned = @($script:rows | ForEach-Object { $_.PSObject.Copy() })
        $planned[1].Department = 'Sales'
        $plannedCsv = Join-Path $TestDrive 'whatif.csv'
        $planned | Select-Object -Skip 1 | Export-Csv -Path $plannedCsv -NoTypeInformation

        $run = Invoke-ScriptInFreshPwsh -Sandbox $script:sandbox -User 'adele.vance@contoso.com' -Variables @{ csv = $plannedCsv } -Code 'Import-Csv -Path $csv | Sync-ProfilePosition -RemoveUnlisted -WhatIf'

        $run.Errors | Should -BeNullOrEmpty
        Get-Write $script:sandbox | Should -BeNullOrEmpty
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'GET').Count | Should -Be 40
        $run.Output | Should -Match ([regex]::Escape("What if: Sync the positions of '$($script:users[0].id)' (2 stored; 1 update, 1 removal)"))
        $run.Output | Should -Match "update PATCH \S+/positions/\S+ \{`"detail`":\{`"company`":\{`"department`":`"Sales`"\}\}\}"
        $run.Output | Should -Match 'remove DELETE '
        $run.Output | Should -Match 'What if: 1 update, 1 removal would be sent'
    }

    It '-Confirm asks once per user that has something to write, showing its plan; N leaves that user as it is' {
        $confirmCsv = Join-Path $TestDrive 'confirm.csv'
        $planned = @($script:rows | Select-Object -First 6 | ForEach-Object { $_.PSObject.Copy() })
        foreach ($row in $planned) { $row.Department = 'Confirmed' }
        $planned | Export-Csv -Path $confirmCsv -NoTypeInformation

        $console = Invoke-ConsoleSession -Sandbox $script:sandbox -User 'adele.vance@contoso.com' -Lines "Import-Csv '$confirmCsv' | Sync-ProfilePosition -Confirm | Out-Null", 'Y', 'N', 'Y'

        # The console wraps long lines; the words are what counts.
        $flat = $console -replace '\s+', ' '
        $flat | Should -Match ([regex]::Escape("Sync the positions of '$($script:users[0].id)' (2 stored; 2 updates)? update PATCH "))
        ([regex]::Matches($flat, 'Sync the positions of')).Count | Should -Be 3 -Because 'one question per user'
        $writes = Get-Write $script:sandbox
        $writes.Count | Should -Be 4
        @($writes | Where-Object { $_.path -like "*$($script:users[1].id)*" }) | Should -BeNullOrEmpty -Because 'the second user was declined'
        $null = @($script:rows | Sync-ProfilePosition)
    }

    It 'the remove guard refuses a plan that removes more than 20 % of the positions read, and -Force runs it' {
        $half = @($script:rows | Where-Object JobTitle -EQ 'Job 1')

        { $half | Sync-ProfilePosition -RemoveUnlisted -ErrorAction Stop } | Should -Throw -ErrorId 'SyncRemoveGuard*' -ExpectedMessage '*removes 40 of the 80 positions of the 40 user(s) read (50 %), more than -MaxRemovePercent 20*'
        Get-Write $script:sandbox | Should -BeNullOrEmpty -Because 'the guard stops the run before any write'

        $output = @($half | Sync-ProfilePosition -RemoveUnlisted -MaxRemovePercent 60)
        $writes = Get-Write $script:sandbox
        $writes.Count | Should -Be 40
        @($writes.method | Sort-Object -Unique) | Should -Be 'DELETE'
        @($output | Where-Object Action -EQ 'Removed').Count | Should -Be 40
        Assert-StateIsDesired $script:sandbox $half $script:ids

        Clear-SandboxJournal -Sandbox $script:sandbox
        $null = @($script:rows | Sync-ProfilePosition)
        $null = @($half | Sync-ProfilePosition -RemoveUnlisted -Force)
        (Get-Write $script:sandbox | Where-Object method -EQ 'DELETE').Count | Should -Be 40 -Because '-Force lifts the guard'
    }

    It 'an empty cell leaves the member alone; -ClearEmpty clears it' {
        $one = @(New-SyncRow -User $script:users[5])
        $null = @($one | Sync-ProfilePosition)
        Clear-SandboxJournal -Sandbox $script:sandbox
        $emptyCsv = Join-Path $TestDrive 'empty-department.csv'
        $one | ForEach-Object { $_.Department = '' ; $_ } | Export-Csv -Path $emptyCsv -NoTypeInformation

        $kept = @(Import-Csv -Path $emptyCsv | Sync-ProfilePosition)
        Get-Write $script:sandbox | Should -BeNullOrEmpty
        @($kept.Action | Sort-Object -Unique) | Should -Be 'Unchanged'

        $cleared = @(Import-Csv -Path $emptyCsv | Sync-ProfilePosition -ClearEmpty)
        $writes = Get-Write $script:sandbox
        $writes.Count | Should -Be 2
        foreach ($write in $writes) { ConvertTo-CanonicalJson (Get-RequestJson $write) | Should -Be '{"detail":{"company":{"department":null}}}' }
        "$($cleared[0].Changes)" | Should -Be "detail.company.department: 'R&D' -> (cleared)"
        @(Get-StoredSync $script:sandbox | Where-Object { $_.UserId -eq $script:users[5].id -and $_.Department }) | Should -BeNullOrEmpty
    }

    It 'the module''s own positions are a desired set: Get | Sync -UserId copies a profile, and again writes nothing' {
        $from = $script:users[6]; $to = $script:users[7]
        $null = @(New-SyncRow -User $from -PerUser 3 -Department 'Finance' | Sync-ProfilePosition)
        Clear-SandboxJournal -Sandbox $script:sandbox

        $output = @(Get-ProfilePosition -UserId $from.id -All | Sync-ProfilePosition -UserId $to.id -RemoveUnlisted -Force)

        @($output | Where-Object Action -EQ 'Failed') | Should -BeNullOrEmpty
        @($output | Where-Object Action -In 'Created', 'Updated').Count | Should -BeGreaterThan 0
        $copied = @(Get-StoredSync $script:sandbox | Where-Object UserId -EQ $to.id)
        @($copied | ForEach-Object { $_.Key -replace '^[^|]+', '' } | Sort-Object) | Should -Be @(Get-StoredSync $script:sandbox | Where-Object UserId -EQ $from.id | ForEach-Object { $_.Key -replace '^[^|]+', '' } | Sort-Object)
        Clear-SandboxJournal -Sandbox $script:sandbox
        $again = @(Get-ProfilePosition -UserId $from.id -All | Sync-ProfilePosition -UserId $to.id -RemoveUnlisted)
        Get-Write $script:sandbox | Should -BeNullOrEmpty
        @($again.Action | Sort-Object -Unique) | Should -Be 'Unchanged'
    }
}

Describe 'Ambiguity is an error, never a guess' {
    BeforeAll {
        Reset-Sandbox -Sandbox $script:sandbox
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User 'adele.vance@contoso.com'
        $script:a = $script:users[0]; $script:b = $script:users[1]; $script:c = $script:users[2]
        $null = @(New-SyncRow -User $script:a, $script:b, $script:c | Sync-ProfilePosition)
    }

    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'two rows with one key fail that user, naming both rows, and change nothing for it; other users go on' {
        $rows = @(
            [pscustomobject]@{ UserId = $script:a.id; JobTitle = 'Job 1'; CompanyName = 'Contoso'; StartMonthYear = '2020-01'; Department = 'Sales' }
            [pscustomobject]@{ UserId = $script:a.id; JobTitle = 'JOB 1'; CompanyName = 'contoso'; StartMonthYear = '2020-01-01'; Department = 'Legal' }
            [pscustomobject]@{ UserId = $script:a.id; JobTitle = 'Job 9'; CompanyName = 'Contoso'; StartMonthYear = '2024-01'; Department = 'R&D' }
            New-SyncRow -User $script:b -Department 'Sales'
        )

        $output = @($rows | Sync-ProfilePosition -RemoveUnlisted -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SyncDuplicateRowKey*'
        $failures[0].Exception.Message | Should -BeLike "*rows 1 and 2 have the same key (JOB 1 | contoso | 2020-01)*Nothing was changed for this user*"
        $failed = @($output | Where-Object Action -EQ 'Failed')
        $failed.Count | Should -Be 1
        $failed[0].UserId | Should -Be $script:a.id
        $failed[0].Error | Should -BeLike '*rows 1 and 2*'
        @(Get-Write $script:sandbox | Where-Object { $_.path -like "*$($script:a.id)*" }) | Should -BeNullOrEmpty
        @(Get-Write $script:sandbox | Where-Object { $_.path -like "*$($script:b.id)*" }).Count | Should -Be 2 -Because 'the other user is synced'
    }

    It 'two stored positions matching one key fail that user, naming both ids, and change nothing for it' {
        $duplicate = New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:c.id -Body @{ detail = @{ jobTitle = 'Job 1'; startMonthYear = '2020-01-01'; company = @{ displayName = 'Contoso'; department = 'Old' } } }
        Clear-SandboxJournal -Sandbox $script:sandbox
        $rows = @(New-SyncRow -User $script:c -Department 'New') + [pscustomobject]@{ UserId = $script:c.id; JobTitle = 'Job 3'; CompanyName = 'Contoso'; StartMonthYear = '2021-01'; Department = 'New' }

        $output = @($rows | Sync-ProfilePosition -RemoveUnlisted -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SyncDuplicateStoredKey*'
        $failures[0].Exception.Message | Should -BeLike "*matches 2 stored positions (*$($duplicate.id)*)*Remove the duplicates*"
        @($output.Action) | Should -Be 'Failed'
        Get-Write $script:sandbox | Should -BeNullOrEmpty
    }

    It 'a user who cannot be read fails alone, with Graph''s error; the others are synced' {
        $rows = @(
            [pscustomobject]@{ UserId = 'nobody@contoso.com'; JobTitle = 'Job 1'; CompanyName = 'Contoso'; StartMonthYear = '2020-01' }
            New-SyncRow -User $script:users[3] -Department 'Read'
        )

        $output = @($rows | Sync-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures.Count | Should -Be 1
        "$($failures[0])" | Should -BeLike "User 'nobody@contoso.com': *"
        $failures[0].Exception.StatusCode | Should -Be 404
        @($output | Where-Object Action -EQ 'Failed').UserId | Should -Be 'nobody@contoso.com'
        @(Get-Write $script:sandbox | Where-Object { $_.path -like '*nobody*' }) | Should -BeNullOrEmpty
        @($output | Where-Object { $_.UserId -eq $script:users[3].id -and $_.Action -eq 'Created' }).Count | Should -Be 2
    }

    It 'a row that cannot be read fails its user, naming the row, and nothing of that user is read or written' {
        $rows = @(
            [pscustomobject]@{ UserId = $script:b.id; JobTitle = 'Job 1'; CompanyName = 'Contoso'; StartMonthYear = 'not a date'; Department = 'R&D' }
            [pscustomobject]@{ UserId = $script:b.id; JobTitle = 'Job 2'; CompanyName = 'Contoso'; StartMonthYear = '2020-02'; Department = 'R&D' }
        )

        $output = @($rows | Sync-ProfilePosition -RemoveUnlisted -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures.Count | Should -Be 1
        "$($failures[0])" | Should -BeLike 'Row 1 (user*): Row 1 could not be read:*Nothing was read or changed for this user*'
        @($output.Action) | Should -Be 'Failed'
        @(Get-GraphRequest -Sandbox $script:sandbox) | Should -BeNullOrEmpty
    }
}

Describe 'Mixed faults during a sync of 1,000 users (seed 1)' {
    BeforeAll {
        $script:bigData = Join-Path $TestDrive 'sync-1000.json'
        $script:bigUsers = @(New-SweepDataFile -Path $script:bigData -UserCount 1000)
        $script:big = Start-FaultSandbox -Seed 1 -ExtraArgs '--data', $script:bigData
        $null = Connect-TestSandbox -Sandbox $script:big -User 'adele.vance@contoso.com'
        $script:bigIds = @($script:bigUsers.id)
        $script:start = @(New-SyncRow -User $script:bigUsers -PerUser 1)
        $null = @($script:start | Sync-ProfilePosition -SummaryVariable startSummary)
        $startSummary.Created | Should -Be 1000

        # The night's changes: 100 departments changed, 100 users with a second position, 100 with their only position
        # replaced by another (one create and one removal each): 400 writes, 10 % of the positions removed.
        $script:desired = @(for ($i = 0; $i -lt 1000; $i++) {
                $row = $script:start[$i].PSObject.Copy()
                if ($i % 10 -eq 1) { $row.Department = 'Marketing' }
                if ($i % 10 -eq 2) { $row; $row = [pscustomobject]@{ UserId = $row.UserId; JobTitle = 'Job 2'; CompanyName = 'Contoso'; StartMonthYear = '2023-05'; Department = 'R&D' } }
                if ($i % 10 -eq 3) { $row.JobTitle = 'Lead'; $row.StartMonthYear = '2024-02' }
                $row
            })
        Clear-SandboxJournal -Sandbox $script:big
        Set-SandboxPenalty -Sandbox $script:big
        $null = Add-SandboxFault -Sandbox $script:big -Rule @(Get-SweepFaultRule)
        try {
            $script:faulted = @($script:desired | Sync-ProfilePosition -RemoveUnlisted -TimeoutSec 2 -SummaryVariable faultSummary -ErrorVariable faultErrors -ErrorAction SilentlyContinue)
            $script:faultSummary = $faultSummary
            $script:faultErrors = @($faultErrors)
        }
        finally { Clear-SandboxFault -Sandbox $script:big }
        $script:violations = Get-LateViolationCount -Sandbox $script:big -RaceAllowanceMs 250
        $script:faultJournal = @(Get-GraphRequest -Sandbox $script:big)
    }
    AfterAll { Stop-TestSandbox -Sandbox $script:big }

    It 'faults were met, and every planned action has exactly one result' {
        @($script:faultJournal | Where-Object { $_.fault }).Count | Should -BeGreaterThan 20 -Because 'the fault rules hit a share of the requests'
        $writes = @($script:faulted | Where-Object Action -In 'Created', 'Updated', 'Removed')
        $failedWrites = @($script:faulted | Where-Object { $_.Action -eq 'Failed' -and $_.Key })
        $failedUsers = @($script:faulted | Where-Object { $_.Action -eq 'Failed' -and -not $_.Key })
        @($script:faulted | Group-Object UserId, Key, Action | Where-Object Count -GT 1 | ForEach-Object Name) | Should -BeNullOrEmpty -Because 'one result per action, never two'
        ($writes.Count + $failedWrites.Count) | Should -BeGreaterOrEqual (400 - 4 * $failedUsers.Count) -Because 'every planned write has its result (a user whose read failed has one Failed instead)'
        ($writes.Count + $failedWrites.Count) | Should -BeLessOrEqual 400
        $script:faultSummary.Unchanged + $script:faultSummary.Created + $script:faultSummary.Updated + $script:faultSummary.Removed + $script:faultSummary.Failed | Should -Be $script:faulted.Count
    }

    It 'no position exists twice, and what was reported written is in the state' {
        $stored = @(Get-StoredSync $script:big)
        @($stored | Group-Object Key | Where-Object Count -GT 1 | ForEach-Object Name) | Should -BeNullOrEmpty
        $ids = @{}
        foreach ($entry in $stored) { $ids[$entry.Id] = $entry }
        foreach ($result in $script:faulted | Where-Object Action -In 'Created', 'Updated') { $ids.ContainsKey($result.Id) | Should -BeTrue -Because "$($result.Action) $($result.Id)" }
        foreach ($result in $script:faulted | Where-Object Action -EQ 'Removed') { $ids.ContainsKey($result.Id) | Should -BeFalse -Because "removed $($result.Id)" }
        foreach ($result in $script:faulted | Where-Object Action -EQ 'Updated') { $ids[$result.Id].Department | Should -Be 'Marketing' }
    }

    It 'zero Retry-After violations' {
        $script:violations | Should -Be 0
    }

    It 'a re-run without faults converges on the desired state, and one more writes nothing' {
        $null = @($script:desired | Sync-ProfilePosition -RemoveUnlisted -SummaryVariable rerunSummary -ErrorVariable rerunErrors -ErrorAction SilentlyContinue)
        @($rerunErrors) | Should -BeNullOrEmpty
        Assert-StateIsDesired $script:big $script:desired $script:bigIds

        Clear-SandboxJournal -Sandbox $script:big
        $last = @($script:desired | Sync-ProfilePosition -RemoveUnlisted -SummaryVariable lastSummary)
        Get-Write $script:big | Should -BeNullOrEmpty
        $lastSummary.Unchanged | Should -Be 1100
        @(Get-GraphRequest -Sandbox $script:big | Where-Object method -EQ 'GET').Count | Should -Be 1000
    }
}

Describe 'A sync stopped midway converges on re-run' {
    BeforeAll {
        $slowData = Join-Path $TestDrive 'sync-slow.json'
        Copy-Item -Path $script:data -Destination $slowData
        $script:slow = Start-TestSandbox -ExtraArgs '--data', $slowData, '--latency-ms', '60-120'
        $null = Connect-TestSandbox -Sandbox $script:slow -User 'adele.vance@contoso.com'
        $script:slowRows = @(New-SyncRow -User $script:users -PerUser 3)
    }
    AfterAll { Stop-TestSandbox -Sandbox $script:slow }

    It 'Stop() during the writes leaves no duplicate, and the same rows again finish the job' {
        $token = Get-TestToken -Sandbox $script:slow -User 'adele.vance@contoso.com'
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($module, $token, $uri, $rows)
                    Import-Module $module
                    $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $uri
                    $rows | Sync-ProfilePosition -BatchSize 5 -ThrottleLimit 1
                }).AddArgument($script:modulePath).AddArgument($token).AddArgument($script:slow.BaseUri).AddArgument($script:slowRows)
            $handle = $shell.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-GraphRequest -Sandbox $script:slow | Where-Object method -EQ 'POST').Count -lt 20 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $handle.IsCompleted | Should -BeFalse -Because 'the run is still writing when it is stopped'
            $shell.Stop()
        }
        finally { $shell.Dispose() }
        # What was on its way when the run stopped has landed.
        Start-Sleep -Milliseconds 1000

        $partial = @(Get-StoredSync $script:slow)
        $partial.Count | Should -BeGreaterOrEqual 20
        $partial.Count | Should -BeLessThan 120
        @($partial | Group-Object Key | Where-Object Count -GT 1) | Should -BeNullOrEmpty

        $rerun = @($script:slowRows | Sync-ProfilePosition -SummaryVariable rerunSummary)
        $rerunSummary.Created | Should -Be (120 - $partial.Count)
        $rerunSummary.Unchanged | Should -Be $partial.Count
        Assert-StateIsDesired $script:slow $script:slowRows @($script:users.id)
    }
}
