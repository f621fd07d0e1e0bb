#Requires -Version 7.0
<#
    Every example of Microsoft's documentation for New-, Get-, Update- and Remove-MgBetaUserProfilePosition (and the
    older *-MgUserProfilePosition snippets) runs unchanged but for the cmdlet name and the Import-Module line.

    The examples are kept verbatim in MgExamples/ (README.md there says where each comes from). For each file the test
    renames the cmdlets (*-MgBetaUserProfilePosition and *-MgUserProfilePosition -> *-ProfilePosition), drops the
    Import-Module line and checks that nothing else changed; then it runs the code in a fresh
    `pwsh -NoProfile -NonInteractive` (so no prompt can be answered) after a prelude that imports the built module,
    connects to the sandbox and sets the variables the examples assume, $userId and $workPositionId; and it checks the
    sandbox's journal and state for what the example does. $userId is a UPN, and for the current examples also an
    object id ("A UPN can also be used as -UserId").
#>

BeforeDiscovery {
    $folder = Join-Path $PSScriptRoot 'MgExamples'
    $ExampleCases = foreach ($file in Get-ChildItem -Path $folder -Filter '*.ps1' -Recurse | Sort-Object FullName) {
        # The current examples (*.1) run with an object id too; the others' code differs only in how the body is written.
        $current = $file.Directory.Name -ne 'historical-v1' -and $file.Name -like '*.1.ps1'
        foreach ($form in @(if ($current) { 'UPN', 'object id' } else { 'UPN' })) {
            @{ Path = $file.FullName; Name = [IO.Path]::GetRelativePath($folder, $file.FullName); Verb = ($file.Name -split '-')[0]; UserForm = $form }
        }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
    $script:signedIn = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'adele.vance@*'
    $script:owner = Find-SandboxUser -Sandbox $script:sandbox -UserPrincipalName 'megan.bowen@*'

    function Read-Example([string] $Path) {
        # The header (# Source:, # Page:, # Title:, ...) and the code after the marker line, as published.
        $text = [IO.File]::ReadAllText($Path)
        $marker = [regex]::Match($text, '(?m)^# ---- verbatim code below.*\r?\n')
        $marker.Success | Should -BeTrue -Because "$Path marks where the published code starts"
        [pscustomobject]@{ Header = $text.Substring(0, $marker.Index); Code = $text.Substring($marker.Index + $marker.Length) }
    }

    function ConvertTo-ModuleExample([string] $Code) {
        # Only two things change: the cmdlet names, and the Import-Module line of Microsoft's module goes.
        $lines = $Code -split '\r?\n'
        $kept = @($lines | Where-Object { $_ -notmatch '^\s*Import-Module\s+Microsoft\.Graph(\.Beta)?\.People\s*$' })
        $renamed = @($kept | ForEach-Object { $_ -replace '\b(New|Get|Update|Remove)-Mg(Beta)?UserProfilePosition\b', '$1-ProfilePosition' })
        [pscustomobject]@{ Original = $lines; Kept = $kept; Code = $renamed -join "`n" }
    }
}

AfterAll {
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Microsoft''s examples, renamed' {
    BeforeEach {
        Reset-Sandbox -Sandbox $script:sandbox
        $seed = New-SeedPosition -Sandbox $script:sandbox -OwnerId $script:owner.id -Body @{ detail = @{ jobTitle = 'Analyst'; company = @{ displayName = 'Contoso' } }; isCurrent = $false }
        Clear-SandboxJournal -Sandbox $script:sandbox
    }

    It '<Name> runs with $userId as a <UserForm>' -ForEach $ExampleCases {
        $example = Read-Example $Path
        $example.Header | Should -Match '(?m)^# Source: ' -Because 'every example names where it was published'
        $example.Header | Should -Match '(?m)^# (Source|Page): .*https://' -Because 'and gives the address of that page'
        $module = ConvertTo-ModuleExample $example.Code
        ($module.Original.Count - $module.Kept.Count) | Should -Be 1 -Because 'every example imports Microsoft''s module in one line, which is dropped'
        $renamedLines = $module.Code -split "`n"
        $renamedLines.Count | Should -Be $module.Kept.Count
        $cmdlet = '\b(New|Get|Update|Remove)-(Mg(Beta)?User)?ProfilePosition\b'
        for ($index = 0; $index -lt $renamedLines.Count; $index++) {
            ($renamedLines[$index] -replace $cmdlet, '<cmdlet>') | Should -BeExactly ($module.Kept[$index] -replace $cmdlet, '<cmdlet>') -Because 'nothing but the cmdlet name changes'
        }
        $module.Code | Should -Not -Match '-Mg' -Because 'no Microsoft cmdlet is left'

        $userId = if ($UserForm -eq 'UPN') { $script:owner.userPrincipalName } else { $script:owner.id }
        $run = Invoke-ScriptInFreshPwsh -Sandbox $script:sandbox -User $script:signedIn.userPrincipalName -Code $module.Code -Variables @{ userId = $userId; workPositionId = $seed.id }

        $run.Errors | Should -BeNullOrEmpty -Because "the example ran as:`n$($module.Code)`nand printed:`n$($run.Output)"
        $run.ExitCode | Should -Be 0
        $requests = @(Get-GraphRequest -Sandbox $script:sandbox -IncludeEnvelope)
        $requests.Count | Should -Be 1 -Because 'one example, one request'
        $request = $requests[0]
        $request.caller | Should -Be $script:signedIn.userPrincipalName
        $request.user | Should -Be $script:owner.userPrincipalName -Because 'the request addressed $userId'
        $request.status | Should -BeLessThan 300
        $stored = @(Get-StoredPosition -Sandbox $script:sandbox -OwnerId $script:owner.id)
        switch ($Verb) {
            'New' {
                $request.method | Should -Be 'POST'
                $request.path | Should -Be "/beta/users/$userId/profile/positions"
                $body = Get-RequestJson $request
                ConvertTo-CanonicalJson $body | Should -BeExactly (ConvertTo-CanonicalJson @{
                        detail    = @{
                            company  = @{
                                displayName = 'Adventureworks Ltd.'; department = 'Consulting'; officeLocation = 'AW23/344'; webUrl = 'https://www.adventureworks.com'
                                address = @{ type = 'business'; street = '123 Patriachy Ponds'; city = 'Moscow'; countryOrRegion = 'Russian Federation'; postalCode = 'RU-34621' }
                            }
                            jobTitle = 'Senior Product Branding Manager II'; role = 'consulting'
                        }
                        isCurrent = $true
                    }) -Because 'PascalCase and camelCase keys alike are sent as Graph''s camelCase'
                $stored.Count | Should -Be 2
                $created = $stored | Where-Object id -NE $seed.id
                $created.detail.jobTitle | Should -Be 'Senior Product Branding Manager II'
                $created.detail.company.address.city | Should -Be 'Moscow'
                $created.isCurrent | Should -BeTrue
                # The default table at the 80 columns of redirected output shows the Id whole; the job title may be cut.
                $run.Output | Should -Match ([regex]::Escape($created.id)) -Because 'the new position is written out'
            }
            'Get' {
                $request.method | Should -Be 'GET'
                $expected = if ($example.Code -match '-WorkPositionId') { "/beta/users/$userId/profile/positions/$($seed.id)" } else { "/beta/users/$userId/profile/positions" }
                $request.path | Should -Be $expected
                $run.Output | Should -Match ([regex]::Escape($seed.id)) -Because 'the position is written out'
                $stored.Count | Should -Be 1
            }
            'Update' {
                $request.method | Should -Be 'PATCH'
                $request.path | Should -Be "/beta/users/$userId/profile/positions/$($seed.id)"
                ConvertTo-CanonicalJson (Get-RequestJson $request) | Should -BeExactly '{"isCurrent":true}'
                $stored.isCurrent | Should -BeTrue
                $stored.detail.jobTitle | Should -Be 'Analyst' -Because 'only isCurrent changes'
            }
            'Remove' {
                $request.method | Should -Be 'DELETE'
                $request.path | Should -Be "/beta/users/$userId/profile/positions/$($seed.id)"
                $stored | Should -BeNullOrEmpty
                $run.Output.Trim() | Should -BeNullOrEmpty -Because 'Remove writes nothing without -PassThru'
            }
            default { throw "No expectation for the verb '$Verb' ($Name)." }
        }
    }
}
