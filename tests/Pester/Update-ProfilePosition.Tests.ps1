#Requires -Version 7.0
<#
    Update-ProfilePosition as a user drives it: both parameter sets, every -UserId form, Get | Update,
    PATCH bodies that hold only what was given, $null clearing a field, -WhatIf and per-item errors.
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

    function New-Target([string] $OwnerId, [string] $Title = 'Before') {
        # A fresh position to change, seeded without the module; the journal is cleared afterwards.
        $seeded = New-SeedPosition -Sandbox $script:sandbox -OwnerId $OwnerId -Body @{ detail = @{ jobTitle = $Title; role = 'original role'; company = @{ displayName = 'Original Co' } }; isCurrent = $true }
        Clear-SandboxJournal -Sandbox $script:sandbox
        $seeded
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Update-ProfilePosition -UserId forms' {
    It 'patches a position of <Form> with only the given fields (UpdateExpanded)' -ForEach $FormCases {
        $userForm = $script:UserForms[$Form]
        $target = New-Target -OwnerId $userForm.OwnerId
        $arguments = @{ WorkPositionId = $target.id; JobTitle = "Changed for $Form" }
        if ($null -ne $userForm.Value) { $arguments.UserId = $userForm.Value }

        $updated = Update-ProfilePosition @arguments

        $updated.Id | Should -Be $target.id
        $updated.UserId | Should -Be $userForm.OutputUserId
        $updated.Detail.JobTitle | Should -Be "Changed for $Form"
        $updated.Detail.Role | Should -Be 'original role'
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 1
        $requests[0].method | Should -Be 'PATCH'
        Test-RequestUser -Path $requests[0].path -Form $userForm -Rest "/$($target.id)" | Should -BeTrue -Because "the path was $($requests[0].path)"
        ConvertTo-CanonicalJson (Get-RequestJson $requests[0]) | Should -BeExactly (ConvertTo-CanonicalJson @{ detail = @{ jobTitle = "Changed for $Form" } })
    }
}

Describe 'Update-ProfilePosition -BodyParameter (Update)' {
    It 'sends the hashtable as given, with $null clearing a field' {
        $target = New-Target -OwnerId $script:signedIn.id

        $updated = Update-ProfilePosition -Id $target.id -BodyParameter @{ Detail = @{ Role = $null }; IsCurrent = $false }

        $updated.Detail.Role | Should -BeNullOrEmpty
        $updated.IsCurrent | Should -BeFalse
        $updated.Detail.JobTitle | Should -Be 'Before'
        ConvertTo-CanonicalJson (Get-RequestJson (Get-GraphRequest -Sandbox $script:sandbox)[0]) | Should -BeExactly (ConvertTo-CanonicalJson @{ detail = @{ role = $null }; isCurrent = $false })
    }

    It 'takes the ordered hashtable of ConvertFrom-Json -AsHashtable and JSON text' {
        $target = New-Target -OwnerId $script:signedIn.id

        $null = Update-ProfilePosition -Id $target.id -BodyParameter ('{"Detail":{"JobTitle":"From AsHashtable"}}' | ConvertFrom-Json -AsHashtable)
        $null = Update-ProfilePosition -Id $target.id -BodyParameter '{"allowedAudiences":"everyone"}'

        $bodies = @(Get-GraphRequest -Sandbox $script:sandbox | ForEach-Object { ConvertTo-CanonicalJson (Get-RequestJson $_) })
        $bodies | Should -BeExactly @((ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'From AsHashtable' } }), (ConvertTo-CanonicalJson @{ allowedAudiences = 'everyone' }))
    }

    It 'writes the changed WorkPosition back when it is piped alone' {
        $target = New-Target -OwnerId $script:signedIn.id
        $position = Get-ProfilePosition -Id $target.id
        $position.Detail.JobTitle = 'Edited locally'
        Clear-SandboxJournal -Sandbox $script:sandbox

        $updated = $position | Update-ProfilePosition -WarningAction SilentlyContinue

        $updated.Detail.JobTitle | Should -Be 'Edited locally'
        $posted = Get-RequestJson (Get-GraphRequest -Sandbox $script:sandbox)[0]
        $posted.detail.jobTitle | Should -Be 'Edited locally'
        $posted.Keys | Should -Not -Contain 'id'
    }
}

