#Requires -Version 7.0
<#
    The parameters scripts written for Microsoft's *-MgBetaUserProfilePosition cmdlets pass, driven against the
    sandbox: -InputObject (the *ViaIdentity sets), -Headers, -ResponseHeadersVariable (batched or not), -PageSize,
    -CountVariable, -ExpandProperty, and plain UPN strings piped to Get-ProfilePosition. Each test checks what reached
    the sandbox (its journal and state), not only what the cmdlet wrote.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:owner = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'megan.bowen@*'
    $script:other = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'lee.gu@*'
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function New-Positions([int] $Count, $User = $script:owner) {
        $ids = foreach ($number in 1..$Count) {
            (New-SeedPosition -Sandbox $script:sandbox -OwnerId $User.id -Body @{ detail = @{ jobTitle = "Position $number" }; isCurrent = ($number % 2 -eq 0) }).id
        }
        Clear-SandboxJournal -Sandbox $script:sandbox
        , @($ids)
    }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Parameters of the Mg cmdlets' {
BeforeEach {
    Reset-Sandbox -Sandbox $script:sandbox
    Clear-SandboxJournal -Sandbox $script:sandbox
}

Describe '-InputObject (the *ViaIdentity sets)' {
    It 'Get-ProfilePosition -InputObject @{ UserId; WorkPositionId } gets that one position' {
        $ids = New-Positions 2
        $position = Get-ProfilePosition -InputObject @{ UserId = $script:owner.userPrincipalName; WorkPositionId = $ids[1] }
        $position.Id | Should -Be $ids[1]
        $position.UserId | Should -Be $script:owner.userPrincipalName
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests.Count | Should -Be 1
        $requests[0].path | Should -Be "/beta/users/$($script:owner.userPrincipalName)/profile/positions/$($ids[1])"
    }

    It 'Get-ProfilePosition -InputObject with a UserId only lists that user''s positions' {
        $ids = New-Positions 2
        @(Get-ProfilePosition -InputObject ([pscustomobject]@{ UserId = $script:owner.id })).Id | Sort-Object | Should -Be ($ids | Sort-Object)
        (Get-GraphRequest -Sandbox $script:sandbox)[0].path | Should -Be "/beta/users/$($script:owner.id)/profile/positions"
    }

    It 'Update-ProfilePosition -InputObject @{ UserId; Id } patches that position' {
        $ids = New-Positions 1
        $updated = Update-ProfilePosition -InputObject @{ UserId = $script:owner.userPrincipalName; Id = $ids[0] } -JobTitle 'Via identity'
        $updated.Detail.JobTitle | Should -Be 'Via identity'
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $requests[0].method | Should -Be 'PATCH'
        $requests[0].path | Should -BeLike "*/$($ids[0])"
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id).detail.jobTitle | Should -Be 'Via identity'
    }

    It 'Update-ProfilePosition -InputObject -BodyParameter (UpdateViaIdentity) sends the body' {
        $ids = New-Positions 1
        $null = Update-ProfilePosition -InputObject @{ UserId = $script:owner.id; WorkPositionId = $ids[0] } -BodyParameter @{ isCurrent = $true }
        ConvertTo-CanonicalJson (Get-RequestJson (Get-GraphRequest -Sandbox $script:sandbox)[0]) | Should -BeExactly '{"isCurrent":true}'
    }

    It 'Remove-ProfilePosition -InputObject takes a position from Get-ProfilePosition' {
        $ids = New-Positions 2
        $position = Get-ProfilePosition -UserId $script:owner.userPrincipalName -WorkPositionId $ids[0]
        Clear-SandboxJournal -Sandbox $script:sandbox
        Remove-ProfilePosition -InputObject $position -Confirm:$false
        (Get-GraphRequest -Sandbox $script:sandbox)[0].method | Should -Be 'DELETE'
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id).id | Should -Be @($ids[1])
    }

    It 'New-ProfilePosition -InputObject @{ UserId } -BodyParameter (CreateViaIdentity) creates for that user' {
        $created = New-ProfilePosition -InputObject @{ UserId = $script:owner.userPrincipalName } -BodyParameter @{ detail = @{ jobTitle = 'Created via identity' } }
        $created.UserId | Should -Be $script:owner.userPrincipalName
        (Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id).detail.jobTitle | Should -Be 'Created via identity'
    }

    It 'never takes the Id of a user object (UserPrincipalName, no UserId) for a position id' {
        $ids = New-Positions 1
        $mgUser = [pscustomobject]@{ Id = $script:owner.id; UserPrincipalName = $script:owner.userPrincipalName; DisplayName = 'Megan' }
        { Remove-ProfilePosition -InputObject $mgUser -Confirm:$false } | Should -Throw -ErrorId 'WorkPositionIdMissing,*'
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
        @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id).id | Should -Be $ids
    }

    It 'refuses -InputObject with -UserId or -WorkPositionId, one that names no user, and a string, sending nothing' {
        { Get-ProfilePosition -InputObject @{ UserId = 'a@contoso.com' } -UserId 'b@contoso.com' } | Should -Throw -ErrorId 'InputObjectConflict,*'
        { Remove-ProfilePosition -InputObject @{ UserId = 'a@contoso.com' } -WorkPositionId 'x' -Confirm:$false } | Should -Throw -ErrorId 'InputObjectConflict,*'
        { Get-ProfilePosition -InputObject @{ WorkPositionId = 'x' } } | Should -Throw -ErrorId 'InputObjectInvalid,*'
        { Get-ProfilePosition -InputObject 'a@contoso.com' } | Should -Throw -ErrorId 'InputObjectInvalid,*'
        { Get-ProfilePosition -InputObject @{ UserId = 'a@contoso.com'; Id = 'x' } -Top 2 } | Should -Throw -ErrorId 'InputObjectConflict,*'
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }
}

