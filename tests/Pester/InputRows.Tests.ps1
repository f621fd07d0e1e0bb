#Requires -Version 7.0
<#
    Every input row means exactly what it says: CSV and JSON files piped into New- and Update-ProfilePosition,
    checked in the sandbox's journal and state. One Describe per defect of the input issue (numbered as there),
    then the 40-row "dirty" CSV table for New and Update: each bad row gets exactly one error naming its row
    number, every good row is written exactly once, and nothing goes to /me.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox -ExtraArgs '--loose'
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:users = @(Get-SandboxUsers -Sandbox $script:sandbox | Where-Object { $_.userPrincipalName -match '^[a-z.]+@contoso\.com$' -and $_.id -ne $script:signedIn.id })
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function Get-Writes {
        # The writes the sandbox received since the journal was cleared.
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -In 'POST', 'PATCH', 'DELETE')
    }

    function Invoke-Quietly([scriptblock] $Script) {
        # Runs the pipeline and returns output, errors and warnings apart (errors do not stop it).
        $warnings = $null
        $output = & { $ErrorActionPreference = 'Continue'; & $Script } 2>&1 3>&1
        [pscustomobject]@{
            Output   = @($output | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] -and $_ -isnot [Management.Automation.WarningRecord] })
            Errors   = @($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
            Warnings = @($output | Where-Object { $_ -is [Management.Automation.WarningRecord] } | ForEach-Object Message)
        }
    }

    function Get-WritableJson($Position) {
        # A position as a canonical JSON text of what can be written: read-only members, nulls and helpers left out.
        $json = $Position | ConvertTo-Json -Depth 20 | ConvertFrom-Json -AsHashtable
        function Remove-ReadOnly($Value) {
            if ($Value -is [Collections.IDictionary]) {
                $kept = [ordered]@{}
                foreach ($key in @($Value.Keys)) {
                    if ($key -in 'id', 'createdBy', 'createdDateTime', 'lastModifiedBy', 'lastModifiedDateTime', 'UserId' -or $key -like '@odata.*') { continue }
                    # The output's read-only views (JobTitle... beside Detail) repeat nested members; they are never written.
                    if ($Value.Contains('Detail') -and $key -in 'JobTitle', 'CompanyName', 'Department', 'StartMonthYear', 'EndMonthYear') { continue }
                    if ($key -eq 'AdditionalProperties') {
                        foreach ($extra in @(if ($Value[$key]) { $Value[$key].Keys })) { $kept[$extra] = Remove-ReadOnly $Value[$key][$extra] }
                        continue
                    }
                    $clean = Remove-ReadOnly $Value[$key]
                    if ($null -ne $clean) { $kept[$key.Substring(0, 1).ToLowerInvariant() + $key.Substring(1)] = $clean }
                }
                if ($kept.Count -eq 0) { return $null }
                return $kept
            }
            if ($Value -is [Collections.IList]) { return , @($Value | ForEach-Object { Remove-ReadOnly $_ }) }
            $Value
        }
        ConvertTo-CanonicalJson (Remove-ReadOnly $json)
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe '1. A CSV update sends every bound column' {
    It 'sends IsCurrent, AllowedAudiences and Categories together with the flat columns' {
        $owner = $script:users[0]
        $seeded = New-SeedPosition -Sandbox $script:sandbox -OwnerId $owner.id -Body @{ detail = @{ jobTitle = 'Before' }; isCurrent = $true }
        $path = Join-Path $TestDrive 'update.csv'
        "UserId,Id,IsCurrent,AllowedAudiences,Categories,JobTitle`n$($owner.userPrincipalName),$($seeded.id),False,organization,`"[`"`"hr`"`"]`",Z" | Set-Content $path
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { Import-Csv $path | Update-ProfilePosition }

        $result.Errors | Should -BeNullOrEmpty
        $writes = Get-Writes
        $writes.Count | Should -Be 1
        ConvertTo-CanonicalJson (Get-RequestJson $writes[0]) | Should -BeExactly (ConvertTo-CanonicalJson @{ isCurrent = $false; allowedAudiences = 'organization'; categories = @('hr'); detail = @{ jobTitle = 'Z' } })
        $stored = Get-StoredPosition -Sandbox $script:sandbox -OwnerId $owner.id | Where-Object id -EQ $seeded.id
        $stored.isCurrent | Should -BeFalse
        $stored.detail.jobTitle | Should -Be 'Z'
    }
}

Describe '2. Columns that bind to nothing are named, and HR exports bind through aliases' {
    It 'binds UserPrincipalName, Title, Company, StartDate and Current' {
        $owner = $script:users[1]
        $path = Join-Path $TestDrive 'hr.csv'
        "UserPrincipalName,Title,Company,StartDate,Current`n$($owner.userPrincipalName),Analyst,Fabrikam,2020-02,Yes" | Set-Content $path
        "UPN,Title,Company,EndDate`n$($owner.userPrincipalName),Intern,Fabrikam,2019-06" | Set-Content (Join-Path $TestDrive 'hr2.csv')
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { Import-Csv $path, (Join-Path $TestDrive 'hr2.csv') | New-ProfilePosition }

        $result.Errors | Should -BeNullOrEmpty
        $result.Warnings | Should -BeNullOrEmpty
        $writes = Get-Writes
        ConvertTo-CanonicalJson (Get-RequestJson $writes[0]) | Should -BeExactly (ConvertTo-CanonicalJson @{ isCurrent = $true; detail = @{ jobTitle = 'Analyst'; startMonthYear = '2020-02-01'; company = @{ displayName = 'Fabrikam' } } })
        ConvertTo-CanonicalJson (Get-RequestJson $writes[1]) | Should -BeExactly (ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Intern'; endMonthYear = '2019-06-01'; company = @{ displayName = 'Fabrikam' } } })
        foreach ($write in $writes) { Test-UserPath -Path $write.path -User $owner.userPrincipalName | Should -BeTrue }
    }

    It 'warns once per pipeline for each column that binds to nothing, and fails rows that then give no detail' {
        $owner = $script:users[1]
        $rows = @(
            [pscustomobject]@{ UserId = $owner.userPrincipalName; Position = 'Engineer'; Firm = 'Contoso'; IsCurrent = 'True' }
            [pscustomobject]@{ UserId = $owner.userPrincipalName; Position = 'Manager'; Firm = 'Contoso'; IsCurrent = 'False' }
            [pscustomobject]@{ UserId = $owner.userPrincipalName; Position = 'Lead'; Firm = 'Contoso'; JobTitle = 'Lead' }
        )
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { $rows | New-ProfilePosition }

        @($result.Warnings | Where-Object { $_ -match "'Position'" }).Count | Should -Be 1
        $result.Warnings[0] | Should -BeLike "Row 1: the columns 'Position', 'Firm' match no parameter of New-ProfilePosition*"
        $result.Errors.Count | Should -Be 2
        $result.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'RowColumnsNotBound,*' }
        "$($result.Errors[0])" | Should -BeLike "Row 1 (user '$($owner.userPrincipalName)'): *'Position', 'Firm'*"
        "$($result.Errors[1])" | Should -BeLike 'Row 2 (*'
        (Get-Writes).Count | Should -Be 1
        (Get-RequestJson (Get-Writes)[0]).detail.jobTitle | Should -Be 'Lead'
    }
}

Describe '3. A piped row never falls back to /me' {
    It 'refuses every row of a semicolon file read without -Delimiter, sending nothing, and reads it with -Delimiter' {
        $owner = $script:users[2]
        $path = Join-Path $TestDrive 'semicolon.csv'
        "UserId;JobTitle;CompanyName`n$($owner.userPrincipalName);Semi one;Contoso`n$($owner.userPrincipalName);Semi two;Contoso" | Set-Content $path
        Clear-SandboxJournal -Sandbox $script:sandbox

        $wrong = Invoke-Quietly { Import-Csv $path | New-ProfilePosition }

        $wrong.Errors.Count | Should -Be 2
        $wrong.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'UserIdMissing,*' }
        @($wrong.Warnings | Where-Object { $_ -match 'UserId;JobTitle;CompanyName' }).Count | Should -Be 1
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty

        $right = Invoke-Quietly { Import-Csv $path -Delimiter ';' | New-ProfilePosition }

        $right.Errors | Should -BeNullOrEmpty
        $right.Output.Count | Should -Be 2
        Get-Writes | ForEach-Object { Test-UserPath -Path $_.path -User $owner.userPrincipalName | Should -BeTrue }
    }

    It 'writes a piped row to the signed-in user only when the command line says so' {
        Clear-SandboxJournal -Sandbox $script:sandbox

        $refused = Invoke-Quietly { [pscustomobject]@{ JobTitle = 'Mine?' } | New-ProfilePosition }
        $mine = Invoke-Quietly { [pscustomobject]@{ JobTitle = 'Mine' } | New-ProfilePosition -UserId me }

        $refused.Errors.Count | Should -Be 1
        "$($refused.Errors[0])" | Should -BeLike "Row 1 (no UserId, job title 'Mine?'): This row has no UserId column*"
        $mine.Errors | Should -BeNullOrEmpty
        $writes = Get-Writes
        $writes.Count | Should -Be 1
        $writes[0].path | Should -Be '/beta/me/profile/positions'
    }
}

Describe '4. A JSON backup restores every position exactly' {
    It 'Get -All | ConvertTo-Json | file | ConvertFrom-Json | New -UserId reproduces each position in another user' {
        # A fresh tenant, so each user holds exactly what this test gives it. A reset sandbox hands out its
        # (seeded) ids again, which real Graph never does, so the connection that claimed them is replaced too.
        Reset-Sandbox -Sandbox $script:sandbox
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
        $source = $script:users[0]
        $copyTo = $script:users[1]
        $bodies = @(
            @{ detail = @{ jobTitle = 'Backup one'; role = 'Author'; startMonthYear = '2018-03-01'; endMonthYear = '2019-02-01'; company = @{ displayName = 'Contoso'; department = 'R&D'; address = @{ city = 'Oslo'; type = 'business' } } }; isCurrent = $false; categories = @('a', 'b') }
            @{ detail = @{ jobTitle = 'Backup two'; description = 'Long ' * 50 }; allowedAudiences = 'organization'; manager = @{ displayName = 'Boss'; relationship = 'manager' }; colleagues = @(@{ displayName = 'Pat'; relationship = 'colleague' }) }
            @{ detail = @{ jobTitle = 'Backup three'; company = @{ displayName = 'Fabrikam' } }; isCurrent = $true; customMember = 'kept as given' }
        )
        foreach ($body in $bodies) { $null = New-SeedPosition -Sandbox $script:sandbox -OwnerId $source.id -Body $body }
        $backup = Join-Path $TestDrive 'backup.json'
        Get-ProfilePosition -UserId $source.id -All | ConvertTo-Json -Depth 10 | Set-Content $backup
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { Get-Content $backup -Raw | ConvertFrom-Json | New-ProfilePosition -UserId $copyTo.id }

        $result.Errors | Should -BeNullOrEmpty
        $result.Output.Count | Should -Be 3
        (Get-Writes).Count | Should -Be 3
        $originals = @(Get-ProfilePosition -UserId $source.id -All | ForEach-Object { Get-WritableJson $_ } | Sort-Object)
        $copies = @(Get-ProfilePosition -UserId $copyTo.id -All | ForEach-Object { Get-WritableJson $_ } | Sort-Object)
        $copies | Should -BeExactly $originals
        foreach ($write in Get-Writes) {
            $sent = Get-RequestJson $write
            @($sent.Keys | Where-Object { $_ -in 'AdditionalProperties', 'UserId', 'id', 'createdBy', 'createdDateTime', 'lastModifiedBy', 'lastModifiedDateTime' }) | Should -BeNullOrEmpty
            ($write.body) | Should -Not -Match 'AdditionalProperties'
        }
    }
}

Describe '5. A create with @odata.type whose outcome is unknown is not made twice' {
    BeforeDiscovery {
        $Shapes = @(
            @{ Shape = 'a hashtable with @odata.type'; Run = { New-ProfilePosition -UserId $owner -BodyParameter @{ '@odata.type' = '#microsoft.graph.workPosition'; detail = @{ jobTitle = $title } } } }
            @{ Shape = 'a piped PSCustomObject with @odata.type'; Run = { [pscustomobject]@{ '@odata.type' = '#microsoft.graph.workPosition'; detail = @{ jobTitle = $title } } | New-ProfilePosition -UserId $owner } }
            @{ Shape = 'JSON text with @odata.type'; Run = { New-ProfilePosition -UserId $owner -BodyParameter ('{"@odata.type":"#microsoft.graph.workPosition","detail":{"jobTitle":"' + $title + '"}}') } }
            @{ Shape = 'a body with an unknown member'; Run = { New-ProfilePosition -UserId $owner -BodyParameter @{ detail = @{ jobTitle = $title }; notInTheSchema = 'x' } -WarningAction SilentlyContinue } }
            @{ Shape = '-AdditionalProperties with @odata.type'; Run = { New-ProfilePosition -UserId $owner -JobTitle $title -AdditionalProperties @{ '@odata.type' = '#microsoft.graph.workPosition' } } }
        )
        $Faults = @(
            @{ Fault = '503 after commit'; Rule = @{ method = 'POST'; path = '/profile/positions$'; nth = 1; status = 503; retryAfter = '0'; commit = 'after' } }
            @{ Fault = 'reset after commit'; Rule = @{ method = 'POST'; path = '/profile/positions$'; nth = 1; transport = 'reset'; commit = 'after' } }
        )
        $Cases = foreach ($shape in $Shapes) { foreach ($fault in $Faults) { $shape + $fault } }
    }

    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }
    AfterEach { Clear-SandboxFault -Sandbox $script:sandbox }

    It '<Shape>, <Fault>: one output object, one stored position' -ForEach $Cases {
        $owner = $script:users[2].id
        $title = "Odata $Shape $Fault"
        $null = Add-SandboxFault -Sandbox $script:sandbox -Rule $Rule

        $result = Invoke-Quietly $Run

        $result.Errors | Should -BeNullOrEmpty
        $result.Output.Count | Should -Be 1
        $journal = (Get-GraphRequest -Sandbox $script:sandbox | ForEach-Object { "$($_.method) $($_.status) $($_.fault)" }) -join '; '
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $owner | Where-Object { $_.detail.jobTitle -eq $title }).Count | Should -Be 1 -Because $journal
    }
}

