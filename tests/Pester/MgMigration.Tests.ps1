#Requires -Version 7.0
<#
    The README's migration tables ("Migrating from Microsoft Graph PowerShell", "Every Mg parameter") against the
    built module and the list of Microsoft's parameters in MgParameters.psd1: a row for every Mg parameter of
    New-, Get-, Update-, Remove-MgBetaUserProfilePosition and Connect-MgGraph, and a status that is true of the module:
    "same" and "differs" name a parameter (or alias) the module's cmdlet has, "renamed: -X" names one it has under the
    new name, "not supported" one it lacks.
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:mg = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'MgParameters.psd1')
    $verbs = @{ New = 'New-MgBetaUserProfilePosition'; Get = 'Get-MgBetaUserProfilePosition'; Update = 'Update-MgBetaUserProfilePosition'; Remove = 'Remove-MgBetaUserProfilePosition' }

    # The rows of the section's parameter tables: one per Mg cmdlet a row names.
    $readme = Get-Content (Join-Path (Get-TestRepositoryRoot) 'README.md')
    $start = [array]::IndexOf($readme, '## Migrating from Microsoft Graph PowerShell')
    $start | Should -BeGreaterOrEqual 0
    $section = $readme[($start + 1)..($readme.Count - 1)]
    $end = @($section | Select-String -Pattern '^## ' | Select-Object -First 1)
    if ($end) { $section = $section[0..($end[0].LineNumber - 2)] }

    $script:rows = [Collections.Generic.List[object]]::new()
    $table = $null
    foreach ($line in $section) {
        if ($line -notmatch '^\|') { $table = $null; continue }
        $cells = @(($line.Trim().Trim('|') -split '(?<!\\)\|') | ForEach-Object { $_.Trim() })
        if ($cells[0] -eq 'Mg parameter') { $table = 'Positions'; continue }
        if ($cells[0] -eq 'Connect-MgGraph parameter') { $table = 'Connect'; continue }
        if (-not $table -or $cells[0] -notmatch '^`-(\w+)`$') { continue }
        $parameter = $Matches[1]
        if ($table -eq 'Connect') { $mgCmdlets = @('Connect-MgGraph'); $status = $cells[1]; $notes = $cells[2] }
        else {
            $mgCmdlets = @($cells[1] -split ',\s*' | ForEach-Object { if ($verbs.ContainsKey($_)) { $verbs[$_] } else { "unknown cmdlet '$_'" } })
            $status = $cells[2]
            $notes = $cells[3]
        }
        foreach ($mgCmdlet in $mgCmdlets) {
            $script:rows.Add([pscustomobject]@{ MgCmdlet = $mgCmdlet; Parameter = $parameter; Status = $status; Notes = $notes; Line = $line })
        }
    }

    function Test-ModuleParameter([string] $Command, [string] $Name) {
        # True when the module's cmdlet has a parameter, or an alias, of this name.
        [bool] ((Get-Command $Command).Parameters.Values | Where-Object { $_.Name -eq $Name -or $_.Aliases -contains $Name })
    }
}

Describe 'README migration table' {
    It 'has one row for every parameter of <_>' -ForEach @('New-MgBetaUserProfilePosition', 'Get-MgBetaUserProfilePosition', 'Update-MgBetaUserProfilePosition', 'Remove-MgBetaUserProfilePosition', 'Connect-MgGraph') {
        $mgCmdlet = $_
        foreach ($parameter in $script:mg.Cmdlets[$mgCmdlet].Parameters) {
            @($script:rows | Where-Object { $_.MgCmdlet -eq $mgCmdlet -and $_.Parameter -eq $parameter }).Count | Should -Be 1 -Because "the README needs exactly one row for $mgCmdlet -$parameter"
        }
    }

    It 'lists only parameters that Microsoft''s cmdlets have, with a known status and a reason for every difference' {
        $script:rows.Count | Should -BeGreaterThan 90
        foreach ($row in $script:rows) {
            $script:mg.Cmdlets.Keys | Should -Contain $row.MgCmdlet -Because $row.Line
            $script:mg.Cmdlets[$row.MgCmdlet].Parameters | Should -Contain $row.Parameter -Because "$($row.MgCmdlet) has no -$($row.Parameter) ($($row.Line))"
            $row.Status | Should -Match '^(same|differs|not supported|renamed: `-\w+`)$' -Because $row.Line
            if ($row.Status -ne 'same') { $row.Notes | Should -Not -BeNullOrEmpty -Because "a difference says why: $($row.Line)" }
        }
    }

    It 'says "same" or "differs" only of parameters the module''s cmdlet has, and "not supported" only of ones it lacks' {
        foreach ($row in $script:rows) {
            $command = $script:mg.Cmdlets[$row.MgCmdlet].Module
            $has = Test-ModuleParameter $command $row.Parameter
            switch -Regex ($row.Status) {
                '^(same|differs)$' {
                    $has | Should -BeTrue -Because "$command has no -$($row.Parameter), but the README says '$($row.Status)'"
                }
                '^not supported$' {
                    $has | Should -BeFalse -Because "$command has -$($row.Parameter) now: the README's row should say what it does"
                }
                '^renamed: `-(\w+)`$' {
                    Test-ModuleParameter $command $Matches[1] | Should -BeTrue -Because "$command has no -$($Matches[1]) ($($row.Line))"
                    $has | Should -BeFalse -Because "$command has -$($row.Parameter) itself, so it is not renamed"
                }
            }
        }
    }
}
