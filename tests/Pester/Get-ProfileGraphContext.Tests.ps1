#Requires -Version 7.0
<# Get-ProfileGraphContext: nothing before connecting, the context after, never the token. #>

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
