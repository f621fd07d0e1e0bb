#Requires -Version 7.0
<#
    The module as a whole: what it exports, how its objects look, the CSV round trip, tab completion,
    the 401 error, and a search of every stream and a transcript for the token.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:token = Get-TestToken -Sandbox $script:sandbox -User 'adele.vance@contoso.com' -Scopes 'User.ReadWrite.All'
    $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Exports' {
    It 'exports exactly the eight cmdlets and nothing else' {
        $module = Get-Module ProfilePositions
        @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @(
            'Connect-ProfileGraph', 'Disconnect-ProfileGraph', 'Get-ProfileGraphContext', 'Get-ProfilePosition',
            'New-ProfilePosition', 'Remove-ProfilePosition', 'Sync-ProfilePosition', 'Update-ProfilePosition')
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'exports the testing helpers as functions, and only them' {
        $module = Get-Module ProfilePositions
        @($module.ExportedFunctions.Keys | Sort-Object) | Should -Be @(
            'Add-ProfileGraphSandboxFault'
            'Connect-ProfileGraphSandbox'
            'Get-ProfileGraphSandboxRequest'
            'Reset-ProfileGraphSandbox'
            'Start-ProfileGraphSandbox'
            'Stop-ProfileGraphSandbox'
        )
        # From the nested script module, but a user meets them as the module's own commands.
        (Get-Command Start-ProfileGraphSandbox).ModuleName | Should -Be 'ProfilePositions'
        @($module.NestedModules.Name) | Should -Contain 'ProfilePositions.Testing'
    }

    It 'declares an output type on every cmdlet' {
        foreach ($command in Get-Command -Module ProfilePositions) {
            $command.OutputType.Count | Should -BeGreaterThan 0 -Because $command.Name
        }
    }

    It 'offers -WhatIf and -Confirm on the cmdlets that write' {
        foreach ($name in 'New-ProfilePosition', 'Update-ProfilePosition', 'Remove-ProfilePosition', 'Sync-ProfilePosition') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
            (Get-Command $name).Parameters.Keys | Should -Contain 'Confirm'
        }
    }
}

Describe 'Output objects and the format view' {
    BeforeAll {
        $script:created = New-ProfilePosition -JobTitle 'Format Check' -CompanyName 'View Co' -StartMonthYear '2020-02' -EndMonthYear '2021-03' -IsCurrent:$false
    }

    It 'carries UserId and the type name ProfilePositions.WorkPosition' {
        # Created for /me, it names the signed-in account, so an export of it names its owner.
        $script:created.UserId | Should -Be 'adele.vance@contoso.com'
        $script:created.PSObject.TypeNames | Should -Contain 'ProfilePositions.WorkPosition'
    }

    It 'shows a table of Id, IsCurrent, UserId, JobTitle, CompanyName and the dates (month and year), labelled by property' {
        $lines = @(($script:created | Out-String -Width 250) -split "`r?`n" | Where-Object { $_.Trim() })
        $lines[0] | Should -Match '^Id\s+IsCurrent\s+UserId\s+JobTitle\s+CompanyName\s+StartMonthYear\s+EndMonthYear\s*$'
        $lines[2] | Should -Match "^$([regex]::Escape($script:created.Id))\s+False\s+adele\.vance@contoso\.com\s+Format Check\s+View Co\s+2020-02\s+2021-03\s*$"
    }

    It 'keeps the whole Id in a 120-column console, even beside long titles' {
        $long = New-ProfilePosition -JobTitle ('Senior Product Branding Manager II of Everything ' * 2) -CompanyName ('Adventureworks Holdings ' * 3)
        $text = $script:created, $long | Format-Table | Out-String -Width 120
        $text | Should -Match ([regex]::Escape($long.Id))
        $text | Should -Match ([regex]::Escape($script:created.Id))
    }

    It 'lists the readable fields with Format-List, not JSON' {
        $text = $script:created | Format-List | Out-String -Width 120
        $text | Should -Match 'JobTitle\s+: Format Check'
        $text | Should -Match 'Company\s+:\s+DisplayName : View Co'
        $text | Should -Match 'StartMonthYear\s+: 2020-02'
        $text | Should -Not -Match '\{"'
    }
}

Describe 'CSV round trip' {
    It 'Get-ProfilePosition | Export-Csv, then Import-Csv | New-ProfilePosition reproduces the positions' {
        $source = 'megan.bowen@contoso.com'
        $target = 'innocenty.popov@contoso.com'
        $null = New-ProfilePosition -UserId $source -BodyParameter @{
            detail           = @{ jobTitle = 'Round trip one'; role = 'r1'; startMonthYear = '2019-01-01'; company = @{ displayName = 'Trip Co'; address = @{ city = 'Oslo'; type = 'business' } } }
            isCurrent        = $true
            allowedAudiences = 'organization'
            categories       = @('a', 'b')
            manager          = @{ displayName = 'Boss'; relationship = 'manager' }
            colleagues       = @(@{ displayName = 'Pal'; relationship = 'colleague' })
        }
        $null = New-ProfilePosition -UserId $source -JobTitle 'Round trip two'
        $path = Join-Path $TestDrive 'positions.csv'

        Get-ProfilePosition -UserId $source -All | Export-Csv -Path $path -NoTypeInformation
        $rows = Import-Csv -Path $path
        $rows | ForEach-Object { $_.UserId = $target }
        $copies = @($rows | New-ProfilePosition)

        $originals = @(Get-ProfilePosition -UserId $source -All)
        $originals.Count | Should -Be 2
        @($rows).Count | Should -Be 2
        $copies.Count | Should -Be $originals.Count
        $comparable = { param($p) ConvertTo-CanonicalJson ([ordered]@{
                    detail = ConvertFrom-Json ([string]$p.Detail) -AsHashtable; isCurrent = $p.IsCurrent; allowedAudiences = $p.AllowedAudiences
                    categories = @($p.Categories); manager = "$($p.Manager)"; colleagues = "$($p.Colleagues)" }) }
        $expected = @($originals | ForEach-Object { & $comparable $_ } | Sort-Object)
        $actual = @(Get-ProfilePosition -UserId $target -All | ForEach-Object { & $comparable $_ } | Sort-Object)
        $actual | Should -Be $expected
    }
}

