#Requires -Version 7.0
<#
    What a scripter gets back from the position cmdlets: the read-only views named like the flat parameters (JobTitle,
    CompanyName, Department, StartMonthYear, EndMonthYear), nested objects shown as objects, dates that compare as dates,
    and the table views at 80, 120 and 160 columns. Positions are written through the sandbox and checked in its journal.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:owner = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'innocenty.popov@*'
    $script:copyOwner = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'megan.bowen@*'
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    # Microsoft's documented example (the README's Demo creates it too), and an earlier position with dates.
    $script:documented = @{
        detail    = @{
            company  = @{
                displayName = 'Adventureworks Ltd.'; department = 'Consulting'; officeLocation = 'AW23/344'
                address = @{ type = 'business'; street = '123 Patriachy Ponds'; city = 'Moscow'; countryOrRegion = 'Russian Federation'; postalCode = 'RU-34621' }
                webUrl = 'https://www.adventureworks.com'
            }
            jobTitle = 'Senior Product Branding Manager II'
            role     = 'consulting'
        }
        isCurrent = $true
    }
    $owner = $script:owner.userPrincipalName
    $script:senior = New-ProfilePosition -UserId $owner -BodyParameter $script:documented
    $script:earlier = New-ProfilePosition -UserId $owner -JobTitle 'Branding Specialist' -CompanyName 'Contoso' -Department 'Marketing' -StartMonthYear '2016-04' -EndMonthYear '2019-12'
    $script:middle = New-ProfilePosition -UserId $owner -JobTitle 'Senior Analyst' -CompanyName 'Blue Yonder' -StartMonthYear '2020-01' -EndMonthYear '2020-06'
    $script:all = @(Get-ProfilePosition -UserId $owner -All)

    function Get-Writes {
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -In 'POST', 'PATCH')
    }

    function Invoke-Quietly([scriptblock] $Script) {
        $output = & { $ErrorActionPreference = 'Continue'; & $Script } 2>&1 3>&1
        [pscustomobject]@{
            Output   = @($output | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] -and $_ -isnot [Management.Automation.WarningRecord] })
            Errors   = @($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] })
            Warnings = @($output | Where-Object { $_ -is [Management.Automation.WarningRecord] } | ForEach-Object Message)
        }
    }

    # The read-only views; none of them is ever a member of a body sent to Graph.
    $script:views = 'JobTitle', 'CompanyName', 'Department', 'StartMonthYear', 'EndMonthYear'
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Read-only views named like the flat parameters' {
    It 'reads JobTitle, CompanyName, Department and the dates from the nested members, and refuses to set them' {
        $script:senior.JobTitle | Should -BeExactly 'Senior Product Branding Manager II'
        $script:senior.CompanyName | Should -BeExactly 'Adventureworks Ltd.'
        $script:senior.Department | Should -BeExactly 'Consulting'
        $script:senior.StartMonthYear | Should -BeNullOrEmpty
        "$($script:earlier.StartMonthYear)" | Should -BeExactly '2016-04-01'
        "$($script:earlier.EndMonthYear)" | Should -BeExactly '2019-12-01'
        { $script:senior.JobTitle = 'Changed' } | Should -Throw '*ReadOnly*'
    }

    It 'filters, sorts and selects on them' {
        @($script:all | Where-Object JobTitle -Like 'Senior*' | ForEach-Object Id | Sort-Object) | Should -Be (@($script:senior.Id, $script:middle.Id) | Sort-Object)
        @($script:all | Sort-Object CompanyName | ForEach-Object CompanyName) | Should -Be 'Adventureworks Ltd.', 'Blue Yonder', 'Contoso'
        @($script:all | Sort-Object StartMonthYear -Descending | ForEach-Object JobTitle) | Should -Be 'Senior Analyst', 'Branding Specialist', 'Senior Product Branding Manager II'
        @($script:all | Select-Object JobTitle | ForEach-Object JobTitle | Sort-Object) | Should -Be 'Branding Specialist', 'Senior Analyst', 'Senior Product Branding Manager II'
    }

    It 'labels every column of the default table with the property it shows' {
        $header = (($script:senior | Out-String -Width 200) -split "`r?`n" | Where-Object { $_.Trim() })[0]
        $labels = -split $header
        $labels | Should -Be 'Id', 'IsCurrent', 'UserId', 'JobTitle', 'CompanyName', 'StartMonthYear', 'EndMonthYear'
        foreach ($label in $labels) { $script:senior.PSObject.Properties[$label] | Should -Not -BeNullOrEmpty -Because "$label is a column" }
    }

    It 'exports them as CSV columns, and Import-Csv | New-ProfilePosition binds them as the flat parameters' {
        $path = Join-Path $TestDrive 'views.csv'
        $script:all | Export-Csv -Path $path -NoTypeInformation
        $rows = @(Import-Csv $path)
        foreach ($view in $script:views) { $rows[0].PSObject.Properties.Name | Should -Contain $view }
        ($rows | Where-Object Id -EQ $script:earlier.Id).StartMonthYear | Should -BeExactly '2016-04-01'
        $rows | ForEach-Object { $_.UserId = $script:copyOwner.userPrincipalName }
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { $rows | New-ProfilePosition }

        $result.Errors | Should -BeNullOrEmpty
        $writes = Get-Writes
        $writes.Count | Should -Be 3
        foreach ($write in $writes) {
            $sent = Get-RequestJson $write
            @($sent.Keys | Where-Object { $_ -in $script:views + 'UserId', 'AdditionalProperties', 'id' }) | Should -BeNullOrEmpty
            $original = $script:all | Where-Object JobTitle -EQ $sent.detail.jobTitle
            $sent.detail.company.displayName | Should -BeExactly $original.CompanyName
            $sent.detail.startMonthYear | Should -Be $original.Detail.StartMonthYear.Text
        }
    }

    It 'fails a row whose JobTitle disagrees with its Detail, naming the row, and sends nothing for it' {
        $path = Join-Path $TestDrive 'edited.csv'
        $script:all | Sort-Object JobTitle | Export-Csv -Path $path -NoTypeInformation
        $rows = @(Import-Csv $path)
        $rows | ForEach-Object { $_.UserId = $script:copyOwner.userPrincipalName }
        $rows[1].JobTitle = 'Edited in the sheet'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { $rows | New-ProfilePosition }

        $result.Errors.Count | Should -Be 1
        $result.Errors[0].FullyQualifiedErrorId | Should -BeLike 'InvalidPositionInput,*'
        "$($result.Errors[0])" | Should -BeLike "Row 2 (*): The column JobTitle ('Edited in the sheet') disagrees with detail.jobTitle in the Detail column ('Senior Analyst')*"
        $result.Errors[0].TargetObject.JobTitle | Should -Be 'Edited in the sheet'
        @(Get-Writes | ForEach-Object { (Get-RequestJson $_).detail.jobTitle }) | Should -Be 'Branding Specialist', 'Senior Product Branding Manager II'
    }

    It 'never sends them in a JSON body: -BodyParameter of a position and of its ConvertTo-Json text' {
        Clear-SandboxJournal -Sandbox $script:sandbox
        $null = New-ProfilePosition -UserId $script:copyOwner.id -BodyParameter $script:earlier
        $null = New-ProfilePosition -UserId $script:copyOwner.id -BodyParameter ($script:earlier | ConvertTo-Json -Depth 6) -WarningAction SilentlyContinue

        $writes = Get-Writes
        $writes.Count | Should -Be 2
        foreach ($write in $writes) {
            $sent = Get-RequestJson $write
            @($sent.Keys | Where-Object { $_ -in $script:views }) | Should -BeNullOrEmpty
            $sent.detail.jobTitle | Should -BeExactly 'Branding Specialist'
            $sent.detail.startMonthYear | Should -BeExactly '2016-04-01'
        }
    }

    It 'fails a JSON body whose view was edited instead of the member it shows' {
        $json = $script:earlier | ConvertTo-Json -Depth 6 | ConvertFrom-Json -AsHashtable
        $json.CompanyName = 'Edited view'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { New-ProfilePosition -UserId $script:copyOwner.id -BodyParameter ($json | ConvertTo-Json -Depth 6) }

        $result.Errors.Count | Should -Be 1
        "$($result.Errors[0])" | Should -BeLike "*'CompanyName' ('Edited view') disagrees with 'detail.company.displayName' ('Contoso')*"
        Get-Writes | Should -BeNullOrEmpty
    }
}

