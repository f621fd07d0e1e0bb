#Requires -Version 7.0
<#
    Get-ProfilePosition as a user drives it, against a sandbox that pages after 3 positions:
    both parameter sets, every -UserId form, the OData options, paging, pipeline input and errors.
    Each test checks what the cmdlet wrote and what the sandbox received.
#>

BeforeDiscovery {
    # The forms -UserId can take (resolved to the sandbox's demo users in BeforeAll).
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $FormCases = Get-UserFormCase
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox -ExtraArgs '--page-size', '3'
    $script:users = @(Get-SandboxUsers -Sandbox $script:sandbox)
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:UserForms = Get-UserForm -Sandbox $script:sandbox -SignedIn $script:signedIn.userPrincipalName
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    # One position per user form, plus a known set for the OData options and paging.
    $script:SeedTitles = @{}
    foreach ($name in $script:UserForms.Keys) {
        $form = $script:UserForms[$name]
        $title = "Seed for $name"
        $null = New-SeedPosition -Sandbox $script:sandbox -OwnerId $form.OwnerId -Body @{ detail = @{ jobTitle = $title }; isCurrent = $false }
        $script:SeedTitles[$name] = $title
    }

    $script:pagedUser = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'lee.gu@*'
    $script:pagedTitles = 'Analyst', 'Buyer', 'Chemist', 'Designer', 'Engineer', 'Forester', 'Geologist'
    foreach ($title in $script:pagedTitles) {
        $null = New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:pagedUser.id -Body @{ detail = @{ jobTitle = $title }; isCurrent = ($title -in 'Buyer', 'Engineer') }
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Get-ProfilePosition -UserId forms (List set)' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'lists the positions of <Form>' -ForEach $FormCases {
        $userForm = $script:UserForms[$Form]
        $arguments = @{}
        if ($null -ne $userForm.Value) { $arguments.UserId = $userForm.Value }

        $positions = @(Get-ProfilePosition @arguments)

        $positions.Detail.JobTitle | Should -Contain $script:SeedTitles[$Form]
        $positions | ForEach-Object { $_ | Should -BeOfType ([ProfilePositions.WorkPosition]) }
        @($positions.UserId | Sort-Object -Unique) | Should -Be @($userForm.OutputUserId)
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 1
        $requests[0].method | Should -Be 'GET'
        Test-RequestUser -Path $requests[0].path -Form $userForm | Should -BeTrue -Because "the path was $($requests[0].path)"
    }
}

Describe 'Get-ProfilePosition -WorkPositionId (Get set)' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'gets one position of <Form> by id' -ForEach $FormCases {
        $userForm = $script:UserForms[$Form]
        $stored = Get-StoredPosition -Sandbox $script:sandbox -OwnerId $userForm.OwnerId | Where-Object { $_.detail.jobTitle -eq $script:SeedTitles[$Form] } | Select-Object -First 1
        Clear-SandboxJournal -Sandbox $script:sandbox
        $arguments = @{ WorkPositionId = $stored.id }
        if ($null -ne $userForm.Value) { $arguments.UserId = $userForm.Value }

        $position = Get-ProfilePosition @arguments

        $position.Id | Should -Be $stored.id
        $position.Detail.JobTitle | Should -Be $script:SeedTitles[$Form]
        $position.UserId | Should -Be $userForm.OutputUserId
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 1
        Test-RequestUser -Path $requests[0].path -Form $userForm -Rest "/$($stored.id)" | Should -BeTrue -Because "the path was $($requests[0].path)"
    }

    It 'takes the alias -Id and -Property (alias -Select) as $select' {
        $stored = @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:pagedUser.id)[0]
        Clear-SandboxJournal -Sandbox $script:sandbox

        $position = Get-ProfilePosition -UserId $script:pagedUser.id -Id $stored.id -Select 'id', 'detail'

        $position.Id | Should -Be $stored.id
        $position.Detail.JobTitle | Should -Be $stored.detail.jobTitle
        $query = Get-RequestQuery (Get-GraphRequest -Sandbox $script:sandbox)[0]
        $query | Should -Match '\$select=id,detail'
    }
}