Describe '6. Values that are refused or understood' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'refuses AllowedAudiences given as a number' {
        $result = Invoke-Quietly { [pscustomobject]@{ UserId = $script:users[0].id; JobTitle = 'Numbered'; AllowedAudiences = '8' } | New-ProfilePosition }

        $result.Errors.Count | Should -Be 1
        "$($result.Errors[0])" | Should -BeLike "Row 1 (*): 'AllowedAudiences' must be one of *Numbers are not accepted*"
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'reads ISO, month-name and [datetime] dates always, numeric day/month dates only with -DateCulture' {
        $user = $script:users[0].id
        $rows = @(
            [pscustomobject]@{ UserId = $user; JobTitle = 'Iso'; StartMonthYear = '2019-04' }
            [pscustomobject]@{ UserId = $user; JobTitle = 'Stamp'; StartMonthYear = '2019-04-01T00:00:00' }
            [pscustomobject]@{ UserId = $user; JobTitle = 'Named'; StartMonthYear = 'April 2019' }
            [pscustomobject]@{ UserId = $user; JobTitle = 'DateTime'; StartMonthYear = [datetime]'2019-04-17' }
            [pscustomobject]@{ UserId = $user; JobTitle = 'Ambiguous'; StartMonthYear = '4/1/2019' }
        )

        $plain = Invoke-Quietly { $rows | New-ProfilePosition }
        $us = Invoke-Quietly { $rows[4] | New-ProfilePosition -DateCulture en-US }
        $gb = Invoke-Quietly { $rows[4] | New-ProfilePosition -DateCulture en-GB }

        $plain.Errors.Count | Should -Be 1
        "$($plain.Errors[0])" | Should -BeLike "Row 5 (*job title 'Ambiguous'): 'StartMonthYear' is a numeric day/month date*-DateCulture*"
        @((Get-Writes) | ForEach-Object { (Get-RequestJson $_).detail.startMonthYear }) | Should -Be @('2019-04-01', '2019-04-01', '2019-04-01', '2019-04-17', '2019-04-01', '2019-01-04')
        $us.Errors + $gb.Errors | Should -BeNullOrEmpty
    }

    It 'refuses an end before the start in the same row' {
        $result = Invoke-Quietly { [pscustomobject]@{ UserId = $script:users[0].id; JobTitle = 'Backwards'; StartDate = '2020-05'; EndDate = '2019-01' } | New-ProfilePosition }

        "$($result.Errors[0])" | Should -BeLike "Row 1 (*): EndMonthYear (2019-01-01) is before StartMonthYear (2020-05-01)*"
        Get-Writes | Should -BeNullOrEmpty
    }

    It 'reads True/False, Yes/No and 1/0 in any case, and refuses anything else naming the row' {
        $user = $script:users[0].id
        $rows = 'True', 'no', 'YES', '0', '1', 'maybe' | ForEach-Object { [pscustomobject]@{ UserId = $user; JobTitle = "Bool $_"; IsCurrent = $_ } }

        $result = Invoke-Quietly { $rows | New-ProfilePosition }

        $result.Errors.Count | Should -Be 1
        "$($result.Errors[0])" | Should -BeLike "Row 6 (*job title 'Bool maybe'): 'IsCurrent' must be `$true or `$false*"
        @((Get-Writes) | ForEach-Object { (Get-RequestJson $_).isCurrent }) | Should -Be @($true, $false, $true, $false, $true)
    }

    It 'refuses a UserId or WorkPositionId with a line break, a tab or spaces around it, never trimming it to /me' {
        $seeded = New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:signedIn.id -Body @{ detail = @{ jobTitle = 'Mine' } }
        Clear-SandboxJournal -Sandbox $script:sandbox

        $new = Invoke-Quietly { "`r`nme", "me ", "`tme", " $($script:users[0].userPrincipalName)" | ForEach-Object { [pscustomobject]@{ UserId = $_; JobTitle = 'Damaged' } } | New-ProfilePosition }
        $update = Invoke-Quietly { [pscustomobject]@{ UserId = 'me'; Id = " $($seeded.id)"; JobTitle = 'x' }, [pscustomobject]@{ UserId = 'me'; Id = "$($seeded.id)`n"; JobTitle = 'x' } | Update-ProfilePosition }

        $new.Errors.Count | Should -Be 4
        $update.Errors.Count | Should -Be 2
        $new.Errors + $update.Errors | ForEach-Object { "$_" | Should -Match 'not trimmed' }
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }

    It 'sends a 10 KB text as given' {
        $text = 'x' * 10240

        $created = [pscustomobject]@{ UserId = $script:users[0].id; JobTitle = 'Long'; Description = $text } | New-ProfilePosition

        $created.Detail.Description.Length | Should -Be 10240
        (Get-RequestJson (Get-Writes)[0]).detail.description | Should -BeExactly $text
    }
}

