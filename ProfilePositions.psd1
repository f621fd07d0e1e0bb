@{
    RootModule           = 'ProfilePositions.dll'
    ModuleVersion        = '0.6.1'
    GUID                 = '6f0b3c52-8a4e-4d0c-9a57-2f6f1d9c4e31'
    Author               = 'ProfilePositions contributors'
    CompanyName          = 'ProfilePositions'
    Copyright            = '(c) ProfilePositions contributors. MIT License.'
    Description          = 'Manage the work positions on Microsoft 365 user profiles through Microsoft Graph beta.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    TypesToProcess       = @('ProfilePositions.types.ps1xml')
    FormatsToProcess     = @('ProfilePositions.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-ProfileGraph'
        'Disconnect-ProfileGraph'
        'Get-ProfileGraphContext'
        'Get-ProfilePosition'
        'New-ProfilePosition'
        'Update-ProfilePosition'
        'Remove-ProfilePosition'
        'Sync-ProfilePosition'
    )
    # The testing helpers (a script module: docs/ARCHITECTURE.md, "Testing helpers").
    NestedModules        = @('ProfilePositions.Testing.psm1')
    FunctionsToExport    = @(
        'Start-ProfileGraphSandbox'
        'Stop-ProfileGraphSandbox'
        'Reset-ProfileGraphSandbox'
        'Get-ProfileGraphSandboxRequest'
        'Add-ProfileGraphSandboxFault'
        'Connect-ProfileGraphSandbox'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('MicrosoftGraph', 'Profile', 'WorkPosition', 'M365', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
