# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/People/examples/v1.0-beta/Update-MgUserProfilePosition.md, commit 71e6582ef76569400701446495a3efb19e09f07f
# Page: https://github.com/microsoftgraph/msgraph-sdk-powershell/blob/71e6582ef76569400701446495a3efb19e09f07f/src/People/People/examples/v1.0-beta/Update-MgUserProfilePosition.md (the first source above, as an address)
# Title: Example 1: Using the Update-MgUserProfilePosition Cmdlet
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing. PascalCase key, tab indent.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People
$params = @{
	IsCurrent = $true
}
# A UPN can also be used as -UserId.
Update-MgUserProfilePosition -UserId $userId -WorkPositionId $workPositionId -BodyParameter $params