Describe '7. Every per-item error names its row and targets the piped object' {
    It 'for New, Update and Remove alike' {
        $owner = $script:users[1]
        $seeded = New-SeedPosition -Sandbox $script:sandbox -OwnerId $owner.id -Body @{ detail = @{ jobTitle = 'Target' } }
        $newRows = [pscustomobject]@{ UserId = $owner.userPrincipalName; JobTitle = 'Fine' }, [pscustomobject]@{ UserId = 'nobody@contoso.com'; JobTitle = 'Missing user' }
        $updateRows = [pscustomobject]@{ UserId = $owner.userPrincipalName; Id = 'no-such-position'; JobTitle = 'Nope' }
        $blank = [pscustomobject]@{ UserId = ''; JobTitle = 'Blank' }

        $new = Invoke-Quietly { $newRows | New-ProfilePosition }
        $update = Invoke-Quietly { $updateRows | Update-ProfilePosition }
        $remove = Invoke-Quietly { Get-ProfilePosition -UserId $owner.userPrincipalName -WorkPositionId $seeded.id | ForEach-Object { $_; $_ } | Remove-ProfilePosition -Confirm:$false }
        $blanks = Invoke-Quietly { $blank | New-ProfilePosition }

        $new.Errors[0].TargetObject | Should -Be $newRows[1]
        "$($new.Errors[0])" | Should -BeLike "Row 2 (user 'nobody@contoso.com', job title 'Missing user'): *404*"
        $new.Errors[0].CategoryInfo.TargetType | Should -Be 'PSCustomObject'
        $update.Errors[0].TargetObject | Should -Be $updateRows
        "$($update.Errors[0])" | Should -BeLike "Row 1 (user '$($owner.userPrincipalName)', position 'no-such-position', job title 'Nope'): *"
        $remove.Errors.Count | Should -Be 1
        $remove.Errors[0].TargetObject | Should -BeOfType ([ProfilePositions.WorkPosition])
        "$($remove.Errors[0])" | Should -BeLike "Row 2 (user '$($owner.userPrincipalName)', position '$($seeded.id)', job title 'Target'): *"
        "$($blanks.Errors[0])" | Should -BeLike "Row 1 (no UserId, job title 'Blank'): UserId is empty*"
        "$($blanks.Errors[0])" | Should -Not -Match "user 'me'"
    }
}