Describe '-Headers' {
    It 'adds the headers to a plain request' {
        $null = New-Positions 1
        $null = Get-ProfilePosition -UserId $script:owner.id -Headers @{ 'x-ms-test' = 'plain'; Prefer = 'a', 'b' }
        $request = (Get-GraphRequest -Sandbox $script:sandbox)[0]
        $request.batchId | Should -BeNullOrEmpty
        $request.headers.'x-ms-test' | Should -Be 'plain'
        $request.headers.Prefer | Should -Be 'a, b'
    }

    It 'adds the headers to each $batch item, not to the envelope' {
        # A create left alone when an envelope's short wait ends goes as a plain request; the rest share envelopes.
        $rows = 1..10 | ForEach-Object { [pscustomobject]@{ UserId = $script:owner.id; JobTitle = "Batched $_" } }
        $null = $rows | New-ProfilePosition -Headers @{ 'x-ms-test' = 'batched' } -BatchSize 20
        $requests = Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope
        $creates = @($requests | Where-Object path -NotLike '*/$batch')
        $creates.Count | Should -Be 10
        @($creates | Where-Object batchId).Count | Should -BeGreaterOrEqual 2
        $creates | ForEach-Object { $_.headers.'x-ms-test' | Should -Be 'batched' }
        $envelopes = @($requests | Where-Object path -Like '*/$batch')
        $envelopes | ForEach-Object { $_.headers.PSObject.Properties.Name | Should -Not -Contain 'x-ms-test' }
    }

    It 'refuses <Name> with a clear error and sends nothing' -ForEach @(
        @{ Name = 'Authorization'; Value = 'Bearer x'; ErrorId = 'HeaderNotAllowed' }
        @{ Name = 'host'; Value = 'evil.example'; ErrorId = 'HeaderNotAllowed' }
        @{ Name = 'x-split'; Value = "a`r`nInjected: 1"; ErrorId = 'HeaderInvalid' }
        @{ Name = 'bad name'; Value = 'x'; ErrorId = 'HeaderInvalid' }
    ) {
        $caught = $null
        try { Get-ProfilePosition -UserId $script:owner.id -Headers @{ $Name = $Value } } catch { $caught = $_ }
        $caught.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        "$caught" | Should -BeLike "*-Headers*'$Name'*"
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }
}

Describe '-ResponseHeadersVariable' {
    It 'holds the headers of a plain request''s own answer (alias RHV)' {
        $null = New-Positions 1
        $null = Get-ProfilePosition -UserId $script:owner.id -RHV answer
        $request = (Get-GraphRequest -Sandbox $script:sandbox)[0]
        $answer | Should -BeOfType [hashtable]
        $answer['client-request-id'] | Should -Be $request.clientRequestId
        $answer['REQUEST-ID'] | Should -Not -BeNullOrEmpty -Because 'header names are looked up case-insensitively'
    }

    It 'holds each batched item''s own headers when that item''s output is written' {
        $rows = 1..10 | ForEach-Object { [pscustomobject]@{ UserId = $script:owner.id; JobTitle = "Located $_" } }
        $seen = @($rows | New-ProfilePosition -BatchSize 20 -ResponseHeadersVariable itemHeaders |
                ForEach-Object { [pscustomobject]@{ Id = $_.Id; Location = $itemHeaders['Location'] } })
        @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object batchId).Count | Should -BeGreaterOrEqual 2 -Because 'creates shared $batch envelopes'
        $seen.Count | Should -Be 10
        foreach ($one in $seen) { $one.Location | Should -BeLike "*/profile/positions/$($one.Id)" }
        $itemHeaders['Location'] | Should -BeLike "*/$($seen[-1].Id)" -Because 'after the command the variable holds the last item''s headers'
    }

    It 'is set by Update and Remove too' {
        $ids = New-Positions 1
        $null = Update-ProfilePosition -UserId $script:owner.id -WorkPositionId $ids[0] -JobTitle 'x' -RHV updateHeaders
        Remove-ProfilePosition -UserId $script:owner.id -WorkPositionId $ids[0] -RHV removeHeaders -Confirm:$false
        $requests = Get-GraphRequest -Sandbox $script:sandbox
        $updateHeaders['client-request-id'] | Should -Be $requests[0].clientRequestId
        $removeHeaders['client-request-id'] | Should -Be $requests[1].clientRequestId
    }
}

