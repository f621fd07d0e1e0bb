#Requires -Version 7.0
<#
    Remove-ProfilePosition as a user drives it: every -UserId form, Get | Remove, -PassThru, -WhatIf,
    -Confirm answered yes and no in a real console session, and per-item errors.
#>

BeforeDiscovery {
    # The forms -UserId can take (resolved to the sandbox's demo users in BeforeAll).
    $FormCases = @('an object id', 'a UPN', 'a guest #EXT# UPN', 'a UPN starting with $', 'a UPN with an apostrophe', 'me', 'omitted') |
        ForEach-Object { @{ Form = $_ } }
}

BeforeAll {
    $modulePath = if ($env:PROFILEPOSITIONS_MODULE) { $env:PROFILEPOSITIONS_MODULE } else { Join-Path $PSScriptRoot '../../out/ProfilePositions/ProfilePositions.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force

    function Get-GraphRequest {
        # The Graph calls the sandbox received, oldest first; its own admin routes are left out.
        @(Get-SandboxJournal -Sandbox $script:sandbox | ForEach-Object { $_ } | Where-Object { $_.path -notlike '/_sandbox*' })
    }

    function Get-RequestJson($Entry) {
        # The body the sandbox received, parsed into ordered hashtables; $null when there was none.
        $body = $Entry.body
        if ($null -eq $body -or ($body -is [string] -and $body.Trim() -eq '')) { return $null }
        if ($body -isnot [string]) { $body = ConvertTo-Json -InputObject $body -Depth 30 -Compress }
        ConvertFrom-Json -InputObject $body -AsHashtable -DateKind String -NoEnumerate
    }

    function Get-RequestQuery($Entry) {
        # The decoded query string of a journal entry ('' when there was none).
        if ($Entry.query) { [uri]::UnescapeDataString(($Entry.query -replace '\+', ' ')) } else { '' }
    }

    function ConvertTo-CanonicalJson($Value) {
        # JSON with object keys sorted at every level, so two bodies compare by content, not by key order.
        function Sort-Value($v) {
            if ($v -is [System.Collections.IDictionary]) {
                $sorted = [ordered]@{}
                foreach ($key in @($v.Keys) | Sort-Object) { $sorted[$key] = Sort-Value $v[$key] }
                return $sorted
            }
            if ($v -is [System.Collections.IList]) { return , @($v | ForEach-Object { Sort-Value $_ }) }
            return $v
        }
        ConvertTo-Json -InputObject (Sort-Value $Value) -Depth 30 -Compress
    }

    function Test-UserPath([string] $Path, [string] $User, [string] $Rest) {
        # True when a request path addresses $User's profile positions ($Rest follows /profile/positions),
        # in either form Graph accepts: /users/{key} or /users('{key}') with apostrophes doubled.
        $decoded = [uri]::UnescapeDataString(($Path -split '\?')[0])
        $quoted = $User -replace "'", "''"
        $decoded -ceq "/beta/users/$User/profile/positions$Rest" -or $decoded -ceq "/beta/users('$quoted')/profile/positions$Rest"
    }
    $script:sandbox = Start-TestSandbox
    $script:users = @(Get-SandboxUsers -Sandbox $script:sandbox | ForEach-Object { $_ })
    function Find-User([scriptblock] $Where) { @($script:users | Where-Object $Where)[0] }
    $script:signedIn = Find-User { $_.userPrincipalName -like 'adele.vance@*' }
    $megan = Find-User { $_.userPrincipalName -like 'megan.bowen@*' }
    $innocenty = Find-User { $_.userPrincipalName -like 'innocenty.popov@*' }
    $guest = Find-User { $_.userPrincipalName -like '*#EXT#*' }
    $dollar = Find-User { $_.userPrincipalName -like '$*' }
    $apostrophe = Find-User { $_.userPrincipalName -like "*'*" }
    # Every way -UserId can be given: the value passed (none when omitted), the user it must reach,
    # and the UserId the output objects carry.
    $script:UserForms = @{
        'an object id'              = @{ Value = $megan.id; OwnerId = $megan.id; PathUser = $megan.id; OutputUserId = $megan.id }
        'a UPN'                     = @{ Value = $innocenty.userPrincipalName; OwnerId = $innocenty.id; PathUser = $innocenty.userPrincipalName; OutputUserId = $innocenty.userPrincipalName }
        'a guest #EXT# UPN'         = @{ Value = $guest.userPrincipalName; OwnerId = $guest.id; PathUser = $guest.userPrincipalName; OutputUserId = $guest.userPrincipalName }
        'a UPN starting with $'     = @{ Value = $dollar.userPrincipalName; OwnerId = $dollar.id; PathUser = $dollar.userPrincipalName; OutputUserId = $dollar.userPrincipalName }
        'a UPN with an apostrophe'  = @{ Value = $apostrophe.userPrincipalName; OwnerId = $apostrophe.id; PathUser = $apostrophe.userPrincipalName; OutputUserId = $apostrophe.userPrincipalName }
        'me'                        = @{ Value = 'me'; OwnerId = $script:signedIn.id; PathUser = 'me'; OutputUserId = 'me' }
        'omitted'                   = @{ Value = $null; OwnerId = $script:signedIn.id; PathUser = 'me'; OutputUserId = 'me' }
    }

    function Test-RequestUser([string] $Path, $Form, [string] $Rest = '') {
        if ($Form.PathUser -eq 'me') {
            $decoded = [uri]::UnescapeDataString(($Path -split '\?')[0])
            return $decoded -ceq "/beta/me/profile/positions$Rest"
        }
        Test-UserPath -Path $Path -User $Form.PathUser -Rest $Rest
    }

    $script:adminToken = Get-TestToken -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Scopes 'User.ReadWrite.All'
    function New-SeedPosition([string] $OwnerId, [hashtable] $Body) {
        # Seeds a position straight through the sandbox's Graph API, by object id, without the module.
        $parameters = @{
            Method      = 'POST'
            Uri         = "$($script:sandbox.BaseUri)/beta/users/$OwnerId/profile/positions"
            Headers     = @{ Authorization = "Bearer $script:adminToken" }
            ContentType = 'application/json'
            Body        = ConvertTo-Json -InputObject $Body -Depth 10
        }
        Invoke-RestMethod @parameters
    }

    function Get-StoredPosition([string] $OwnerId) {
        # What the sandbox holds for a user, read straight through its Graph API.
        $uri = "$($script:sandbox.BaseUri)/beta/users/$OwnerId/profile/positions"
        while ($uri) {
            $page = Invoke-RestMethod -Uri $uri -Headers @{ Authorization = "Bearer $script:adminToken" }
            $page.value
            $uri = $page.'@odata.nextLink'
        }
    }
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName

    function New-Target([string] $OwnerId, [string] $Title = 'To remove') {
        $seeded = New-SeedPosition -OwnerId $OwnerId -Body @{ detail = @{ jobTitle = $Title } }
        Clear-SandboxJournal -Sandbox $script:sandbox
        $seeded
    }

    function Invoke-ConsoleSession([string[]] $Lines) {
        # Runs lines in a fresh pwsh that reads its commands, and any prompt's answer, from standard input,
        # the way a person types them. Returns everything the console printed.
        $env:PP_TEST_MODULE = (Get-Module ProfilePositions).Path -replace '\.dll$', '.psd1'
        $env:PP_TEST_TOKEN = Get-TestToken -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
        $env:PP_TEST_ENDPOINT = $script:sandbox.BaseUri
        try {
            $setup = 'Import-Module $env:PP_TEST_MODULE; $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $env:PP_TEST_TOKEN -AsPlainText -Force) -GraphEndpoint $env:PP_TEST_ENDPOINT'
            $pwsh = (Get-Process -Id $PID).Path
            $arguments = if ($pwsh -like '*dotnet*') { @('pwsh', '-NoProfile', '-Command', '-') } else { @('-NoProfile', '-Command', '-') }
            (@($setup) + $Lines + 'exit') -join "`n" | & $pwsh @arguments 2>&1 | Out-String
        }
        finally {
            Remove-Item Env:PP_TEST_TOKEN, Env:PP_TEST_MODULE, Env:PP_TEST_ENDPOINT -ErrorAction SilentlyContinue
        }
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
        $requests = Get-GraphRequest
        $requests.Count | Should -Be 1
        $requests[0].method | Should -Be 'DELETE'
        Test-RequestUser -Path $requests[0].path -Form $userForm -Rest "/$($target.id)" | Should -BeTrue -Because "the path was $($requests[0].path)"
        (Get-StoredPosition -OwnerId $userForm.OwnerId).id | Should -Not -Contain $target.id
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
        $requests = Get-GraphRequest
        @($requests.method | Sort-Object -Unique) | Should -Be @('DELETE')
        foreach ($index in 0, 1) {
            Test-RequestUser -Path $requests[$index].path -Form $owner -Rest "/$($positions[$index].Id)" | Should -BeTrue
        }
        (Get-StoredPosition -OwnerId $owner.OwnerId).id | Where-Object { $_ -in $ids } | Should -BeNullOrEmpty
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
        (Get-GraphRequest).Count | Should -Be 0
        (Get-StoredPosition -OwnerId $script:signedIn.id).id | Should -Contain $target.id
    }

    It '-Confirm asks first; answering N deletes nothing' {
        $target = New-Target -OwnerId $script:signedIn.id

        $console = Invoke-ConsoleSession -Lines "Remove-ProfilePosition -Id '$($target.id)' -Confirm", 'N'

        $console | Should -Match ([regex]::Escape($target.id))
        $console | Should -Match 'DELETE'
        (Get-GraphRequest | Where-Object method -EQ 'DELETE').Count | Should -Be 0
        (Get-StoredPosition -OwnerId $script:signedIn.id).id | Should -Contain $target.id
    }

    It '-Confirm asks first; answering Y deletes' {
        $target = New-Target -OwnerId $script:signedIn.id

        $null = Invoke-ConsoleSession -Lines "Remove-ProfilePosition -Id '$($target.id)' -Confirm", 'Y'

        (Get-GraphRequest | Where-Object method -EQ 'DELETE').Count | Should -Be 1
        (Get-StoredPosition -OwnerId $script:signedIn.id).id | Should -Not -Contain $target.id
    }
}

Describe 'Remove-ProfilePosition errors' {
    BeforeEach { Clear-SandboxJournal -Sandbox $script:sandbox }

    It 'writes one ObjectNotFound error with the id as target and goes on with the next piped position' {
        $target = New-Target -OwnerId $script:signedIn.id
        $items = [pscustomobject]@{ Id = 'gone-already' }, [pscustomobject]@{ Id = $target.id }

        $output = @($items | Remove-ProfilePosition -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)

        $output | Should -Be @($true)
        $failures.Count | Should -Be 1
        $failures[0].TargetObject | Should -Be 'gone-already'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $failures[0].FullyQualifiedErrorId | Should -BeLike '*,ProfilePositions.Commands.RemoveProfilePositionCommand'
        $failures[0].Exception.Message | Should -Match '404'
        $failures[0].Exception.Message | Should -Match 'request-id'
        $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'says which scope is missing on 403 when the token only allows the own profile' {
        $target = New-Target -OwnerId $script:UserForms['an object id'].OwnerId
        $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Scopes 'User.ReadWrite'
        try {
            Remove-ProfilePosition -UserId $script:UserForms['an object id'].Value -Id $target.id -ErrorVariable failures -ErrorAction SilentlyContinue
        }
        finally {
            $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
        }

        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failures[0].Exception.Message | Should -Match '403'
        $failures[0].Exception.Message | Should -Match 'request-id'
        $failures[0].ErrorDetails.RecommendedAction | Should -Match 'User\.ReadWrite\.All'
        $failures[0].FullyQualifiedErrorId | Should -Match '^\w+,ProfilePositions\.Commands\.RemoveProfilePositionCommand$'
    }
}
