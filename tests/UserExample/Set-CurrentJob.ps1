<#
.SYNOPSIS
    Records a user's new job: the positions marked current are closed (not current any more, ended the month the new
    job starts) and the new job is created as the current position.

.DESCRIPTION
    An example of a script an administrator writes with the ProfilePositions module; Set-CurrentJob.Tests.ps1 beside it
    tests it the way a user would, against the sandbox started by Start-ProfileGraphSandbox.

.EXAMPLE
    ./Set-CurrentJob.ps1 -UserId megan.bowen@contoso.com -JobTitle 'Lead Engineer' -CompanyName Contoso -Start 2026-03-01
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $UserId,
    [Parameter(Mandatory)] [string] $JobTitle,
    [Parameter(Mandatory)] [string] $CompanyName,
    [datetime] $Start = (Get-Date)
)

$ErrorActionPreference = 'Stop'
$month = $Start.ToString('yyyy-MM-01', [Globalization.CultureInfo]::InvariantCulture)

$current = @(Get-ProfilePosition -UserId $UserId -All | Where-Object IsCurrent)
foreach ($position in $current) {
    # Update-ProfilePosition returns the updated position; this script returns only the new one.
    $null = $position | Update-ProfilePosition -IsCurrent:$false -EndMonthYear $month
}
New-ProfilePosition -UserId $UserId -JobTitle $JobTitle -CompanyName $CompanyName -StartMonthYear $month -IsCurrent
