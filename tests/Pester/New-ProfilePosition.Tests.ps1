#Requires -Version 7.0
<#
    New-ProfilePosition as a user drives it: Microsoft's documented example, both parameter sets, every
    -UserId form, pipeline input (hashtables, JSON, CSV rows, user objects), the hashtable rules, -WhatIf
    and per-item errors. Each test checks the JSON the sandbox received as well as what the cmdlet wrote.
    The sandbox runs with --loose so that unknown members reach it.
#>

BeforeDiscovery {
    # The forms -UserId can take (resolved to the sandbox's demo users in BeforeAll).
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $FormCases = Get-UserFormCase
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox -ExtraArgs '--loose'
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:UserForms = Get-UserForm -Sandbox $script:sandbox -SignedIn $script:signedIn.userPrincipalName
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function Get-PostedJson {
        # The canonical JSON of every POST the sandbox received since the journal was cleared.
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST' | ForEach-Object { ConvertTo-CanonicalJson (Get-RequestJson $_) })
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe "Microsoft's documented example" {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'New-ProfilePosition -UserId $userId -BodyParameter $params sends exactly the documented JSON' {
        # The PowerShell example of the Create workPosition page, unchanged but for the cmdlet's name.
        $params = @{
            detail    = @{
                company  = @{
                    displayName    = "Adventureworks Ltd."
                    department     = "Consulting"
                    officeLocation = "AW23/344"
                    address        = @{
                        type            = "business"
                        street          = "123 Patriachy Ponds"
                        city            = "Moscow"
                        countryOrRegion = "Russian Federation"
                        postalCode      = "RU-34621"
                    }
                    webUrl         = "https://www.adventureworks.com"
                }
                jobTitle = "Senior Product Branding Manager II"
                role     = "consulting"
            }
            isCurrent = $true
        }
        $userId = 'db789417-4ccb-41d1-a0a9-47b01a09ea49'

        $created = New-ProfilePosition -UserId $userId -BodyParameter $params

        $documented = '{"detail":{"company":{"displayName":"Adventureworks Ltd.","department":"Consulting","officeLocation":"AW23/344","address":{"type":"business","street":"123 Patriachy Ponds","city":"Moscow","countryOrRegion":"Russian Federation","postalCode":"RU-34621"},"webUrl":"https://www.adventureworks.com"},"jobTitle":"Senior Product Branding Manager II","role":"consulting"},"isCurrent":true}'
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 1
        $requests[0].method | Should -Be 'POST'
        [uri]::UnescapeDataString($requests[0].path) | Should -BeExactly "/beta/users/$userId/profile/positions"
        ConvertTo-CanonicalJson (Get-RequestJson $requests[0]) | Should -BeExactly (ConvertTo-CanonicalJson (ConvertFrom-Json $documented -AsHashtable))
        $created | Should -BeOfType ([ProfilePositions.WorkPosition])
        $created.Id | Should -Not -BeNullOrEmpty
        $created.UserId | Should -Be $userId
        $created.IsCurrent | Should -BeTrue
        $created.Detail.Company.Address.City | Should -Be 'Moscow'
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $userId).id | Should -Contain $created.Id
    }
}

Describe 'New-ProfilePosition -UserId forms' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'creates a position for <Form> from the expanded parameters' -ForEach $FormCases {
        $userForm = $script:UserForms[$Form]
        $arguments = @{ JobTitle = "Created for $Form"; CompanyName = 'Contoso'; IsCurrent = $true }
        if ($null -ne $userForm.Value) { $arguments.UserId = $userForm.Value }

        $created = New-ProfilePosition @arguments

        $created.UserId | Should -Be $userForm.OutputUserId
        $created.Detail.JobTitle | Should -Be "Created for $Form"
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 1
        Test-RequestUser -Path $requests[0].path -Form $userForm | Should -BeTrue -Because "the path was $($requests[0].path)"
        ConvertTo-CanonicalJson (Get-RequestJson $requests[0]) |
            Should -BeExactly (ConvertTo-CanonicalJson @{ detail = @{ jobTitle = "Created for $Form"; company = @{ displayName = 'Contoso' } }; isCurrent = $true })
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $userForm.OwnerId).id | Should -Contain $created.Id
    }

    It 'creates a position for <Form> from -BodyParameter' -ForEach $FormCases {
        $userForm = $script:UserForms[$Form]
        $arguments = @{ BodyParameter = @{ detail = @{ jobTitle = "Body for $Form" } } }
        if ($null -ne $userForm.Value) { $arguments.UserId = $userForm.Value }

        $created = New-ProfilePosition @arguments

        $created.UserId | Should -Be $userForm.OutputUserId
        Test-RequestUser -Path (Get-GraphRequest -Sandbox $script:sandbox)[0].path -Form $userForm | Should -BeTrue
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $userForm.OwnerId).id | Should -Contain $created.Id
    }
}