Describe 'The 40-row dirty CSV' {
    BeforeAll {
        $u = $script:users
        $upn = { param($i) $u[$i % $u.Count].userPrincipalName }
        $long = 'L' * 10240
        # Title, Company, StartDate, EndDate, Current, AllowedAudiences, Notes, Description; Expect: written or an error id.
        $script:dirty = @(
            @{ Row = @{ UserId = & $upn 0; Title = 'Iso month'; StartDate = '2019-04' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 1; Title = 'Iso day'; StartDate = '2019-04-15' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 2; Title = 'Iso stamp'; StartDate = '2019-04-01T00:00:00' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 3; Title = 'Month name'; StartDate = 'April 2019' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 4; Title = 'Short month'; StartDate = 'Apr 2019' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 5; Title = 'Day month name'; StartDate = '1 April 2019' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 6; Title = 'US or EU'; StartDate = '4/1/2019' }; Expect = 'ambiguous' }
            @{ Row = @{ UserId = & $upn 7; Title = 'EU dots'; StartDate = '01.04.2019' }; Expect = 'ambiguous' }
            @{ Row = @{ UserId = & $upn 8; Title = 'Bad month'; StartDate = '2019-13' }; Expect = 'InvalidPositionInput' }
            @{ Row = @{ UserId = & $upn 9; Title = 'Not a date'; StartDate = 'yesterday' }; Expect = 'InvalidPositionInput' }
            @{ Row = @{ UserId = & $upn 10; Title = 'Backwards'; StartDate = '2021-01'; EndDate = '2020-01' }; Expect = 'InvalidPositionInput' }
            @{ Row = @{ UserId = & $upn 11; Title = 'Yes'; Current = 'Yes' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 12; Title = 'No'; Current = 'no' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 13; Title = 'One'; Current = '1' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 14; Title = 'Zero'; Current = '0' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 15; Title = 'Upper'; Current = 'TRUE' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 16; Title = 'Maybe'; Current = 'maybe' }; Expect = 'InvalidPositionInput' }
            @{ Row = @{ UserId = & $upn 17; Title = 'Audience'; AllowedAudiences = 'organization' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 18; Title = 'Audience number'; AllowedAudiences = '8' }; Expect = 'InvalidPositionInput' }
            @{ Row = @{ UserId = & $upn 19; Title = 'Audiences'; AllowedAudiences = 'Organization, Contacts' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 20; Title = 'Audience name'; AllowedAudiences = 'world' }; Expect = 'InvalidPositionInput' }
            @{ Row = @{}; Expect = 'UserIdMissing' }
            @{ Row = @{ Title = 'No user'; Company = 'Contoso' }; Expect = 'UserIdMissing' }
            @{ Row = @{ UserId = (& $upn 21) + ' '; Title = 'Trailing space' }; Expect = 'InvalidPositionInput' }
            @{ Row = @{ UserId = & $upn 22; Title = 'Long text'; Description = $long }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 23; Title = 'Has notes'; Notes = 'ignored column' }; Expect = 'written' }
            @{ Row = @{ UserId = 'nobody@contoso.com'; Title = 'Unknown user' }; Expect = 'NotFound' }
            @{ Row = @{ UserId = & $upn 24; Company = 'Only company' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 25; Title = 'Iso slash'; StartDate = '2019/04/15' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 26; Title = 'Month year'; StartDate = '04/2019' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 27; Title = 'Ended'; StartDate = '2015-01'; EndDate = '2016-06'; Current = 'False' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 28; Title = 'Unicode é ö 中'; Company = "O'Neil & Sons" }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 29; Notes = 'only notes' }; Expect = 'RowColumnsNotBound' }
            @{ Row = @{ UserId = & $upn 30; Title = 'Plain one' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 31; Title = 'Plain two'; Company = 'Fabrikam' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 32; Title = 'Plain three'; Current = 'True' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 33; Title = 'Named day'; StartDate = 'March 5, 2018' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 34; Title = 'Two digit year'; StartDate = '1/2/19' }; Expect = 'ambiguous' }
            @{ Row = @{ UserId = & $upn 35; Title = 'Same month'; StartDate = '2019-04'; EndDate = '2019-04' }; Expect = 'written' }
            @{ Row = @{ UserId = & $upn 36; Title = 'Last plain' }; Expect = 'written' }
        )
        $script:dirty.Count | Should -Be 40
        $columns = 'UserId', 'Title', 'Company', 'StartDate', 'EndDate', 'Current', 'AllowedAudiences', 'Notes', 'Description'
        $script:rows = foreach ($case in $script:dirty) {
            $row = [ordered]@{}
            foreach ($column in $columns) { $row[$column] = if ($case.Row.ContainsKey($column)) { $case.Row[$column] } else { '' } }
            [pscustomobject]$row
        }
        # A comma file with a UTF-8 BOM (Excel's "CSV UTF-8"), and the same rows with semicolons.
        $script:commaFile = Join-Path $TestDrive 'dirty.csv'
        $script:semicolonFile = Join-Path $TestDrive 'dirty-semicolon.csv'
        $script:rows | Export-Csv -Path $script:commaFile -Encoding utf8BOM -NoTypeInformation
        $script:rows | Export-Csv -Path $script:semicolonFile -Delimiter ';' -Encoding utf8BOM -NoTypeInformation
        [IO.File]::ReadAllBytes($script:commaFile)[0..2] | Should -Be @(0xEF, 0xBB, 0xBF)

        function Assert-DirtyOutcome($Result, [string[]] $Expect) {
            # Each row that must fail has exactly one error naming its row; each good row is written once; nothing to /me.
            for ($i = 0; $i -lt $Expect.Count; $i++) {
                $number = $i + 1
                $mine = @($Result.Errors | Where-Object { "$_" -like "Row $number (*" })
                if ($Expect[$i] -eq 'written') {
                    $mine | Should -BeNullOrEmpty -Because "row $number is good"
                }
                else {
                    $mine.Count | Should -Be 1 -Because "row $number must fail once ($($Expect[$i]))"
                    switch ($Expect[$i]) {
                        'ambiguous' { "$($mine[0])" | Should -Match '-DateCulture' }
                        'NotFound' { $mine[0].CategoryInfo.Category | Should -Be 'ObjectNotFound' }
                        default { $mine[0].FullyQualifiedErrorId | Should -BeLike "$($Expect[$i]),*" }
                    }
                }
            }
            $Result.Errors.Count | Should -Be @($Expect | Where-Object { $_ -ne 'written' }).Count
            @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object path -Like '/beta/me/*') | Should -BeNullOrEmpty
        }
    }

    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'New: each bad row fails once with its number, each good row is created once' {
        $expect = @($script:dirty.Expect)

        $result = Invoke-Quietly { Import-Csv $script:commaFile | New-ProfilePosition }

        Assert-DirtyOutcome $result $expect
        $written = @($expect | Where-Object { $_ -eq 'written' }).Count
        $result.Output.Count | Should -Be $written
        $posts = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')
        # The unknown user's POST reaches the sandbox and is refused there (404); every other POST creates.
        @($posts | Where-Object status -EQ 201).Count | Should -Be $written
        @($posts | Where-Object status -NE 201).Count | Should -Be 1
        @($result.Warnings | Where-Object { $_ -match "'Notes'" }).Count | Should -Be 1
        (Get-RequestJson ($posts | Where-Object { (Get-RequestJson $_).detail.jobTitle -eq 'Long text' })).detail.description.Length | Should -Be 10240
        $script:newSummary = @{ Written = $written; Refused = $result.Errors.Count; Warned = $result.Warnings.Count }
        Write-Host "40-row table, New: $written written, $($result.Errors.Count) refused, $($result.Warnings.Count) warning(s)"
    }

    It 'New with -DateCulture en-US: the ambiguous rows are read as US dates' {
        $ambiguous = @(for ($i = 0; $i -lt 40; $i++) { if ($script:dirty[$i].Expect -eq 'ambiguous') { $script:rows[$i] } })

        $result = Invoke-Quietly { $ambiguous | New-ProfilePosition -DateCulture en-US }

        $result.Errors | Should -BeNullOrEmpty
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST' | ForEach-Object { (Get-RequestJson $_).detail.startMonthYear }) | Should -Be @('2019-04-01', '2019-01-04', '2019-01-02')
    }

    It 'New from the semicolon file: without -Delimiter every row fails once and nothing is sent; with it, the same outcome as the comma file' {
        $wrong = Invoke-Quietly { Import-Csv $script:semicolonFile | New-ProfilePosition }

        $wrong.Errors.Count | Should -Be 40
        $wrong.Errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'UserIdMissing,*' }
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
        @($wrong.Warnings).Count | Should -Be 1

        $right = Invoke-Quietly { Import-Csv $script:semicolonFile -Delimiter ';' | New-ProfilePosition }

        Assert-DirtyOutcome $right @($script:dirty.Expect)
    }

    It 'Update: each bad row fails once with its number, each good row is patched once' {
        # The same 40 rows as updates: every row that names a user gets a position to change, and an Id column.
        $withIds = for ($i = 0; $i -lt 40; $i++) {
            $row = $script:rows[$i].PSObject.Copy()
            $owner = $script:users | Where-Object userPrincipalName -EQ $row.UserId | Select-Object -First 1
            $id = if ($owner) { (New-SeedPosition -Sandbox $script:sandbox -OwnerId $owner.id -Body @{ detail = @{ jobTitle = 'To update' } }).id } else { 'no-such-position' }
            $row | Add-Member -NotePropertyName Id -NotePropertyValue $id -PassThru
        }
        Clear-SandboxJournal -Sandbox $script:sandbox
        # Updates fail where creates fail; an update with nothing but notes has nothing to send.
        $expect = @($script:dirty.Expect | ForEach-Object { if ($_ -eq 'RowColumnsNotBound') { 'PositionBodyEmpty' } else { $_ } })

        $result = Invoke-Quietly { $withIds | Update-ProfilePosition }

        Assert-DirtyOutcome $result $expect
        $patches = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'PATCH')
        @($patches | Where-Object status -EQ 200).Count | Should -Be @($expect | Where-Object { $_ -eq 'written' }).Count
        @($patches.path | Sort-Object -Unique).Count | Should -Be $patches.Count -Because 'no position is patched twice'
        Write-Host "40-row table, Update: $(@($patches | Where-Object status -EQ 200).Count) patched, $($result.Errors.Count) refused, $($result.Warnings.Count) warning(s)"
    }
}

