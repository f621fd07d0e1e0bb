#Requires -Version 7.0
<#
    The help text as Get-Help prints it from the built module: about_ProfilePositions is plain text in the about-topic
    layout (no markdown reaches the reader), and no help points online until the project has a published
    documentation site (Get-Help -Online has nothing to open, rather than a link to nowhere).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:root = Get-TestRepositoryRoot
    $script:aboutSource = Join-Path $script:root 'en-US/about_ProfilePositions.md'
    $script:aboutText = Get-Help about_ProfilePositions | Out-String
    $script:aboutLines = @($script:aboutText -split '\r?\n')
}

Describe 'Get-Help about_ProfilePositions' {
    It 'has no markdown: no backtick, no table rule, no heading, no bold, no link syntax' {
        $script:aboutText | Should -Not -BeNullOrEmpty
        $script:aboutText | Should -Not -Match '`'
        $script:aboutText | Should -Not -Match '\|\s*:?-{3}'
        $script:aboutText | Should -Not -Match '(?m)^\s{0,3}#{1,6}\s'
        $script:aboutText | Should -Not -Match '\*\*'
        $script:aboutText | Should -Not -Match '\]\('
    }

    It 'has the about-topic layout: TOPIC, then every heading of the source as an upper-case section name at the margin' {
        $script:aboutLines[0] | Should -Be 'TOPIC'
        $script:aboutLines[1] | Should -Be '    about_ProfilePositions'
        $headings = @(Get-Content $script:aboutSource | Where-Object { $_ -match '^#{2,} ' } | ForEach-Object { ($_ -replace '^#+ ', '').Trim().ToUpperInvariant() })
        $headings | Should -Contain 'SHORT DESCRIPTION'
        $headings | Should -Contain 'LONG DESCRIPTION'
        $headings | Should -Contain 'SEE ALSO'
        foreach ($heading in $headings) {
            $script:aboutLines | Should -Contain $heading
        }
    }

    It 'indents prose by 4 and code by 8, and wraps at 80 columns' {
        $script:aboutLines | Should -Contain '    -UserId takes an object id, a user principal name or me; without it on the'
        $script:aboutLines | Should -Contain '        Import-Csv positions.csv | New-ProfilePosition'
        # Only a single word (an address in a list) may be longer than a line.
        @($script:aboutLines | Where-Object { $_.Length -gt 80 -and ($_.Trim() -replace '^- ', '') -match '\s' }) | Should -BeNullOrEmpty
        @($script:aboutLines | Where-Object { $_ -match '^\S' } | Where-Object { $_ -cne $_.ToUpperInvariant() }) | Should -BeNullOrEmpty -Because 'only section names start at the margin'
    }

    It 'shows a table as aligned columns under dashed headers' {
        $header = [array]::IndexOf($script:aboutLines, ($script:aboutLines | Where-Object { $_ -match '^    Microsoft Graph PowerShell\s+ProfilePositions$' } | Select-Object -First 1))
        $header | Should -BeGreaterThan 0
        $rule = $script:aboutLines[$header + 1]
        $rule | Should -Match '^    -+  -+$'
        $second = $rule.LastIndexOf(' ') + 1
        $script:aboutLines[$header].IndexOf('ProfilePositions') | Should -Be $second -Because 'a header starts where its column does'
        $row = $script:aboutLines | Where-Object { $_ -like '    Disconnect-MgGraph *' }
        $row | Should -Not -BeNullOrEmpty
        $row.IndexOf('Disconnect-ProfileGraph') | Should -Be $second
    }
}

Describe 'No online help address' {
    It 'no command has a HelpUri, and no help page a related link that Get-Help -Online would open' {
        foreach ($command in Get-Command -Module ProfilePositions -CommandType Cmdlet, Function) {
            $command.HelpUri | Should -BeNullOrEmpty -Because "$($command.Name) has no published page"
            @((Get-Help $command.Name -Full).relatedLinks.navigationLink | Where-Object { $_.uri }) | Should -BeNullOrEmpty -Because "Get-Help $($command.Name) -Online would open it"
        }
    }

    It 'no source names a HelpUri or an online version, and the manifest no HelpInfoURI' {
        $sources = Get-ChildItem (Join-Path $script:root 'src') -Recurse -Filter '*.cs' | Where-Object FullName -NotMatch '[\\/](bin|obj)[\\/]'
        @($sources | Select-String -Pattern 'HelpUri' -SimpleMatch) | Should -BeNullOrEmpty
        foreach ($page in Get-ChildItem (Join-Path $script:root 'en-US') -Filter '*-*.md') {
            $online = Get-Content $page.FullName | Where-Object { $_ -match '^online version:' }
            $online | Should -Be 'online version:' -Because "$($page.Name) has no published page"
        }
        (Import-PowerShellDataFile (Join-Path $script:root 'ProfilePositions.psd1')).Keys | Should -Not -Contain 'HelpInfoURI'
    }
}
