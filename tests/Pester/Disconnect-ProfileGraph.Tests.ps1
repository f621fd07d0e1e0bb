#Requires -Version 7.0
<# Disconnect-ProfileGraph: forgets the connection; the position cmdlets then stop with NotConnected. #>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-TestedModule
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
        (Get-GraphRequest -Sandbox $script:sandbox).Count | Should -Be 0
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