Describe 'New-ProfilePosition expanded parameters (CreateExpanded)' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'places every flat convenience in detail, detail.company and detail.company.address' {
        $arguments = @{
            JobTitle = 'Engineer'; Role = 'engineering'; Description = 'Builds things'; Summary = 'Short'
            StartMonthYear = '2021-03'; EndMonthYear = [datetime]'2023-06-15'
            EmployeeId = 'E-1'; EmployeeType = 'Full time'; Level = 'L3'; Layer = 3
            CompanyName = 'Contoso'; Department = 'R&D'; OfficeLocation = 'B1'; CompanyCode = 'C01'; CostCenter = 'CC9'
            Division = 'Devices'; WebUrl = 'https://contoso.com'
            Street = '1 Main St'; City = 'Redmond'; State = 'WA'; PostalCode = '98052'; PostOfficeBox = 'PO 7'
            CountryOrRegion = 'United States'; AddressType = 'business'
        }

        $null = New-ProfilePosition -UserId $script:signedIn.id @arguments

        $expected = @{
            detail = @{
                jobTitle = 'Engineer'; role = 'engineering'; description = 'Builds things'; summary = 'Short'
                startMonthYear = '2021-03-01'; endMonthYear = '2023-06-15'
                employeeId = 'E-1'; employeeType = 'Full time'; level = 'L3'; layer = 3
                company = @{
                    displayName = 'Contoso'; department = 'R&D'; officeLocation = 'B1'; companyCode = 'C01'; costCenter = 'CC9'
                    division = 'Devices'; webUrl = 'https://contoso.com'
                    address = @{ street = '1 Main St'; city = 'Redmond'; state = 'WA'; postalCode = '98052'; postOfficeBox = 'PO 7'; countryOrRegion = 'United States'; type = 'business' }
                }
            }
        }
        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson $expected)
    }

    It 'sends every Mg property, -IsSearchable:$false as false and -AdditionalProperties as given' {
        $arguments = @{
            AllowedAudiences     = 'organization'
            Categories           = 'alpha', 'beta'
            Colleagues           = @(@{ displayName = 'Megan Bowen'; relationship = 'colleague'; userPrincipalName = 'megan.bowen@contoso.com' })
            Detail               = @{ jobTitle = 'Lead'; role = 'lead' }
            Inference            = @{ confidenceScore = 0.5; userHasVerifiedAccuracy = $true }
            IsSearchable         = $false
            Manager              = [pscustomobject]@{ displayName = 'Innocenty Popov'; relationship = 'manager' }
            Source               = @{ type = @('User') }
            Sources              = @(@{ sourceId = '46a57efc-33f8-4eec-a512-b90039ad6187'; isDefaultSource = $true; properties = @('detail') })
            AdditionalProperties = @{ futureMember = 'kept' }
        }

        $created = New-ProfilePosition -UserId $script:signedIn.id @arguments -WarningAction SilentlyContinue

        $expected = @{
            allowedAudiences = 'organization'
            categories       = @('alpha', 'beta')
            colleagues       = @(@{ displayName = 'Megan Bowen'; relationship = 'colleague'; userPrincipalName = 'megan.bowen@contoso.com' })
            detail           = @{ jobTitle = 'Lead'; role = 'lead' }
            inference        = @{ confidenceScore = 0.5; userHasVerifiedAccuracy = $true }
            isSearchable     = $false
            manager          = @{ displayName = 'Innocenty Popov'; relationship = 'manager' }
            source           = @{ type = @('User') }
            sources          = @(@{ sourceId = '46a57efc-33f8-4eec-a512-b90039ad6187'; isDefaultSource = $true; properties = @('detail') })
            futureMember     = 'kept'
        }
        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson $expected)
        $created.Categories | Should -Be @('alpha', 'beta')
        $created.Manager.DisplayName | Should -Be 'Innocenty Popov'
    }

    It 'lets a flat parameter override the same field of -Detail' {
        $null = New-ProfilePosition -Detail @{ jobTitle = 'From detail'; role = 'kept' } -JobTitle 'From flat'

        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'From flat'; role = 'kept' } })
    }

    It 'takes complex parameters as JSON text' {
        $null = New-ProfilePosition -Detail '{"jobTitle":"From JSON","company":{"displayName":"Fabrikam"}}' -Categories '["one","two"]'

        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'From JSON'; company = @{ displayName = 'Fabrikam' } }; categories = @('one', 'two') })
    }

    It 'rejects an address type that is not one of the enum values, sending nothing' {
        $output = @(New-ProfilePosition -JobTitle 'x' -AddressType 'castle' -ErrorVariable failures -ErrorAction SilentlyContinue)

        $output.Count | Should -Be 0
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidPositionInput,ProfilePositions.Commands.NewProfilePositionCommand'
        $failures[0].Exception.Message | Should -Match 'castle'
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
    }
}