Describe 'Nested objects' {
    It 'shows $position.Detail as an object: one line per member with a value, nested objects indented' {
        $text = $script:senior.Detail | Out-String -Width 120
        $lines = @($text -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -BeExactly 'JobTitle : Senior Product Branding Manager II'
        $lines[1] | Should -BeExactly 'Role     : consulting'
        $lines[2] | Should -BeExactly 'Company  :'
        $lines[3] | Should -BeExactly '  DisplayName    : Adventureworks Ltd.'
        $lines | Should -Contain '  Address        :'
        $lines | Should -Contain '    CountryOrRegion : Russian Federation'
        $text | Should -Not -Match '\{"|null|Description|EmployeeId'
    }

    It 'shows $position.Detail.Company the same way' {
        $lines = @(($script:senior.Detail.Company | Out-String -Width 120) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -BeExactly 'DisplayName    : Adventureworks Ltd.'
        $lines | Should -Contain 'Address        :'
        $lines | Should -Contain '  City            : Moscow'
        $lines.Count | Should -Be 10
    }

    It 'lists a position with Format-List as objects, only the members that have a value' {
        $text = $script:senior | Format-List | Out-String -Width 200
        $text | Should -Match 'Detail\s+: JobTitle : Senior Product Branding Manager II'
        $text | Should -Match 'CreatedBy\s+: User :\s+DisplayName : '
        $text -split "`r?`n" | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 -Because "nesting stays narrow: $_" }
        $text | Should -Not -Match '\{"|@odata|(?m)^(Manager|Inference|Source|Sources|Colleagues|Categories)\s'
        $labels = @($text -split "`r?`n" | Where-Object { $_ -match '^\S' } | ForEach-Object { ($_ -split '\s+:')[0] })
        $labels | Should -Be 'UserId', 'Id', 'IsCurrent', 'AllowedAudiences', 'Detail', 'CreatedBy', 'CreatedDateTime', 'LastModifiedBy', 'LastModifiedDateTime' -Because 'only members with a value are listed'
    }

    It 'keeps ToString() compact JSON without nulls, which is what Export-Csv writes and reads back' {
        $expected = '{"company":{"displayName":"Adventureworks Ltd.","department":"Consulting","officeLocation":"AW23/344","address":{"type":"business","street":"123 Patriachy Ponds","city":"Moscow","countryOrRegion":"Russian Federation","postalCode":"RU-34621"},"webUrl":"https://www.adventureworks.com"},"jobTitle":"Senior Product Branding Manager II","role":"consulting"}'
        $script:senior.Detail.ToString() | Should -BeExactly $expected
        [string]$script:senior.Detail | Should -BeExactly $expected
        ($script:senior | ConvertTo-Csv | ConvertFrom-Csv).Detail | Should -BeExactly $expected
        ($script:senior | Format-List * | Out-String -Width 1000) | Should -Not -Match 'null'
    }

    It 'gives nested JSON with ConvertTo-Json -Depth <Depth>, and no helper member as a "{}" string' -ForEach @(
        @{ Depth = 4 }, @{ Depth = 6 }
    ) {
        $json = $script:senior | ConvertTo-Json -Depth $Depth
        $read = $json | ConvertFrom-Json
        $read.Detail.Company.Address.City | Should -BeExactly 'Moscow'
        $read.Detail.Company.Address.AdditionalProperties | Should -BeNullOrEmpty
        $read.Detail.StartMonthYear | Should -BeNullOrEmpty
        $json | Should -Not -Match '"\{\}"'
    }

    It 'never writes a helper as a "{}" string below -Depth either (depth <Depth>)' -ForEach @(
        @{ Depth = 1 }, @{ Depth = 2 }, @{ Depth = 3 }
    ) {
        $json = $script:senior | ConvertTo-Json -Depth $Depth -WarningAction SilentlyContinue
        $json | Should -Not -Match '"\{\}"'
        $json | Should -Not -Match '"AdditionalProperties":\s*"'
    }
}

Describe 'Dates that compare as dates' {
    It 'compares Detail.StartMonthYear with a [datetime] either way round, and sorts by date' {
        $start = $script:earlier.Detail.StartMonthYear
        $start | Should -BeOfType ([ProfilePositions.MonthYear])
        # As text, '2016-04-01' -lt '01/01/2030 00:00:00' would be false.
        $start -lt [datetime]'2030-01-01' | Should -BeTrue
        [datetime]'2030-01-01' -gt $start | Should -BeTrue
        $script:earlier.Detail.EndMonthYear -gt [datetime]'2019-11-30' | Should -BeTrue
        $start -eq '2016-04' | Should -BeTrue -Because 'a month and its first day are the same date'
        $start.Date | Should -Be ([datetime]'2016-04-01')
        @($script:all | Where-Object { $_.EndMonthYear -and $_.EndMonthYear -lt [datetime]'2020-03-01' } | ForEach-Object JobTitle) | Should -Be 'Branding Specialist'
    }

    It 'writes Graph''s own text to CSV and JSON, and New-ProfilePosition takes it back' {
        ($script:earlier | ConvertTo-Csv | ConvertFrom-Csv).StartMonthYear | Should -BeExactly '2016-04-01'
        $json = $script:earlier | ConvertTo-Json -Depth 4 | ConvertFrom-Json -AsHashtable
        $json.Detail.StartMonthYear | Should -BeExactly '2016-04-01'
        $json.StartMonthYear | Should -BeExactly '2016-04-01'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $null = New-ProfilePosition -UserId $script:copyOwner.id -JobTitle 'Dated copy' -StartMonthYear $script:earlier.StartMonthYear -EndMonthYear $script:earlier.Detail.EndMonthYear

        $sent = Get-RequestJson (Get-Writes)[0]
        $sent.detail.startMonthYear | Should -BeExactly '2016-04-01'
        $sent.detail.endMonthYear | Should -BeExactly '2019-12-01'
    }

    It 'reads back a date that ConvertTo-Json wrote as an object (Select-Object * before it)' {
        $backup = $script:earlier | Select-Object * | ConvertTo-Json -Depth 6 | ConvertFrom-Json
        $backup.StartMonthYear.Text | Should -BeExactly '2016-04-01'
        $backup.UserId = $script:copyOwner.id
        Clear-SandboxJournal -Sandbox $script:sandbox

        $result = Invoke-Quietly { $backup | New-ProfilePosition }

        $result.Errors | Should -BeNullOrEmpty
        (Get-RequestJson (Get-Writes)[0]).detail.startMonthYear | Should -BeExactly '2016-04-01'
    }

    It 'shows month and year in the views' {
        $row = @(($script:earlier | Out-String -Width 200) -split "`r?`n" | Where-Object { $_ -match [regex]::Escape($script:earlier.Id) })[0]
        $row | Should -Match '\s2016-04\s+2019-12\s*$'
        ($script:earlier.Detail | Out-String) | Should -Match 'StartMonthYear : 2016-04'
    }

    It 'keeps text that is not a date (the docs'' "datetime-value") as it came, sorted before every date' {
        $detail = [ProfilePositions.PositionDetail]::new()
        $detail.SetMember('startMonthYear', 'datetime-value')
        $value = $detail.StartMonthYear
        $value.Text | Should -BeExactly 'datetime-value'
        $value.Date | Should -BeNullOrEmpty
        "$value" | Should -BeExactly 'datetime-value'
        $value -lt [datetime]'1900-01-01' | Should -BeTrue
        @($script:earlier.Detail.StartMonthYear, $value | Sort-Object | ForEach-Object Text) | Should -Be 'datetime-value', '2016-04-01'
    }

    It 'takes a [datetime] or text when set, and sends Graph''s text' {
        $template = [ProfilePositions.WorkPosition]@{ Detail = [ProfilePositions.PositionDetail]@{ JobTitle = 'Template' } }
        $template.Detail.StartMonthYear = [datetime]'2021-03-15'
        $template.Detail.EndMonthYear = '2022-01-31'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $null = New-ProfilePosition -UserId $script:copyOwner.id -BodyParameter $template

        $sent = Get-RequestJson (Get-Writes)[0]
        $sent.detail.startMonthYear | Should -BeExactly '2021-03-15'
        $sent.detail.endMonthYear | Should -BeExactly '2022-01-31'
    }
}

Describe 'Table views at 80, 120 and 160 columns' {
    BeforeAll {
        function Get-TableLines($Positions, [int] $Width, [string] $View) {
            $text = if ($View) { $Positions | Format-Table -View $View | Out-String -Width $Width } else { $Positions | Out-String -Width $Width }
            @($text -split "`r?`n" | Where-Object { $_.Trim() })
        }
    }

    It 'shows Id, IsCurrent, user and job title at 80 columns, the Id whole' {
        $lines = Get-TableLines $script:all 80
        # The job title gets what is left of 80 columns, its label included.
        $labels = -split $lines[0]
        $labels[0..2] | Should -Be 'Id', 'IsCurrent', 'UserId'
        $labels[3] | Should -BeLike 'Job*'
        $labels.Count | Should -Be 4
        foreach ($position in $script:all) {
            $row = @($lines | Where-Object { $_.StartsWith($position.Id + ' ') })
            $row.Count | Should -Be 1 -Because "the Id $($position.Id) shows whole"
            $row[0] | Should -Match ([regex]::Escape($position.UserId))
        }
        $lines | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
    }

    It 'adds the company at 120 columns' {
        $lines = Get-TableLines $script:all 120
        $labels = -split $lines[0]
        $labels[0..3] | Should -Be 'Id', 'IsCurrent', 'UserId', 'JobTitle'
        $labels[4] | Should -BeLike 'Company*'
        $labels.Count | Should -Be 5
        ($lines -join "`n") | Should -Match ([regex]::Escape('Senior Product Branding Manager II'))
        ($lines | Where-Object { $_.StartsWith($script:earlier.Id) }) | Should -Match 'Contoso'
    }

    It 'shows every column whole at 160 columns, sized to the values rather than fixed' {
        $lines = Get-TableLines $script:all 160
        -split $lines[0] | Should -Be 'Id', 'IsCurrent', 'UserId', 'JobTitle', 'CompanyName', 'StartMonthYear', 'EndMonthYear'
        ($lines -join "`n") | Should -Not -Match '…'
        ($lines | Where-Object { $_.StartsWith($script:senior.Id) }) | Should -Match 'Senior Product Branding Manager II\s+Adventureworks Ltd\.'
    }

    It 'has a view without UserId for one user''s positions' {
        $lines = Get-TableLines $script:all 80 -View ByUser
        -split $lines[0] | Should -Be 'Id', 'IsCurrent', 'JobTitle'
        ($lines -join "`n") | Should -Not -Match ([regex]::Escape($script:owner.userPrincipalName))
        (Get-TableLines $script:all 160 -View ByUser)[0] | Should -Match '^Id\s+IsCurrent\s+JobTitle\s+CompanyName\s+StartMonthYear\s+EndMonthYear$'
    }
}
