#Requires -Version 7.0
<# Disconnect-ProfileGraph: forgets the connection; the position cmdlets then stop with NotConnected. #>

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
    function Connect-AsAdele { $null = Connect-TestSandbox -Sandbox $script:sandbox -User 'adele.vance@contoso.com' }
}

AfterAll {
    Disconnect-ProfileGraph -ErrorAction SilentlyContinue
    Stop-TestSandbox -Sandbox $script:sandbox
}

Describe 'Disconnect-ProfileGraph' {
    It 'forgets the context and writes nothing' {
        Connect-AsAdele

        $output = @(Disconnect-ProfileGraph)

        $output.Count | Should -Be 0
        Get-ProfileGraphContext | Should -BeNullOrEmpty
    }

    It '-PassThru writes the context it removed' {
        Connect-AsAdele

        $removed = Disconnect-ProfileGraph -PassThru

        $removed | Should -BeOfType ([ProfilePositions.ProfileGraphContext])
        $removed.Account | Should -Be 'adele.vance@contoso.com'
    }

    It 'does nothing, without an error, when there is no connection' {
        Disconnect-ProfileGraph
        { Disconnect-ProfileGraph -ErrorAction Stop } | Should -Not -Throw
    }

    It '<Command> stops with NotConnected and says to run Connect-ProfileGraph, sending nothing' -ForEach @(
        @{ Command = 'Get-ProfilePosition'; Arguments = @{}; Type = 'GetProfilePositionCommand' }
        @{ Command = 'New-ProfilePosition'; Arguments = @{ JobTitle = 'x' }; Type = 'NewProfilePositionCommand' }
        @{ Command = 'Update-ProfilePosition'; Arguments = @{ Id = 'x'; JobTitle = 'x' }; Type = 'UpdateProfilePositionCommand' }
        @{ Command = 'Remove-ProfilePosition'; Arguments = @{ Id = 'x' }; Type = 'RemoveProfilePositionCommand' }
    ) {
        Disconnect-ProfileGraph
        Clear-SandboxJournal -Sandbox $script:sandbox

        { & $Command @Arguments } | Should -Throw -ErrorId "NotConnected,ProfilePositions.Commands.$Type" -ExpectedMessage '*Connect-ProfileGraph*'
        (Get-GraphRequest).Count | Should -Be 0
    }

    It 'stops a pipeline at the first item when not connected (terminating, not per item)' {
        Disconnect-ProfileGraph
        $items = [pscustomobject]@{ Id = 'a' }, [pscustomobject]@{ Id = 'b' }

        $caught = $null
        try { $items | Remove-ProfilePosition -ErrorAction SilentlyContinue } catch { $caught = $_ }

        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -Be 'NotConnected,ProfilePositions.Commands.RemoveProfilePositionCommand'
        $caught.CategoryInfo.Category | Should -Be 'AuthenticationError'
    }
}