Describe 'New-ProfilePosition hashtable rules (Create)' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'matches keys case-insensitively and sends Graph camelCase' {
        $null = New-ProfilePosition -BodyParameter @{ DETAIL = @{ JobTitle = 'Upper'; COMPANY = @{ DisplayName = 'Case Co' } }; IsCurrent = $false }

        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Upper'; company = @{ displayName = 'Case Co' } }; isCurrent = $false })
    }

    It 'reads the case-sensitive ordered hashtable of ConvertFrom-Json -AsHashtable' {
        $body = '{"Detail":{"JobTitle":"From AsHashtable","StartMonthYear":"2020-01-01"},"IsCurrent":true}' | ConvertFrom-Json -AsHashtable

        $null = New-ProfilePosition -BodyParameter $body

        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'From AsHashtable'; startMonthYear = '2020-01-01' }; isCurrent = $true })
    }

    It 'sends unknown keys as given, with a warning that names them' {
        $null = New-ProfilePosition -BodyParameter @{ detail = @{ jobTitle = 'Known' }; brandNewMember = @{ nested = 1 } } -WarningVariable warnings -WarningAction SilentlyContinue

        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Known' }; brandNewMember = @{ nested = 1 } })
        ($warnings -join "`n") | Should -Match 'brandNewMember'
    }

    It 'sends $null as JSON null' {
        $null = New-ProfilePosition -BodyParameter @{ detail = @{ jobTitle = 'With null'; role = $null }; manager = $null }

        Get-PostedJson | Should -BeExactly @(ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'With null'; role = $null }; manager = $null })
    }

    It 'takes JSON text, a PSCustomObject and a WorkPosition as the body' {
        $null = New-ProfilePosition -BodyParameter '{"detail":{"jobTitle":"Text body"}}'
        $null = New-ProfilePosition -BodyParameter ([pscustomobject]@{ detail = [pscustomobject]@{ jobTitle = 'Object body' }; isCurrent = $true })
        $existing = New-ProfilePosition -JobTitle 'Copied' -CompanyName 'Source Co'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $copy = New-ProfilePosition -UserId $script:UserForms['an object id'].Value -BodyParameter $existing -WarningAction SilentlyContinue

        $copy.Detail.JobTitle | Should -Be 'Copied'
        $posted = Get-RequestJson (Get-GraphRequest -Sandbox $script:sandbox)[0]
        $posted.Keys | Should -Not -Contain 'id'
        $posted.Keys | Should -Not -Contain 'createdDateTime'
        $posted.detail.company.displayName | Should -Be 'Source Co'
    }

    It 'checks types before sending: one error for the bad item, the others are created' {
        $good1 = @{ detail = @{ jobTitle = 'Good one' } }
        $bad = @{ detail = @{ jobTitle = 'Bad'; startMonthYear = 'not a date' } }
        $good2 = @{ detail = @{ jobTitle = 'Good two' }; isCurrent = $true }

        $created = @($good1, $bad, $good2 | New-ProfilePosition -UserId me -ErrorVariable failures -ErrorAction SilentlyContinue)

        @($created.Detail.JobTitle) | Should -Be @('Good one', 'Good two')
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidPositionInput,ProfilePositions.Commands.NewProfilePositionCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'InvalidData'
        [object]::ReferenceEquals($failures[0].TargetObject, $bad) | Should -BeTrue
        $failures[0].Exception.Message | Should -Match 'startMonthYear'
        (Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST').Count | Should -Be 2
    }

    It 'reports a boolean that is not one' {
        $null = New-ProfilePosition -BodyParameter @{ isCurrent = 'sometimes' } -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].Exception.Message | Should -Match 'isCurrent'
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
    }
}