Describe 'Update-ProfilePosition pipeline input' {
    It 'Get-ProfilePosition | Update-ProfilePosition -JobTitle patches each piped position with that field only' {
        $owner = $script:UserForms['a UPN starting with $']
        $first = New-Target -OwnerId $owner.OwnerId -Title 'Piped one'
        $second = New-Target -OwnerId $owner.OwnerId -Title 'Piped two'
        $positions = @(Get-ProfilePosition -UserId $owner.Value -All | Where-Object Id -In $first.id, $second.id)
        Clear-SandboxJournal -Sandbox $script:sandbox

        $updated = @($positions | Update-ProfilePosition -JobTitle 'Renamed' -IsCurrent:$false)

        $updated.Count | Should -Be 2
        @($updated.Detail.JobTitle | Sort-Object -Unique) | Should -Be @('Renamed')
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 2
        foreach ($request in $requests) {
            $request.method | Should -Be 'PATCH'
            ConvertTo-CanonicalJson (Get-RequestJson $request) | Should -BeExactly (ConvertTo-CanonicalJson @{ detail = @{ jobTitle = 'Renamed' }; isCurrent = $false })
        }
        Test-RequestUser -Path $requests[0].path -Form $owner -Rest "/$($positions[0].Id)" | Should -BeTrue
    }

    It 'Import-Csv | Update-ProfilePosition takes UserId, Id and the flat columns of each row' {
        $owner = $script:UserForms['a UPN']
        $first = New-Target -OwnerId $owner.OwnerId -Title 'Csv before one'
        $second = New-Target -OwnerId $owner.OwnerId -Title 'Csv before two'
        $path = Join-Path $TestDrive 'updates.csv'
        @(
            [pscustomobject]@{ UserId = $owner.Value; Id = $first.id; Department = 'Finance'; Layer = '2' }
            [pscustomobject]@{ UserId = $owner.Value; Id = $second.id; Department = ''; Layer = 'abc' }
        ) | Export-Csv -Path $path -NoTypeInformation
        Clear-SandboxJournal -Sandbox $script:sandbox

        $updated = @(Import-Csv -Path $path | Update-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue)

        $updated.Id | Should -Be $first.id
        $failures.Count | Should -Be 1
        "$($failures[0])" | Should -BeLike "Row 2 (user '$($owner.Value)', position '$($second.id)'): 'Layer' must be a whole number; got 'abc'*"
        $requests = @(Get-GraphRequest -Sandbox $script:sandbox)
        $requests.Count | Should -Be 1
        ConvertTo-CanonicalJson (Get-RequestJson $requests[0]) | Should -BeExactly (ConvertTo-CanonicalJson @{ detail = @{ layer = 2; company = @{ department = 'Finance' } } })
    }
}

Describe 'Update-ProfilePosition checks, -WhatIf and errors' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'writes PositionBodyEmpty when no property is given, sending nothing' {
        $null = Update-ProfilePosition -Id 'any' -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'PositionBodyEmpty,ProfilePositions.Commands.UpdateProfilePositionCommand'
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
    }

    It '-WhatIf prints PATCH, the URL and the JSON, and sends nothing' {
        $target = New-Target -OwnerId $script:signedIn.id
        $transcript = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { $null = Update-ProfilePosition -UserId $script:signedIn.id -Id $target.id -Department 'What If Dept' -WhatIf }
        finally { Stop-Transcript | Out-Null }

        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
        $text = Get-Content $transcript -Raw
        $text | Should -Match ('PATCH ' + [regex]::Escape("$($script:sandbox.BaseUri)/beta/users/$($script:signedIn.id)/profile/positions/$($target.id)"))
        $text | Should -Match '"department":\s*"What If Dept"'
    }

    It 'writes one ObjectNotFound error per missing position and updates the others' {
        $target = New-Target -OwnerId $script:signedIn.id
        $items = [pscustomobject]@{ UserId = 'me'; Id = 'missing-one' }, [pscustomobject]@{ UserId = 'me'; Id = $target.id }

        $updated = @($items | Update-ProfilePosition -Role 'new role' -ErrorVariable failures -ErrorAction SilentlyContinue)

        $updated.Count | Should -Be 1
        $updated[0].Detail.Role | Should -Be 'new role'
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].TargetObject | Should -Be $items[0]
        "$($failures[0])" | Should -BeLike "Row 1 (user 'me', position 'missing-one'): *"
        $failures[0].FullyQualifiedErrorId | Should -BeLike '*,ProfilePositions.Commands.UpdateProfilePositionCommand'
        $failures[0].Exception.Message | Should -Match '404'
        $failures[0].Exception.Message | Should -Match 'request-id'
    }

    It 'rejects a bad type before sending, for that item only' {
        $target = New-Target -OwnerId $script:signedIn.id

        $null = Update-ProfilePosition -Id $target.id -Layer 2 -StartMonthYear '13/2020' -ErrorVariable failures -ErrorAction SilentlyContinue

        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidPositionInput,ProfilePositions.Commands.UpdateProfilePositionCommand'
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
    }
}
