#Requires -Version 7.0
<#
    Remove-ProfilePosition as a user drives it: every -UserId form, Get | Remove, -PassThru, -WhatIf,
    -Confirm answered yes and no in a real console session, and per-item errors.
#>

BeforeDiscovery {
    # The forms -UserId can take (resolved to the sandbox's demo users in BeforeAll).
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $FormCases = Get-UserFormCase
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:UserForms = Get-UserForm -Sandbox $script:sandbox -SignedIn $script:signedIn.userPrincipalName
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function New-Target([string] $OwnerId, [string] $Title = 'To remove') {
        $seeded = New-SeedPosition -Sandbox $script:sandbox -OwnerId $OwnerId -Body @{ detail = @{ jobTitle = $Title } }
        Clear-SandboxJournal -Sandbox $script:sandbox
        $seeded
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Remove-ProfilePosition -UserId forms' {
    It 'deletes a position of <Form>' -ForEach $FormCases {
        $userForm = $script:UserForms[$Form]
        $target = New-Target -OwnerId $userForm.OwnerId
        $arguments = @{ WorkPositionId = $target.id }
        if ($null -ne $userForm.Value) { $arguments.UserId = $userForm.Value }

        $output = @(Remove-ProfilePosition @arguments)

        $output.Count | Should -Be 0
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 1
        $requests[0].method | Should -Be 'DELETE'
        Test-RequestUser -Path $requests[0].path -Form $userForm -Rest "/$($target.id)" | Should -BeTrue -Because "the path was $($requests[0].path)"
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $userForm.OwnerId).id | Should -Not -Contain $target.id
    }
}

Describe 'Remove-ProfilePosition pipeline input and -PassThru' {
    It 'Get-ProfilePosition | Remove-ProfilePosition -PassThru deletes each piped position and writes $true for each' {
        $owner = $script:UserForms['a guest #EXT# UPN']
        $ids = @((New-Target -OwnerId $owner.OwnerId -Title 'Pipe A').id, (New-Target -OwnerId $owner.OwnerId -Title 'Pipe B').id)
        $positions = @(Get-ProfilePosition -UserId $owner.Value -All | Where-Object Id -In $ids)
        Clear-SandboxJournal -Sandbox $script:sandbox

        $output = @($positions | Remove-ProfilePosition -PassThru)

        $output | Should -Be @($true, $true)
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        @($requests.method | Sort-Object -Unique) | Should -Be @('DELETE')
        foreach ($index in 0, 1) {
            Test-RequestUser -Path $requests[$index].path -Form $owner -Rest "/$($positions[$index].Id)" | Should -BeTrue
        }
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $owner.OwnerId).id | Where-Object { $_ -in $ids } | Should -BeNullOrEmpty
    }
}

Describe 'Remove-ProfilePosition over several pages' {
    It 'Get-ProfilePosition -All | Remove-ProfilePosition removes every position, however many pages they span' {
        # A sandbox with three positions a page: deleting while later pages were still to be read would skip some.
        $paged = Start-TestSandbox -ExtraArgs '--page-size', '3'
        try {
            $null = Connect-TestSandbox -Sandbox $paged -User $script:signedIn.userPrincipalName
            1..8 | ForEach-Object { $null = New-ProfilePosition -JobTitle "Paged $_" }

            Get-ProfilePosition -All | Remove-ProfilePosition -Confirm:$false

            @(Get-ProfilePosition -All).Count | Should -Be 0
        }
        finally {
            $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
            Stop-TestSandbox -Sandbox $paged
        }
    }
}

Describe 'Remove-ProfilePosition -WhatIf and -Confirm' {
    It '-WhatIf prints DELETE and the URL and deletes nothing' {
        $target = New-Target -OwnerId $script:signedIn.id
        $transcript = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try { Remove-ProfilePosition -Id $target.id -WhatIf }
        finally { Stop-Transcript | Out-Null }

        (Get-Content $transcript -Raw) | Should -Match ('DELETE ' + [regex]::Escape("$($script:sandbox.BaseUri)/beta/me/profile/positions/$($target.id)"))
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:signedIn.id).id | Should -Contain $target.id
    }

    It '-Confirm asks first; answering N deletes nothing' {
        $target = New-Target -OwnerId $script:signedIn.id

        $console = Invoke-ConsoleSession -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Lines "Remove-ProfilePosition -Id '$($target.id)' -Confirm", 'N'

        $console | Should -Match ([regex]::Escape($target.id))
        $console | Should -Match 'DELETE'
        (Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'DELETE').Count | Should -Be 0
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:signedIn.id).id | Should -Contain $target.id
    }

    It '-Confirm asks first; answering Y deletes' {
        $target = New-Target -OwnerId $script:signedIn.id

        $null = Invoke-ConsoleSession -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Lines "Remove-ProfilePosition -Id '$($target.id)' -Confirm", 'Y'

        (Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'DELETE').Count | Should -Be 1
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:signedIn.id).id | Should -Not -Contain $target.id
    }
}

Describe 'Remove-ProfilePosition errors' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'writes one ObjectNotFound error with the id as target and goes on with the next piped position' {
        $target = New-Target -OwnerId $script:signedIn.id
        $items = [pscustomobject]@{ UserId = 'me'; Id = 'gone-already' }, [pscustomobject]@{ UserId = 'me'; Id = $target.id }

        $output = @($items | Remove-ProfilePosition -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)

        $output | Should -Be @($true)
        $failures.Count | Should -Be 1
        $failures[0].TargetObject | Should -Be $items[0]
        "$($failures[0])" | Should -BeLike "Row 1 (user 'me', position 'gone-already'): *"
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].FullyQualifiedErrorId | Should -BeLike '*,ProfilePositions.Commands.RemoveProfilePositionCommand'
        $failures[0].Exception.Message | Should -Match '404'
        $failures[0].Exception.Message | Should -Match 'request-id'
        $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'says which scope is missing, before sending, when the token only allows the own profile' {
        $target = New-Target -OwnerId $script:UserForms['an object id'].OwnerId
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Scopes 'User.ReadWrite'
        Clear-SandboxJournal -Sandbox $script:sandbox
        $failure = $null
        try {
            Remove-ProfilePosition -UserId $script:UserForms['an object id'].Value -Id $target.id
        }
        catch { $failure = $_ }
        finally {
            $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
        }

        # Another user's object id and no User.ReadWrite.All: the scope preflight is certain, so nothing is sent.
        $failure | Should -Not -BeNullOrEmpty
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure.FullyQualifiedErrorId | Should -Be 'MissingScope,ProfilePositions.Commands.RemoveProfilePositionCommand'
        $failure.Exception.Message | Should -Match 'User\.ReadWrite\.All'
        $failure.ErrorDetails.RecommendedAction | Should -Match 'User\.ReadWrite\.All'
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object method -EQ 'DELETE') | Should -BeNullOrEmpty
    }
}