Describe 'New-ProfilePosition pipeline input' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'Import-Csv | New-ProfilePosition binds the columns by name' {
        $path = Join-Path $TestDrive 'positions.csv'
        $owner = $script:UserForms['a UPN with an apostrophe']
        @(
            [pscustomobject]@{ UserId = $owner.Value; JobTitle = 'Csv one'; CompanyName = 'Csv Co'; IsCurrent = 'True'; StartMonthYear = '2019-05'; Categories = '["x","y"]' }
            [pscustomobject]@{ UserId = $owner.Value; JobTitle = 'Csv two'; CompanyName = ''; IsCurrent = 'False'; StartMonthYear = ''; Categories = '' }
            [pscustomobject]@{ UserId = $owner.Value; JobTitle = 'Csv three'; CompanyName = ''; IsCurrent = ''; StartMonthYear = ''; Categories = '' }
        ) | Export-Csv -Path $path -NoTypeInformation

        $created = @(Import-Csv -Path $path | New-ProfilePosition)

        $created.Count | Should -Be 3
        @($created.UserId | Sort-Object -Unique) | Should -Be @($owner.Value)
        Get-PostedJson | Should -BeExactly @(
            ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Csv one'; startMonthYear = '2019-05-01'; company = @{ displayName = 'Csv Co' } }; isCurrent = $true; categories = @('x', 'y') }
            ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Csv two' }; isCurrent = $false }
            ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Csv three' } }
        )
        Get-GraphRequest -Sandbox $script:sandbox | ForEach-Object { Test-RequestUser -Path $_.path -Form $owner | Should -BeTrue }
    }

    It 'binds -UserId from user objects that carry UserPrincipalName' {
        $guest = $script:UserForms['a guest #EXT# UPN']
        $user = [pscustomobject]@{ Id = $guest.OwnerId; UserPrincipalName = $guest.Value; DisplayName = 'Guest' }

        $created = $user | New-ProfilePosition -JobTitle 'For a piped user'

        $created.UserId | Should -Be $guest.Value
        Test-RequestUser -Path (Get-GraphRequest -Sandbox $script:sandbox)[0].path -Form $guest | Should -BeTrue
    }

    It 'sends only what each piped object carries: nothing is carried over from the previous one' {
        $owner = $script:UserForms['an object id']
        $rows = @(
            [pscustomobject]@{ UserId = $owner.Value; JobTitle = 'Row one'; StartMonthYear = '2019-02'; Department = 'Finance'; IsCurrent = 'True'; Layer = '3' }
            [pscustomobject]@{ UserId = $owner.Value; JobTitle = 'Row two' }
        )

        $created = @($rows | New-ProfilePosition)

        $created.Count | Should -Be 2
        Get-PostedJson | Should -BeExactly @(
            ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Row one'; startMonthYear = '2019-02-01'; layer = 3; company = @{ department = 'Finance' } }; isCurrent = $true }
            ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Row two' } }
        )
    }

    It 'fails a row whose UserId is empty instead of writing to the signed-in user, and carries on' {
        $owner = $script:UserForms['a UPN']
        $rows = @(
            [pscustomobject]@{ UserId = ''; JobTitle = 'Nobody named' }
            [pscustomobject]@{ UserId = $owner.Value; JobTitle = 'Named row' }
        )

        $created = @($rows | New-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue)

        $created.Detail.JobTitle | Should -Be 'Named row'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'UserIdMissing,ProfilePositions.Commands.NewProfilePositionCommand'
        "$($failures[0])" | Should -BeLike "Row 1 (no UserId, job title 'Nobody named'): UserId is empty*"
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object path -Like '/beta/me/*').Count | Should -Be 0
    }

    It 'refuses to create an empty position' {
        New-ProfilePosition -UserId $script:UserForms['a UPN'].Value -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        New-ProfilePosition -BodyParameter @{} -ErrorVariable +failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures.Count | Should -Be 2
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'PositionBodyEmpty,ProfilePositions.Commands.NewProfilePositionCommand' }
        "$($failures[0])" | Should -Match 'Nothing to create'
        Get-PostedJson | Should -BeNullOrEmpty
    }

    It 'uses a position read from Graph as a template without warnings or response annotations' {
        $template = New-ProfilePosition -JobTitle 'Template' -CompanyName 'Template Co'
        $read = Get-ProfilePosition -WorkPositionId $template.Id
        Clear-SandboxJournal -Sandbox $script:sandbox

        $copy = $read | New-ProfilePosition -WarningVariable warnings

        $copy.Id | Should -Not -Be $template.Id
        $copy.Detail.JobTitle | Should -Be 'Template'
        $warnings.Count | Should -Be 0
        $sent = Get-RequestJson (Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'POST')[0]
        @($sent.Keys | Where-Object { $_ -like '@odata.*' -or $_ -in 'id', 'createdDateTime', 'lastModifiedDateTime', 'createdBy', 'lastModifiedBy' }) | Should -BeNullOrEmpty
    }

    It 'takes hashtables and JSON text from the pipeline as bodies, for the user the command line names' {
        $created = @(@{ detail = @{ jobTitle = 'Piped hashtable' } }, '{"detail":{"jobTitle":"Piped JSON"}}' | New-ProfilePosition -UserId me)

        @($created.Detail.JobTitle) | Should -Be @('Piped hashtable', 'Piped JSON')
    }

    It 'writes a body piped without -UserId to nobody, never to the signed-in user' {
        $result = @(@{ detail = @{ jobTitle = 'Nowhere' } } | New-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue)

        $result | Should -BeNullOrEmpty
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UserIdMissing,*'
        "$($failures[0])" | Should -BeLike 'Row 1 (*): A body piped without -UserId is not written to anyone*'
        Get-PostedJson | Should -BeNullOrEmpty
    }
}