Describe 'Tab completion' {
    It 'completes -AllowedAudiences with the seven values' {
        $line = 'New-ProfilePosition -AllowedAudiences '
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        @($completions | Sort-Object) | Should -Be @('contacts', 'everyone', 'family', 'federatedOrganizations', 'groupMembers', 'me', 'organization')
    }

    It 'completes -AddressType on <Command>' -ForEach @(@{ Command = 'New-ProfilePosition' }, @{ Command = 'Update-ProfilePosition' }) {
        $line = "$Command -AddressType b"
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        @($completions) | Should -Be @('business')
    }

    It 'completes <Line>' -ForEach @(
        @{ Line = 'Connect-ProfileGraph -Scopes User.ReadW'; Expected = @('User.ReadWrite', 'User.ReadWrite.All') }
        @{ Line = 'Get-ProfilePosition -Property is'; Expected = @('isCurrent', 'isSearchable') }
        @{ Line = 'Get-ProfilePosition -Sort detail/'; Expected = @('detail/jobTitle', 'detail/startMonthYear') }
    ) {
        $completions = (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
        @($completions) | Should -Be $Expected
    }
}

Describe 'The token never leaks' {
    It 'appears in no stream, error, -WhatIf text or transcript, whatever the command does' {
        $transcript = Join-Path $TestDrive 'transcript.txt'
        Start-Transcript -Path $transcript -UseMinimalHeader | Out-Null
        try {
            $everything = & {
                # Per-item errors must be written, not thrown, whatever preference the caller runs under.
                $ErrorActionPreference = 'Continue'
                $context = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri -Verbose -Debug
                $context | Format-List * | Out-String
                Get-ProfileGraphContext | Format-List * | Out-String
                $created = New-ProfilePosition -JobTitle 'Leak check' -Verbose -Debug
                $created | Format-List * | Out-String
                New-ProfilePosition -JobTitle 'Leak check what if' -WhatIf -Verbose
                Get-ProfilePosition -All -Verbose -Debug | Format-Table | Out-String
                Update-ProfilePosition -Id $created.Id -JobTitle 'Leak check 2' -Verbose -Debug
                Get-ProfilePosition -Id 'missing' -Verbose -Debug
                Update-ProfilePosition -Id 'missing' -BodyParameter @{ isCurrent = 'nonsense' } -Verbose
                Remove-ProfilePosition -Id $created.Id -Verbose -Debug -Confirm:$false
                Remove-ProfilePosition -Id 'missing' -Verbose -Debug
                Disconnect-ProfileGraph -PassThru -Verbose | Format-List * | Out-String
            } *>&1 -ErrorAction Continue -WarningAction Continue -InformationAction Continue
        }
        finally {
            Stop-Transcript | Out-Null
            $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
        }

        $streams = @($everything | ForEach-Object {
                if ($_ -is [System.Management.Automation.ErrorRecord]) { "$_"; $_.Exception.ToString(); "$($_.ErrorDetails)"; "$($_.TargetObject)" }
                else { "$_" }
            }) -join "`n"
        @($everything | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
        @($everything | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -BeGreaterThan 0
        $streams | Should -Not -Match ([regex]::Escape($script:token))
        (Get-Content $transcript -Raw) | Should -Match 'What if'
        (Get-Content $transcript -Raw) | Should -Not -Match ([regex]::Escape($script:token))
        foreach ($record in $Error) { "$record $($record.Exception)" | Should -Not -Match ([regex]::Escape($script:token)) }
    }

    It 'is not in the 401 error written when the token has expired, which says to reconnect' {
        $expired = Get-TestToken -Sandbox $script:sandbox -User 'adele.vance@contoso.com' -Lifetime -600
        $failure = $null
        try {
            $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $expired -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri -WarningAction SilentlyContinue
            # A 401 that cannot be fixed stops the command (one terminating error), rather than failing each item.
            $null = Get-ProfilePosition -ErrorVariable failures -ErrorAction SilentlyContinue
        }
        catch { $failure = $_ }
        finally {
            $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $script:token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri
        }

        $failure | Should -Not -BeNullOrEmpty
        $failure.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $failure.FullyQualifiedErrorId | Should -Be 'InvalidAuthenticationToken,ProfilePositions.Commands.GetProfilePositionCommand'
        $failure.Exception.Message | Should -Match '401'
        $failure.Exception.Message | Should -Match 'request-id'
        $failure.Exception.Message | Should -Match 'expired at .* Connect-ProfileGraph -AccessToken again'
        "$failure $($failure.Exception) $($failure.ErrorDetails)" | Should -Not -Match ([regex]::Escape($expired))
    }
}
