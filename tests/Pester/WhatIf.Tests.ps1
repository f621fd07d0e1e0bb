#Requires -Version 7.0
<#
    -WhatIf and -Confirm over many piped items, as a console shows them: each item's own "What if:" line, then one total
    line (creates, updates or removals that would be sent, and the items that would not); Remove-ProfilePosition's
    lines and prompts name the position's job title and company when the piped object carries them. The host output
    is captured from a real pwsh (Invoke-ConsoleSession) or a transcript; the sandbox's journal and state show that
    nothing was written.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:owner = @(Get-SandboxUsers -Sandbox $script:sandbox | Where-Object { $_.id -ne $script:signedIn.id -and $_.userPrincipalName -notlike '*#EXT#*' })[0]
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function Invoke-Console([string[]] $Lines) {
        Invoke-ConsoleSession -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Lines $Lines
    }

    function Get-WhatIfLine([string] $Console) {
        # The "What if:" lines of a console's output (a JSON body is on the next line), without the terminal's mode
        # switches (ESC[?1h) that pwsh prints before reading a line.
        @(($Console -replace '\e\[[?0-9;]*[A-Za-z]', '') -split '\r?\n' | Where-Object { $_ -like 'What if: *' })
    }

    function New-OwnedPosition([string] $JobTitle, [string] $Company) {
        $detail = @{ jobTitle = $JobTitle }
        if ($Company) { $detail.company = @{ displayName = $Company } }
        New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:owner.id -Body @{ detail = $detail }
    }

    function Get-Writes { @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -In 'POST', 'PATCH', 'DELETE') }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe '-WhatIf over many piped items ends with a total line' {
    BeforeEach {
        Reset-Sandbox -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'New-ProfilePosition: one line per row, then "3 creates would be sent"' {
        $console = Invoke-Console "1..3 | ForEach-Object { [pscustomobject]@{ UserId = '$($script:owner.userPrincipalName)'; JobTitle = ""WhatIf row `$_"" } } | New-ProfilePosition -WhatIf"

        $lines = Get-WhatIfLine $console
        $lines.Count | Should -Be 4
        @($lines[0..2] | Where-Object { $_ -like 'What if: Create a work position for *' }).Count | Should -Be 3
        $lines[3] | Should -Be 'What if: 3 creates would be sent (New-ProfilePosition: 3 items).'
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'Update-ProfilePosition: Get | Update -WhatIf ends with "2 updates would be sent"' {
        $null = New-OwnedPosition 'First' 'Contoso'
        $null = New-OwnedPosition 'Second' 'Fabrikam'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $console = Invoke-Console "Get-ProfilePosition -UserId '$($script:owner.id)' | Update-ProfilePosition -Department 'Preview' -WhatIf"

        $lines = Get-WhatIfLine $console
        @($lines | Where-Object { $_ -like 'What if: Update work position *' }).Count | Should -Be 2
        $lines[-1] | Should -Be 'What if: 2 updates would be sent (Update-ProfilePosition: 2 items).'
        Get-Writes | Should -BeNullOrEmpty
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id | Where-Object { $_.detail.company.department -eq 'Preview' }) | Should -BeNullOrEmpty
    }

    It 'Remove-ProfilePosition: Get | Remove -WhatIf names each job title and company, then "2 removals would be sent"' {
        $first = New-OwnedPosition 'Senior Engineer' 'Contoso'
        $second = New-OwnedPosition 'Lead' ''
        Clear-SandboxJournal -Sandbox $script:sandbox

        $console = Invoke-Console "Get-ProfilePosition -UserId '$($script:owner.id)' | Remove-ProfilePosition -WhatIf"

        $lines = Get-WhatIfLine $console
        $lines | Should -Contain ("What if: Remove work position '$($first.id)' (job title 'Senior Engineer', company 'Contoso') of '$($script:owner.id)': DELETE " +
            "$($script:sandbox.BaseUri)/beta/users/$($script:owner.id)/profile/positions/$($first.id)")
        @($lines | Where-Object { $_ -like "What if: Remove work position '$($second.id)' (job title 'Lead') of *" }).Count | Should -Be 1
        $lines[-1] | Should -Be 'What if: 2 removals would be sent (Remove-ProfilePosition: 2 items).'
        Get-Writes | Should -BeNullOrEmpty
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id).id | Should -Contain $first.id
    }

    It 'counts rows that fail before sending, and says when nothing would be sent' {
        $console = Invoke-Console "1..2 | ForEach-Object { [pscustomobject]@{ UserId = 'me'; JobTitle = 'x'; StartMonthYear = 'not a date' } } | New-ProfilePosition -WhatIf 2>`$null"

        (Get-WhatIfLine $console) | Should -Be 'What if: Nothing would be sent (New-ProfilePosition: 2 items; 2 failed).'
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'counts rows -SkipExisting would skip' {
        $null = New-OwnedPosition 'Already there' 'Contoso'
        Clear-SandboxJournal -Sandbox $script:sandbox
        $rows = "@('Already there', 'Not yet') | ForEach-Object { [pscustomobject]@{ UserId = '$($script:owner.id)'; JobTitle = `$_; CompanyName = 'Contoso' } }"

        $console = Invoke-Console "$rows | New-ProfilePosition -SkipExisting -WhatIf | Out-Null"

        (Get-WhatIfLine $console)[-1] | Should -Be 'What if: 1 create would be sent (New-ProfilePosition: 2 items; 1 skipped as existing).'
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'shows the total under $WhatIfPreference too, and in a transcript' {
        $transcript = Join-Path $TestDrive 'whatif-preference.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try {
            $WhatIfPreference = $true
            [pscustomobject]@{ UserId = 'me'; Id = 'one' }, [pscustomobject]@{ UserId = 'me'; Id = 'two' } | Remove-ProfilePosition
        }
        finally {
            $WhatIfPreference = $false
            Stop-Transcript | Out-Null
        }

        (Get-Content $transcript -Raw) | Should -Match ([regex]::Escape('What if: 2 removals would be sent (Remove-ProfilePosition: 2 items).'))
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'writes no total for a single item' {
        $console = Invoke-Console "New-ProfilePosition -JobTitle 'Just one' -WhatIf", "[pscustomobject]@{ UserId = 'me'; JobTitle = 'One row' } | New-ProfilePosition -WhatIf"

        $lines = Get-WhatIfLine $console
        $lines.Count | Should -Be 2
        $lines | Should -Not -Match 'would be sent'
    }

    It 'writes no total without -WhatIf' {
        $console = Invoke-Console "1..2 | ForEach-Object { [pscustomobject]@{ UserId = 'me'; JobTitle = ""Sent `$_"" } } | New-ProfilePosition | Out-Null"

        $console | Should -Not -Match 'What if'
        @(Get-Writes | Where-Object method -EQ 'POST').Count | Should -Be 2
    }
}

Describe 'Remove-ProfilePosition names the position it means' {
    BeforeEach {
        Reset-Sandbox -Sandbox $script:sandbox
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It 'from rows with JobTitle and CompanyName columns (objects and hashtables) and from a JSON backup' {
        $backup = Join-Path $TestDrive 'backup.json'
        $kept = New-OwnedPosition 'Backed up' 'Northwind'
        Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id | Where-Object id -EQ $kept.id |
            Select-Object @{ n = 'UserId'; e = { $script:owner.id } }, id, detail | ConvertTo-Json -Depth 6 -AsArray | Set-Content $backup
        Clear-SandboxJournal -Sandbox $script:sandbox
        $rows = "[pscustomobject]@{ UserId = 'me'; Id = 'row-1'; JobTitle = 'Row title'; CompanyName = 'Row company' }, @{ UserId = 'me'; Id = 'row-2'; CompanyName = 'Only a company' }, [pscustomobject]@{ UserId = 'me'; Id = 'row-3' }"

        $console = Invoke-Console "$rows | Remove-ProfilePosition -WhatIf", "Get-Content '$backup' -Raw | ConvertFrom-Json | Remove-ProfilePosition -WhatIf"

        $lines = Get-WhatIfLine $console
        $lines | Should -Contain "What if: Remove work position 'row-1' (job title 'Row title', company 'Row company') of '$($script:signedIn.userPrincipalName)': DELETE $($script:sandbox.BaseUri)/beta/me/profile/positions/row-1"
        @($lines | Where-Object { $_ -like "What if: Remove work position 'row-2' (company 'Only a company') of *" }).Count | Should -Be 1
        @($lines | Where-Object { $_ -like "What if: Remove work position 'row-3' of *" }).Count | Should -Be 1
        @($lines | Where-Object { $_ -like "What if: Remove work position '$($kept.id)' (job title 'Backed up', company 'Northwind') of '$($script:owner.id)': DELETE *" }).Count | Should -Be 1
        Get-Writes | Should -BeNullOrEmpty
    }

    It '-Confirm names the job title and company; answering N deletes nothing' {
        $target = New-OwnedPosition 'Head of Sales' 'Contoso'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $console = Invoke-Console "Get-ProfilePosition -UserId '$($script:owner.id)' | Remove-ProfilePosition -Confirm", 'N'

        # The prompt wraps at the console's width, between words.
        $console | Should -Match ("Remove\s+work\s+position\s+'$($target.id)'\s+\(job\s+title\s+'Head\s+of\s+Sales',\s+company\s+'Contoso'\)\s+of\s+'$($script:owner.id)'\?")
        Get-Writes | Should -BeNullOrEmpty
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id).id | Should -Contain $target.id
    }

    It 'names the job title in the error of a position that is gone' {
        $target = New-OwnedPosition 'Gone soon' 'Contoso'
        $position = Get-ProfilePosition -UserId $script:owner.id -WorkPositionId $target.id
        $null = Remove-ProfilePosition -UserId $script:owner.id -WorkPositionId $target.id

        $position | Remove-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue

        "$($failures[0])" | Should -BeLike "Row 1 (user '$($script:owner.id)', position '$($target.id)', job title 'Gone soon'): *"
    }
}