Describe 'What a new user tripped over' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'says once when -UserId on the command line is used instead of the users that rows name' {
        $rows = $script:users[0..1] | ForEach-Object { [pscustomobject]@{ UserPrincipalName = $_.userPrincipalName; JobTitle = "Override $($_.userPrincipalName)" } }

        $result = Invoke-Quietly { $rows | New-ProfilePosition -UserId me -WhatIf }

        @($result.Warnings | Where-Object { $_ -like '*on the command line is used for every row*' }).Count | Should -Be 1
        $result.Warnings[0] | Should -BeLike "Row 1 names the user '$($script:users[0].userPrincipalName)', but -UserId 'me'*"
    }

    It 'refuses a -DateCulture that is not a culture name, before anything is read' {
        foreach ($name in 'en-UK', 'en_GB', 'xx-YY', 'invariant') {
            { [pscustomobject]@{ UserId = 'me'; JobTitle = 'x'; StartDate = '01/04/2019' } | New-ProfilePosition -DateCulture $name -WhatIf } |
                Should -Throw -ErrorId 'DateCultureUnknown,ProfilePositions.Commands.NewProfilePositionCommand'
        }
        { New-ProfilePosition -JobTitle x -DateCulture en-UK -WhatIf } | Should -Throw -ExpectedMessage '*did you mean en-GB*'
        { New-ProfilePosition -JobTitle x -DateCulture en_GB -WhatIf } | Should -Throw -ExpectedMessage '*did you mean en-GB*'
    }

    It 'names the signed-in account, not me, so an export imported by somebody else goes back to its owner' {
        $mine = New-ProfilePosition -JobTitle 'Owned by Adele'
        $path = Join-Path $TestDrive 'mine.csv'
        Get-ProfilePosition -WorkPositionId $mine.Id | Export-Csv -Path $path -NoTypeInformation
        $other = $script:users[0]
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User $other.userPrincipalName
        try {
            Clear-SandboxJournal -Sandbox $script:sandbox
            $copy = Import-Csv $path | New-ProfilePosition
        }
        finally {
            $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
        }

        $mine.UserId | Should -Be $script:signedIn.userPrincipalName
        $copy.UserId | Should -Be $script:signedIn.userPrincipalName
        $write = (Get-Writes)[0]
        $write.user | Should -Be $script:signedIn.userPrincipalName
        $write.caller | Should -Be $other.userPrincipalName
    }

    It 'drops the read-only members of positions read elsewhere without a warning per row, and says other warnings once' {
        $raw = 1..3 | ForEach-Object { [pscustomobject]@{ id = "x$_"; createdDateTime = '2020-01-01T00:00:00Z'; createdBy = @{ user = @{ id = 'u' } }; detail = @{ jobTitle = "Raw $_"; futureMember = 'y' } } }

        $result = Invoke-Quietly { $raw | New-ProfilePosition -UserId $script:users[0].id }

        $result.Errors | Should -BeNullOrEmpty
        @($result.Warnings | Where-Object { $_ -match 'set by Graph' }) | Should -BeNullOrEmpty
        @($result.Warnings | Where-Object { $_ -match 'futureMember' }).Count | Should -Be 1
        (Get-Writes).Count | Should -Be 3
    }

    It 'sends a [datetime] as its date, and -SkipExisting matches dates by month and year' {
        $user = $script:users[1].id
        $null = New-SeedPosition -Sandbox $script:sandbox -OwnerId $user -Body @{ detail = @{ jobTitle = 'Month match'; startMonthYear = '2019-04-15' } }
        Clear-SandboxJournal -Sandbox $script:sandbox

        $rows = [pscustomobject]@{ UserId = $user; JobTitle = 'Month match'; StartDate = '2019-04' }, [pscustomobject]@{ UserId = $user; JobTitle = 'Month match'; StartDate = [datetime]'2019-04-01' }
        $result = Invoke-Quietly { $rows | New-ProfilePosition -SkipExisting }
        $dated = [pscustomobject]@{ UserId = $user; JobTitle = 'Dated'; StartDate = [datetime]'2018-07-21' } | New-ProfilePosition

        $result.Output.Count | Should -Be 2
        @(Get-Writes | Where-Object { (Get-RequestJson $_).detail.jobTitle -eq 'Month match' }) | Should -BeNullOrEmpty -Because 'both rows are the stored position'
        $dated.Detail.StartMonthYear | Should -Be '2018-07-21'
    }

    It 'takes -AllowedAudiences as a list, and says numbers are refused only for numbers' {
        $created = New-ProfilePosition -UserId $script:users[0].id -JobTitle 'Audiences' -AllowedAudiences organization, contacts
        $typo = Invoke-Quietly { [pscustomobject]@{ UserId = $script:users[0].id; JobTitle = 'x'; AllowedAudiences = 'orgnization' } | New-ProfilePosition }

        (Get-RequestJson (Get-Writes)[0]).allowedAudiences | Should -Be 'organization,contacts'
        $created | Should -Not -BeNullOrEmpty
        "$($typo.Errors[0])" | Should -Match "got 'orgnization'\.$"
        "$($typo.Errors[0])" | Should -Not -Match 'Numbers'
    }

    It 'suggests the parameter a column was meant for, binds headers with stray spaces, and blames only columns that hold something' {
        $user = $script:users[0].userPrincipalName
        $rows = @(
            [pscustomobject]@{ 'UserPrincipalName ' = $user; 'Cost Center' = 'CC-1'; Title = 'Spaced' }
            [pscustomobject]@{ 'UserPrincipalName ' = $user; 'Cost Center' = ''; Title = '' }
        )

        $result = Invoke-Quietly { $rows | New-ProfilePosition }

        $result.Warnings[0] | Should -Match "Did you mean -CostCenter for 'Cost Center'\?"
        $result.Output.Count | Should -Be 1
        $result.Errors.Count | Should -Be 1
        "$($result.Errors[0])" | Should -BeLike "Row 2 (*): Nothing for the position's detail (job title, company, dates...) was found in this row, so nothing was created.*"
    }

    It 'says how to read a file that arrived as one column: with its separator' {
        $path = Join-Path $TestDrive 'tabs.csv'
        "UserId`tJobTitle`n$($script:users[0].userPrincipalName)`tTabbed" | Set-Content $path

        $result = Invoke-Quietly { Import-Csv $path | New-ProfilePosition }

        $result.Warnings[0] | Should -Match "read it with Import-Csv -Delimiter '``t'"
        "$($result.Errors[0])" | Should -Match "Import-Csv -Delimiter '``t'"
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }
}