Describe 'New-ProfilePosition -WhatIf and -Confirm' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It '-WhatIf prints the exact method, URL and JSON and sends nothing' {
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $user = $script:UserForms['a UPN']
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try {
            $output = @(New-ProfilePosition -UserId $user.Value -JobTitle 'What If Title' -IsCurrent -WhatIf)
        }
        finally {
            Stop-Transcript | Out-Null
        }

        $output.Count | Should -Be 0
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
        $text = Get-Content -Path $transcript -Raw
        $text | Should -Match ([regex]::Escape('What if:'))
        $text | Should -Match ("POST " + [regex]::Escape("$($script:sandbox.BaseUri)/beta/users/"))
        $text | Should -Match '"jobTitle":\s*"What If Title"'
        $text | Should -Match '"isCurrent":\s*true'
    }

    It '-Confirm:$false creates without asking even when $ConfirmPreference is Low' {
        $ConfirmPreference = 'Low'
        $created = New-ProfilePosition -JobTitle 'No prompt' -Confirm:$false

        $created.Detail.JobTitle | Should -Be 'No prompt'
    }
}

Describe 'New-ProfilePosition when not connected' {
    It 'stops with NotConnected and tells the user to run Connect-ProfileGraph' {
        Disconnect-ProfileGraph
        try {
            { New-ProfilePosition -JobTitle 'x' } | Should -Throw -ErrorId 'NotConnected,ProfilePositions.Commands.NewProfilePositionCommand' -ExpectedMessage '*Connect-ProfileGraph*'
        }
        finally {
            $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
        }
    }
}
