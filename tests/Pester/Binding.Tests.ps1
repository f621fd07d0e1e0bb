#Requires -Version 7.0
<#
    The binding matrix (docs/ARCHITECTURE.md, "Pipeline input"): for each kind of piped object and each position
    cmdlet, how the cmdlet reads the object (the verbose line "Row 1: ...") and what reaches the sandbox (its
    journal). Later issues add rows here for every new kind of input and every new parameter.

    Kinds: a body (dictionary, PSCustomObject whose members are all workPosition members or @odata.*, JSON text),
    a row (CSV row, JSON backup, HR export, user object, row-shaped dictionary, and for Get plain text: a user id), and
    the module's own output. Rows with the parameters Microsoft's cmdlets have (-InputObject, -Headers,
    -ResponseHeadersVariable, -PageSize, -CountVariable, -ExpandProperty) check what those add: Query (the request's
    query), Headers (request headers), GraphError (Graph's own error for the item), After (a check of what the run left).
    The output's read-only views (JobTitle, CompanyName, Department, StartMonthYear, EndMonthYear) bind from a row as the
    flat parameters do and must agree with its Detail; from the output itself or a body they are never sent.
#>

BeforeDiscovery {
    $Cases = @(
        # ---- New-ProfilePosition ----
        @{ Name = 'New: a hashtable'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { @{ detail = @{ jobTitle = 'From a hashtable' } } | New-ProfilePosition -UserId $owner }
            Sent = @{ detail = @{ jobTitle = 'From a hashtable' } } }
        @{ Name = 'New: an ordered dictionary'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { [ordered]@{ isCurrent = $true; detail = [ordered]@{ jobTitle = 'Ordered' } } | New-ProfilePosition -UserId $owner }
            Sent = @{ isCurrent = $true; detail = @{ jobTitle = 'Ordered' } } }
        @{ Name = 'New: ConvertFrom-Json -AsHashtable (case-sensitive keys)'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { '{"Detail":{"JobTitle":"As hashtable"}}' | ConvertFrom-Json -AsHashtable | New-ProfilePosition -UserId $owner }
            Sent = @{ detail = @{ jobTitle = 'As hashtable' } } }
        @{ Name = 'New: a PSCustomObject of workPosition members'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { [pscustomobject]@{ detail = @{ jobTitle = 'Body object' }; isCurrent = $false } | New-ProfilePosition -UserId $owner }
            Sent = @{ detail = @{ jobTitle = 'Body object' }; isCurrent = $false } }
        @{ Name = 'New: a PSCustomObject with @odata.type'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { [pscustomobject]@{ '@odata.type' = '#microsoft.graph.workPosition'; detail = @{ jobTitle = 'Typed' } } | New-ProfilePosition -UserId $owner }
            Sent = @{ '@odata.type' = '#microsoft.graph.workPosition'; detail = @{ jobTitle = 'Typed' } } }
        @{ Name = 'New: JSON text'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { '{"detail":{"jobTitle":"JSON text"}}' | New-ProfilePosition -UserId $owner }
            Sent = @{ detail = @{ jobTitle = 'JSON text' } } }
        @{ Name = 'New: a CSV row'; Kind = 'a row; its columns bind -UserId, -JobTitle, -IsCurrent, -Categories'; Method = 'POST'
            Run = { "UserId,JobTitle,IsCurrent,Categories`n$owner,Csv row,Yes,`"[`"`"a`"`"]`"" | ConvertFrom-Csv | New-ProfilePosition }
            Sent = @{ detail = @{ jobTitle = 'Csv row' }; isCurrent = $true; categories = @('a') } }
        @{ Name = 'New: a row-shaped hashtable'; Kind = 'a row; its columns bind -UserId, -JobTitle'; Method = 'POST'
            Run = { [ordered]@{ UserId = $owner; JobTitle = 'Row hashtable' } | New-ProfilePosition }
            Sent = @{ detail = @{ jobTitle = 'Row hashtable' } } }
        @{ Name = 'New: a user object with -JobTitle'; Kind = 'a row; its columns bind -UserId; ignored: DisplayName'; Method = 'POST'
            Run = { [pscustomobject]@{ Id = 'ignored-user-object-id'; UserPrincipalName = $owner; DisplayName = 'Innocenty' } | New-ProfilePosition -JobTitle 'For a user object' }
            Sent = @{ detail = @{ jobTitle = 'For a user object' } } }
        @{ Name = 'New: a position from Get-ProfilePosition, piped alone'; Kind = 'a position from this module, written as it is'; Method = 'POST'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | New-ProfilePosition }
            SentLike = @{ detail = @{ jobTitle = 'Matrix target'; company = @{ displayName = 'Matrix Co' } } } }
        @{ Name = 'New: a position from Get-ProfilePosition with -JobTitle'; Kind = 'a position from this module; only its UserId and Id are used'; Method = 'POST'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | New-ProfilePosition -JobTitle 'Only this' }
            Sent = @{ detail = @{ jobTitle = 'Only this' } } }
        @{ Name = 'New: a JSON backup of Get-ProfilePosition (carries UserId)'; Kind = 'a row; its columns bind -AllowedAudiences, -Categories, -Colleagues, -Detail, -Inference, -IsCurrent, -IsSearchable, -Manager, -Source, -Sources, -UserId, -JobTitle, -CompanyName, -Department, -StartMonthYear, -EndMonthYear, -AdditionalProperties'; Method = 'POST'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | ConvertTo-Json -Depth 10 | ConvertFrom-Json | New-ProfilePosition -UserId $owner }
            SentLike = @{ detail = @{ jobTitle = 'Matrix target'; company = @{ displayName = 'Matrix Co' } }; isCurrent = $true } }
        @{ Name = 'New: an Export-Csv row of Get-ProfilePosition (its read-only views beside Detail)'; Kind = 'a row; its columns bind -StartMonthYear, -EndMonthYear, -AllowedAudiences, -Categories, -Colleagues, -Detail, -Inference, -IsCurrent, -IsSearchable, -Manager, -Source, -Sources, -UserId, -JobTitle, -CompanyName, -Department, -AdditionalProperties'; Method = 'POST'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | ConvertTo-Csv | ConvertFrom-Csv | New-ProfilePosition }
            Sent = @{ detail = @{ jobTitle = 'Matrix target'; company = @{ displayName = 'Matrix Co' } }; isCurrent = $true; allowedAudiences = 'organization' } }
        @{ Name = 'New: an Export-Csv row whose JobTitle disagrees with its Detail'; Kind = 'a row; its columns bind -StartMonthYear, -EndMonthYear, -AllowedAudiences, -Categories, -Colleagues, -Detail, -Inference, -IsCurrent, -IsSearchable, -Manager, -Source, -Sources, -UserId, -JobTitle, -CompanyName, -Department, -AdditionalProperties'; Method = $null; ErrorId = 'InvalidPositionInput'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | ConvertTo-Csv | ConvertFrom-Csv | ForEach-Object { $_.JobTitle = 'Edited'; $_ } | New-ProfilePosition } }
        @{ Name = 'New: ConvertTo-Json text of a position from Get-ProfilePosition'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | ConvertTo-Json -Depth 10 | New-ProfilePosition -UserId $owner }
            SentLike = @{ detail = @{ jobTitle = 'Matrix target'; company = @{ displayName = 'Matrix Co' } }; isCurrent = $true } }
        @{ Name = 'New: a position from Import-Clixml (deserialised), piped alone'; Kind = 'a position from this module, written as it is'; Method = 'POST'
            Run = { $path = Join-Path $TestDrive 'position.xml'; Get-ProfilePosition -UserId $owner -WorkPositionId $target | Export-Clixml $path; Import-Clixml $path | New-ProfilePosition }
            SentLike = @{ detail = @{ jobTitle = 'Matrix target'; company = @{ displayName = 'Matrix Co' } }; isCurrent = $true } }
        @{ Name = 'New: a hashtable piped without -UserId'; Kind = 'a body: the whole position, as JSON members'; Method = $null; ErrorId = 'UserIdMissing'
            Run = { @{ detail = @{ jobTitle = 'Nobody named' } } | New-ProfilePosition } }
        @{ Name = 'New: a CSV row with -ResponseHeadersVariable'; Kind = 'a row; its columns bind -UserId, -JobTitle'; Method = 'POST'
            Run = { "UserId,JobTitle`n$owner,Located" | ConvertFrom-Csv | New-ProfilePosition -ResponseHeadersVariable rhv | ForEach-Object { $script:MatrixSeen = @{ Location = $rhv['Location']; Id = $_.Id } } }
            Sent = @{ detail = @{ jobTitle = 'Located' } }
            After = { $script:MatrixSeen.Location | Should -BeLike "*/profile/positions/$($script:MatrixSeen.Id)" } }
        @{ Name = 'New: a hashtable body with -InputObject'; Kind = 'a body: the whole position, as JSON members'; Method = 'POST'
            Run = { @{ detail = @{ jobTitle = 'Identity body' } } | New-ProfilePosition -InputObject @{ UserId = $owner } }
            Sent = @{ detail = @{ jobTitle = 'Identity body' } } }
        @{ Name = 'New: a semicolon CSV read without -Delimiter'; Kind = 'a row; no column binds; ignored: UserId;JobTitle'; Method = $null; ErrorId = 'UserIdMissing'
            Run = { "UserId;JobTitle`n$owner;Semicolon" | ConvertFrom-Csv | New-ProfilePosition } }

        # ---- Update-ProfilePosition ----
        @{ Name = 'Update: a CSV row of UserId, Id, IsCurrent and JobTitle'; Kind = 'a row; its columns bind -UserId, -WorkPositionId, -IsCurrent, -JobTitle'; Method = 'PATCH'
            Run = { "UserId,Id,IsCurrent,JobTitle`n$owner,$target,False,Z" | ConvertFrom-Csv | Update-ProfilePosition }
            Sent = @{ isCurrent = $false; detail = @{ jobTitle = 'Z' } } }
        @{ Name = 'Update: a CSV row of Graph members and flat columns'; Kind = 'a row; its columns bind -UserId, -WorkPositionId, -AllowedAudiences, -Categories, -Department'; Method = 'PATCH'
            Run = { "UserId,Id,AllowedAudiences,Categories,Department`n$owner,$target,organization,`"[`"`"x`"`"]`",R&D" | ConvertFrom-Csv | Update-ProfilePosition }
            Sent = @{ allowedAudiences = 'organization'; categories = @('x'); detail = @{ company = @{ department = 'R&D' } } } }
        @{ Name = 'Update: an Export-Csv row of Get-ProfilePosition with -Role'; Kind = 'a row; its columns bind -StartMonthYear, -EndMonthYear, -WorkPositionId, -AllowedAudiences, -Categories, -Colleagues, -Detail, -Inference, -IsCurrent, -IsSearchable, -Manager, -Source, -Sources, -UserId, -JobTitle, -CompanyName, -Department, -AdditionalProperties'; Method = 'PATCH'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | ConvertTo-Csv | ConvertFrom-Csv | Update-ProfilePosition -Role 'Reviewer' }
            Sent = @{ detail = @{ jobTitle = 'Matrix target'; role = 'Reviewer'; company = @{ displayName = 'Matrix Co' } }; isCurrent = $true; allowedAudiences = 'organization' } }
        @{ Name = 'Update: a position from Get-ProfilePosition with -JobTitle'; Kind = 'a position from this module; only its UserId and Id are used'; Method = 'PATCH'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | Update-ProfilePosition -JobTitle 'Renamed' }
            Sent = @{ detail = @{ jobTitle = 'Renamed' } } }
        @{ Name = 'Update: a position from Get-ProfilePosition, piped alone'; Kind = 'a position from this module, written as it is'; Method = 'PATCH'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | Update-ProfilePosition -WarningAction SilentlyContinue }
            SentLike = @{ detail = @{ jobTitle = 'Matrix target' } } }
        @{ Name = 'Update: a hashtable body with -UserId and -Id'; Kind = 'a body: the whole position, as JSON members'; Method = 'PATCH'
            Run = { @{ detail = @{ role = 'Piped body' } } | Update-ProfilePosition -UserId $owner -Id $target }
            Sent = @{ detail = @{ role = 'Piped body' } } }
        @{ Name = 'Update: a CSV row with -Headers'; Kind = 'a row; its columns bind -UserId, -WorkPositionId, -JobTitle'; Method = 'PATCH'
            Run = { "UserId,Id,JobTitle`n$owner,$target,With header" | ConvertFrom-Csv | Update-ProfilePosition -Headers @{ 'x-ms-matrix' = 'row' } }
            Sent = @{ detail = @{ jobTitle = 'With header' } }; Headers = @{ 'x-ms-matrix' = 'row' } }
        @{ Name = 'Update: a CSV row of JobTitle with -InputObject (user and position)'; Kind = 'a row; its columns bind -JobTitle'; Method = 'PATCH'
            Run = { "JobTitle`nFrom row" | ConvertFrom-Csv | Update-ProfilePosition -InputObject @{ UserId = $owner; WorkPositionId = $target } }
            Sent = @{ detail = @{ jobTitle = 'From row' } } }
        @{ Name = 'Update: a row without UserId'; Kind = 'a row; its columns bind -WorkPositionId, -JobTitle'; Method = $null; ErrorId = 'UserIdMissing'
            Run = { [pscustomobject]@{ Id = $target; JobTitle = 'Nobody' } | Update-ProfilePosition } }

        # ---- Remove-ProfilePosition ----
        @{ Name = 'Remove: a position from Get-ProfilePosition'; Kind = 'a position from this module; only its UserId and Id are used'; Method = 'DELETE'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | Remove-ProfilePosition -Confirm:$false } }
        @{ Name = 'Remove: a CSV row of UserId and Id'; Kind = 'a row; its columns bind -UserId, -WorkPositionId'; Method = 'DELETE'
            Run = { "UserId,Id`n$owner,$target" | ConvertFrom-Csv | Remove-ProfilePosition -Confirm:$false } }
        @{ Name = 'Remove: a position from Get-ProfilePosition with -Headers'; Kind = 'a position from this module; only its UserId and Id are used'; Method = 'DELETE'
            Run = { Get-ProfilePosition -UserId $owner -WorkPositionId $target | Remove-ProfilePosition -Headers @{ 'If-Match' = '*' } -Confirm:$false }
            Headers = @{ 'If-Match' = '*' } }
        @{ Name = 'Remove: a row without UserId'; Kind = 'a row; its columns bind -WorkPositionId'; Method = $null; ErrorId = 'UserIdMissing'
            Run = { [pscustomobject]@{ Id = $target } | Remove-ProfilePosition -Confirm:$false } }

        # ---- Get-ProfilePosition ----
        @{ Name = 'Get: a user object'; Kind = 'a row; its columns bind -UserId; ignored: DisplayName'; Method = 'GET'
            Run = { [pscustomobject]@{ UserPrincipalName = $owner; DisplayName = 'Innocenty' } | Get-ProfilePosition } }
        @{ Name = 'Get: UPN text'; Kind = 'text, read as the user id'; Method = 'GET'
            Run = { $owner | Get-ProfilePosition } }
        @{ Name = 'Get: empty text'; Kind = 'text, read as the user id'; Method = $null; ErrorId = 'UserIdMissing'
            Run = { '' | Get-ProfilePosition } }
        @{ Name = 'Get: a user object with -PageSize and -CountVariable'; Kind = 'a row; its columns bind -UserId; ignored: DisplayName'; Method = 'GET'
            Run = { [pscustomobject]@{ UserPrincipalName = $owner; DisplayName = 'Innocenty' } | Get-ProfilePosition -PageSize 2 -CountVariable n | ForEach-Object { $script:MatrixSeen = $n } }
            Query = '^\$count=true&\$top=2$'; After = { $script:MatrixSeen | Should -Be @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:ownerUser.id).Count } }
        @{ Name = 'Get: a user object with -ExpandProperty'; Kind = 'a row; its columns bind -UserId; ignored: DisplayName'; Method = 'GET'; GraphError = 'BadRequest'
            Run = { [pscustomobject]@{ UserPrincipalName = $owner; DisplayName = 'Innocenty' } | Get-ProfilePosition -ExpandProperty manager }
            Query = '^\$expand=manager$' }
        @{ Name = 'Get: a user object with -InputObject naming a position'; Kind = 'a row; its columns bind -UserId; ignored: DisplayName'; Method = 'GET'
            Run = { [pscustomobject]@{ UserPrincipalName = 'someone.else@contoso.com'; DisplayName = 'Innocenty' } | Get-ProfilePosition -InputObject @{ UserId = $owner; WorkPositionId = $target } -WarningAction SilentlyContinue }
            After = { (Get-GraphRequest -Sandbox $script:sandbox)[0].path | Should -BeLike "*/$target" } }
        @{ Name = 'Get: a row without UserId'; Kind = 'a row; no column binds; ignored: Name'; Method = $null; ErrorId = 'UserIdMissing'
            Run = { [pscustomobject]@{ Name = 'nobody' } | Get-ProfilePosition } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox -ExtraArgs '--loose'
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:ownerUser = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'innocenty.popov@*'
    $null = Connect-TestSandbox -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Binding matrix' {
    BeforeEach {
        $owner = $script:ownerUser.userPrincipalName
        $target = (New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:ownerUser.id -Body @{ detail = @{ jobTitle = 'Matrix target'; company = @{ displayName = 'Matrix Co' } }; isCurrent = $true }).id
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It '<Name>' -ForEach $Cases {
        $output = & {
            $VerbosePreference = 'Continue'
            $WarningPreference = 'SilentlyContinue'
            $ErrorActionPreference = 'Continue'
            & $Run
        } 2>&1 4>&1
        $verbose = @($output | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $failures = @($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] })

        $verbose | Should -Contain "Row 1: $Kind." -Because 'the verbose line says how the piped object was read'
        $requests = @(Get-GraphRequest -Sandbox $script:sandbox | Where-Object { $_.method -ne 'GET' -or $Method -eq 'GET' })
        if ($null -eq $Method) {
            $requests | Should -BeNullOrEmpty -Because 'nothing may be sent for this row'
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
            "$($failures[0])" | Should -BeLike 'Row 1 (*'
            return
        }

        if ($GraphError) {
            @($failures).Count | Should -Be 1
            $failures[0].FullyQualifiedErrorId | Should -BeLike "$GraphError,*"
        }
        else {
            @($failures) | Should -BeNullOrEmpty
        }
        $requests.Count | Should -Be 1
        $requests[0].method | Should -Be $Method
        $requests[0].path | Should -Match ([regex]::Escape($script:ownerUser.userPrincipalName) + '|' + $script:ownerUser.id)
        $requests[0].caller | Should -Be $script:signedIn.userPrincipalName
        if ($Method -eq 'DELETE') { $requests[0].path | Should -BeLike "*/$target" }
        if ($Query) { (Get-RequestQuery $requests[0]) | Should -Match $Query }
        foreach ($header in @(if ($Headers) { $Headers.GetEnumerator() })) { $requests[0].headers.($header.Key) | Should -Be $header.Value }
        if ($After) { & $After }
        if ($Sent) {
            ConvertTo-CanonicalJson (Get-RequestJson $requests[0]) | Should -BeExactly (ConvertTo-CanonicalJson $Sent)
        }
        if ($SentLike) {
            $sentBody = Get-RequestJson $requests[0]
            $sentBody.detail.jobTitle | Should -Be $SentLike.detail.jobTitle
            if ($SentLike.detail.company) { $sentBody.detail.company.displayName | Should -Be $SentLike.detail.company.displayName }
            if ($SentLike.ContainsKey('isCurrent')) { $sentBody.isCurrent | Should -Be $SentLike.isCurrent }
            @($sentBody.Keys | Where-Object { $_ -in 'id', 'createdBy', 'createdDateTime', 'lastModifiedBy', 'lastModifiedDateTime', 'UserId', 'AdditionalProperties', 'JobTitle', 'CompanyName', 'Department', 'StartMonthYear', 'EndMonthYear' -or $_ -like '@odata.*' }) |
                Should -BeNullOrEmpty -Because 'helper and read-only members are never sent back'
            @($sentBody.detail.Keys) | Should -Not -Contain 'AdditionalProperties'
        }
    }
}
