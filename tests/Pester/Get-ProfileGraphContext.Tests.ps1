#Requires -Version 7.0
<# Get-ProfileGraphContext: nothing before connecting, the context after, never the token. #>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
    $script:sandbox = Start-TestSandbox
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Get-ProfileGraphContext' {
    It 'writes nothing when not connected' {
        Disconnect-ProfileGraph
        @(Get-ProfileGraphContext).Count | Should -Be 0
    }

    It 'writes the current context after connecting, without the token in any form' {
        $token = Get-TestToken -Sandbox $script:sandbox -User 'megan.bowen@contoso.com' -Scopes 'User.ReadWrite'
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri

        $context = Get-ProfileGraphContext

        $context | Should -BeOfType ([ProfilePositions.ProfileGraphContext])
        $context.Account | Should -Be 'megan.bowen@contoso.com'
        $context.Scopes | Should -Be @('User.ReadWrite')
        $context.AuthType | Should -Not -BeNullOrEmpty
        $context.Environment | Should -Not -BeNullOrEmpty
        foreach ($text in ($context | Format-List | Out-String), ($context | Format-List * | Out-String), ($context | ConvertTo-Json -Depth 5), ($context | ConvertTo-Csv | Out-String)) {
            $text | Should -Not -Match ([regex]::Escape($token))
        }
        $context.PSObject.Properties.Name | Should -Not -Contain 'AccessToken'
    }

    It 'shows the context as a list by default' {
        $token = Get-TestToken -Sandbox $script:sandbox -User 'megan.bowen@contoso.com'
        $null = Connect-ProfileGraph -AccessToken (ConvertTo-SecureString $token -AsPlainText -Force) -GraphEndpoint $script:sandbox.BaseUri

        $text = Get-ProfileGraphContext | Out-String

        $text | Should -Match 'Account\s+:\s+megan\.bowen@contoso\.com'
        $text | Should -Match 'TokenExpiresOn\s+:'
    }
}