Describe '-PageSize' {
    It 'asks for <PageSize> per request and, with <Extra>, returns <Expected> of 5' -ForEach @(
        @{ PageSize = 2; Extra = '-All'; Arguments = @{ All = $true }; Expected = 5 }
        @{ PageSize = 2; Extra = 'nothing else'; Arguments = @{}; Expected = 2 }
        @{ PageSize = 2; Extra = '-Top 3'; Arguments = @{ Top = 3 }; Expected = 3 }
        @{ PageSize = 10; Extra = '-All'; Arguments = @{ All = $true }; Expected = 5 }
    ) {
        $ids = New-Positions 5
        $positions = @(Get-ProfilePosition -UserId $script:owner.id -PageSize $PageSize @Arguments)
        $positions.Count | Should -Be $Expected
        @($positions.Id | Select-Object -Unique).Count | Should -Be $Expected
        $positions.Id | ForEach-Object { $_ | Should -BeIn $ids }
        $requests = @(Get-GraphRequest -Sandbox $script:sandbox)
        (Get-RequestQuery $requests[0]) | Should -Match ('\$top=' + [math]::Min($PageSize, ($Arguments.Top ?? $PageSize)) + '$')
        foreach ($request in $requests) {
            [int] ([regex]::Match((Get-RequestQuery $request), '\$top=(\d+)').Groups[1].Value) | Should -BeLessOrEqual $PageSize
        }
    }
}

Describe '-CountVariable' {
    It 'sends $count=true and stores @odata.count, the matching positions before paging (alias CV)' {
        $null = New-Positions 5
        $firstPage = @(Get-ProfilePosition -UserId $script:owner.id -Top 1 -CountVariable total)
        $firstPage.Count | Should -Be 1
        $total | Should -Be 5
        (Get-RequestQuery (Get-GraphRequest -Sandbox $script:sandbox)[0]) | Should -Match '\$count=true'

        $null = Get-ProfilePosition -UserId $script:owner.id -Filter 'isCurrent eq true' -CV current
        $current | Should -Be 2
    }

    It 'sets the variable in the caller''s scope, and in the scope a prefix names' {
        $null = New-Positions 1
        & { $null = Get-ProfilePosition -UserId $script:owner.id -CountVariable inner; $inner | Should -Be 1 }
        Get-Variable inner -Scope 0 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        & { $null = Get-ProfilePosition -UserId $script:owner.id -CountVariable script:fromInside }
        $script:fromInside | Should -Be 1
    }
}

Describe '-ExpandProperty' {
    It 'sends $expand and reports Graph''s own 400 for <Case>' -ForEach @(
        @{ Case = 'a list'; Arguments = @{ ExpandProperty = 'manager' } }
        @{ Case = 'one position (alias Expand)'; Arguments = @{ Expand = 'manager'; WorkPositionId = 'placeholder' } }
    ) {
        $ids = New-Positions 1
        if ($Arguments.WorkPositionId) { $Arguments.WorkPositionId = $ids[0] }
        $output = @(Get-ProfilePosition -UserId $script:owner.id @Arguments -ErrorVariable failed -ErrorAction SilentlyContinue)
        $output | Should -BeNullOrEmpty
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'BadRequest,*'
        "$($failed[0])" | Should -Match "400 BadRequest: .*Query option 'Expand' is not allowed"
        $request = (Get-GraphRequest -Sandbox $script:sandbox)[0]
        $request.status | Should -Be 400
        (Get-RequestQuery $request) | Should -Be '$expand=manager'
    }
}

Describe 'UPN strings piped to Get-ProfilePosition' {
    It 'lists each named user''s positions' {
        $mine = New-Positions 2 -User $script:owner
        $theirs = New-Positions 1 -User $script:other
        $positions = @($script:owner.userPrincipalName, $script:other.userPrincipalName | Get-ProfilePosition)
        $positions.Count | Should -Be 3
        @($positions | Where-Object UserId -EQ $script:owner.userPrincipalName).Id | Sort-Object | Should -Be ($mine | Sort-Object)
        @($positions | Where-Object UserId -EQ $script:other.userPrincipalName).Id | Should -Be $theirs
        $paths = @(Get-GraphRequest -Sandbox $script:sandbox).path | Sort-Object
        $paths | Should -Be (@("/beta/users/$($script:owner.userPrincipalName)/profile/positions", "/beta/users/$($script:other.userPrincipalName)/profile/positions") | Sort-Object)
    }

    It 'fails an empty string as a row without a user, and never reads /me for it' {
        $output = @('' | Get-ProfilePosition -ErrorVariable failed -ErrorAction SilentlyContinue)
        $output | Should -BeNullOrEmpty
        $failed[0].FullyQualifiedErrorId | Should -BeLike 'UserIdMissing,*'
        Get-GraphRequest -Sandbox $script:sandbox | Should -BeNullOrEmpty
    }
}
}
