#Requires -Version 7.0
<#
.SYNOPSIS
    The module's main job, for real, against the local Graph sandbox.

.DESCRIPTION
    Starts the sandbox on a free port, gets a token for a demo user with User.ReadWrite.All, connects with
    Connect-ProfileGraph, creates Microsoft's documented example position for a demo user addressed by UPN,
    lists that user's positions as a table, updates one, removes one, and stops the sandbox.
    build.ps1 -Task Demo runs it in a fresh pwsh after building; any error makes the exit code non-zero.
#>
param(
    [Parameter(Mandatory)] [string] $ModuleManifest,
    [Parameter(Mandatory)] [string] $SandboxAssembly
)

$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest

function Start-Sandbox {
    # Output goes to a file, so the sandbox never blocks on a full pipe; the listening line gives the port.
    $log = Join-Path ([IO.Path]::GetTempPath()) "pp-demo-sandbox-$PID.log"
    $process = Start-Process -FilePath 'dotnet' -ArgumentList @($SandboxAssembly, '--port', '0') -RedirectStandardOutput $log -RedirectStandardError "$log.err" -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($process.HasExited) { throw "The sandbox exited with code $($process.ExitCode): $(Get-Content "$log.err" -Raw -ErrorAction SilentlyContinue)" }
        $match = if (Test-Path $log) { Select-String -Path $log -Pattern 'Now listening on:\s*(http://\S+)' | Select-Object -First 1 }
        if ($match) {
            return [pscustomobject]@{ Uri = $match.Matches[0].Groups[1].Value.TrimEnd('/'); Process = $process; Log = $log }
        }
        Start-Sleep -Milliseconds 100
    }
    $process.Kill($true)
    throw 'The sandbox did not start listening within 60 s.'
}

function Write-Section([string] $Text) {
    Write-Host ''
    Write-Host "--- $Text" -ForegroundColor Cyan
}

$sandbox = Start-Sandbox
try {
    Write-Section "Sandbox listening on $($sandbox.Uri)"
    $users = Invoke-RestMethod "$($sandbox.Uri)/_sandbox/users"
    $users | Format-Table userPrincipalName, displayName, id | Out-Host

    # An administrator signs in with the scope needed to write other users' profiles...
    $admin = $users | Where-Object userPrincipalName -EQ 'megan.bowen@contoso.com' | Select-Object -First 1
    if (-not $admin) { $admin = $users[0] }
    # ...and works on a demo user addressed by UPN.
    $userId = ($users | Where-Object { $_.userPrincipalName -ne $admin.userPrincipalName -and $_.userPrincipalName -match '^[a-z.]+@' } | Select-Object -First 1).userPrincipalName

    Write-Section "Connect-ProfileGraph as $($admin.userPrincipalName) with User.ReadWrite.All"
    $query = 'user={0}&scopes={1}' -f [uri]::EscapeDataString($admin.userPrincipalName), [uri]::EscapeDataString('User.ReadWrite.All')
    $token = Invoke-RestMethod "$($sandbox.Uri)/_sandbox/token?$query"
    $secureToken = ConvertTo-SecureString -String $token.access_token -AsPlainText -Force
    Connect-ProfileGraph -AccessToken $secureToken -GraphEndpoint $sandbox.Uri | Format-List Account, Scopes, Environment, GraphEndpoint, AuthType, TokenExpiresOn | Out-Host

    Write-Section "New-ProfilePosition -UserId $userId -BodyParameter `$params (Microsoft's documented example)"
    $params = @{
        detail = @{
            company = @{
                displayName = "Adventureworks Ltd."
                department = "Consulting"
                officeLocation = "AW23/344"
                address = @{
                    type = "business"
                    street = "123 Patriachy Ponds"
                    city = "Moscow"
                    countryOrRegion = "Russian Federation"
                    postalCode = "RU-34621"
                }
                webUrl = "https://www.adventureworks.com"
            }
            jobTitle = "Senior Product Branding Manager II"
            role = "consulting"
        }
        isCurrent = $true
    }
    $created = New-ProfilePosition -UserId $userId -BodyParameter $params
    $created | Format-List | Out-Host

    Write-Section 'New-ProfilePosition with the flat parameters (an earlier position)'
    $earlier = New-ProfilePosition -UserId $userId -JobTitle 'Branding Specialist' -CompanyName 'Contoso' -Department 'Marketing' `
        -City 'Seattle' -CountryOrRegion 'United States' -AddressType business -StartMonthYear '2016-04' -EndMonthYear '2019-12'
    $earlier | Out-String -Width 160 | Out-Host

    Write-Section "Get-ProfilePosition -UserId $userId"
    Get-ProfilePosition -UserId $userId -All | Format-Table | Out-String -Width 160 | Out-Host

    Write-Section 'Update-ProfilePosition: the documented position gets a start date'
    $updated = Get-ProfilePosition -UserId $userId -WorkPositionId $created.Id |
        Update-ProfilePosition -StartMonthYear '2020-07' -Categories 'Consulting'
    $updated | Format-List | Out-Host

    Write-Section 'Remove-ProfilePosition: the earlier position'
    Remove-ProfilePosition -UserId $userId -WorkPositionId $earlier.Id -Confirm:$false

    Write-Section "Get-ProfilePosition -UserId $userId (after the update and the removal)"
    $remaining = @(Get-ProfilePosition -UserId $userId -All)
    $remaining | Format-Table | Out-String -Width 160 | Out-Host
    if ($remaining.Id -notcontains $created.Id -or $remaining.Id -contains $earlier.Id) {
        throw 'Expected the documented position to remain and the earlier one to be gone.'
    }
    if (($remaining | Where-Object Id -EQ $created.Id).Detail.StartMonthYear -notlike '2020-07-01*') {
        throw 'The update did not reach the position.'
    }

    Disconnect-ProfileGraph
    Write-Section 'Done: created, listed, updated and removed positions through the sandbox.'
}
finally {
    if (-not $sandbox.Process.HasExited) {
        $sandbox.Process.Kill($true)
        $null = $sandbox.Process.WaitForExit(10000)
    }
    Remove-Item $sandbox.Log, "$($sandbox.Log).err" -ErrorAction SilentlyContinue
}
exit 0