Describe 'Get-ProfilePosition OData options and paging' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'returns the first page only and warns that more exist' {
        $positions = @(Get-ProfilePosition -UserId $script:pagedUser.userPrincipalName -WarningVariable warnings -WarningAction SilentlyContinue)

        $positions.Count | Should -Be 3
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Match '-All'
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 1
    }

    It '-All follows @odata.nextLink to the end' {
        $positions = @(Get-ProfilePosition -UserId $script:pagedUser.userPrincipalName -All -WarningVariable warnings)

        $positions.Count | Should -Be $script:pagedTitles.Count
        @($positions.Detail.JobTitle | Sort-Object) | Should -Be @($script:pagedTitles | Sort-Object)
        $warnings.Count | Should -Be 0
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be ([math]::Ceiling($script:pagedTitles.Count / 3))
        $requests | ForEach-Object { $_.method | Should -Be 'GET' }
    }

    It '-Top (alias -Limit) returns that many and sends $top' {
        $positions = @(Get-ProfilePosition -UserId $script:pagedUser.id -Limit 2)

        $positions.Count | Should -Be 2
        Get-RequestQuery (Get-GraphRequest -Sandbox $script:sandbox)[0] | Should -Match '\$top=2'
    }

    It '-Top larger than a page follows pages until it has enough' {
        $positions = @(Get-ProfilePosition -UserId $script:pagedUser.id -Top 5 -WarningVariable warnings)

        $positions.Count | Should -Be 5
        $warnings.Count | Should -Be 0
    }

    It '-Filter sends $filter and returns only the matches' {
        $positions = @(Get-ProfilePosition -UserId $script:pagedUser.id -Filter 'isCurrent eq true' -All)

        @($positions.Detail.JobTitle | Sort-Object) | Should -Be @('Buyer', 'Engineer')
        Get-RequestQuery (Get-GraphRequest -Sandbox $script:sandbox)[0] | Should -Match '\$filter=isCurrent eq true'
    }

    It '-Sort (alias -OrderBy) sends $orderby and the order comes back' {
        $positions = @(Get-ProfilePosition -UserId $script:pagedUser.id -OrderBy 'detail/jobTitle desc' -All)

        @($positions.Detail.JobTitle) | Should -Be @($script:pagedTitles | Sort-Object -Descending)
        Get-RequestQuery (Get-GraphRequest -Sandbox $script:sandbox)[0] | Should -Match '\$orderby=detail/jobTitle desc'
    }

    It '-Skip sends $skip' {
        $all = @(Get-ProfilePosition -UserId $script:pagedUser.id -Sort 'detail/jobTitle' -All)
        Clear-SandboxJournal -Sandbox $script:sandbox

        $skipped = @(Get-ProfilePosition -UserId $script:pagedUser.id -Sort 'detail/jobTitle' -Skip 2 -All)

        @($skipped.Detail.JobTitle) | Should -Be @($all.Detail.JobTitle | Select-Object -Skip 2)
        Get-RequestQuery (Get-GraphRequest -Sandbox $script:sandbox)[0] | Should -Match '\$skip=2'
    }
}

Describe 'Get-ProfilePosition pipeline input' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'binds -UserId from user objects that carry UserPrincipalName (and their own Id)' {
        $userObjects = @($script:users | Where-Object { $_.userPrincipalName -like 'megan*' -or $_.userPrincipalName -like 'innocenty*' } |
                ForEach-Object { [pscustomobject]@{ Id = $_.id; UserPrincipalName = $_.userPrincipalName; DisplayName = $_.displayName } })

        $positions = @($userObjects | Get-ProfilePosition)

        @($positions.UserId | Sort-Object -Unique) | Should -Be @($userObjects.UserPrincipalName | Sort-Object)
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 2
        foreach ($index in 0, 1) {
            Test-UserPath -Path $requests[$index].path -User $userObjects[$index].UserPrincipalName | Should -BeTrue
        }
    }

    It 'binds -UserId from an object with a UserId property' {
        $positions = @([pscustomobject]@{ UserId = $script:pagedUser.id } | Get-ProfilePosition -All)

        $positions.Count | Should -Be $script:pagedTitles.Count
        @($positions.UserId | Sort-Object -Unique) | Should -Be @($script:pagedUser.id)
    }
}

Describe 'Get-ProfilePosition errors' {
    It 'writes one ObjectNotFound error for a position that does not exist, with the id as target, and carries on' {
        $output = @(Get-ProfilePosition -UserId $script:pagedUser.id -WorkPositionId 'no-such-position' -ErrorVariable failures -ErrorAction SilentlyContinue)

        $output.Count | Should -Be 0
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be 'no-such-position'
        $failures[0].FullyQualifiedErrorId | Should -BeLike '*,ProfilePositions.Commands.GetProfilePositionCommand'
        $failures[0].Exception.Message | Should -Match '404'
        $failures[0].Exception.Message | Should -Match 'request-id'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'position'
    }

    It 'says the user is missing when the user does not exist, and goes on with the next piped user' {
        $items = [pscustomobject]@{ UserId = 'nobody@contoso.com' }, [pscustomobject]@{ UserId = $script:pagedUser.id }

        $positions = @($items | Get-ProfilePosition -All -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        # The target is the piped object itself, and the message names its row.
        $failures[0].TargetObject | Should -Be $items[0]
        "$($failures[0])" | Should -BeLike "Row 1 (user 'nobody@contoso.com'): *"
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'user'
        $positions.Count | Should -Be $script:pagedTitles.Count
    }

    It 'rejects -Top 0 before sending anything' {
        Clear-SandboxJournal -Sandbox $script:sandbox
        { Get-ProfilePosition -Top 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ProfilePositions.Commands.GetProfilePositionCommand'
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
    }
}

Describe 'Get-ProfilePosition -Debug' {
    It 'writes its HTTP lines to the debug stream without asking to continue at each one' {
        # A compiled cmdlet given -Debug alone would treat verbose lines as Inquire; with no one to answer
        # (this test's host cannot prompt) that fails the command.
        # -All: a 'more positions exist' warning would prompt under -Debug, as for any compiled cmdlet.
        $output = Get-ProfilePosition -UserId $script:pagedUser.userPrincipalName -All -Debug 5>&1 4>&1

        @($output | Where-Object { $_ -is [System.Management.Automation.DebugRecord] -and "$_" -match '^HTTP GET ' }).Count | Should -BeGreaterThan 0
        @($output | Where-Object { $_ -is [ProfilePositions.WorkPosition] }).Count | Should -BeGreaterThan 0
    }
}
