# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/People/examples/v1.0-beta/Get-MgUserProfilePosition.md, commit 7fa571c4b18300c7bb258ecc55c24a68adb5fe87
# Page: https://github.com/microsoftgraph/msgraph-sdk-powershell/blob/7fa571c4b18300c7bb258ecc55c24a68adb5fe87/src/People/People/examples/v1.0-beta/Get-MgUserProfilePosition.md (the first source above, as an address)
# Title: Example 2: Using the Get-MgUserProfilePosition Cmdlet
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People
# A UPN can also be used as -UserId.
Get-MgUserProfilePosition -UserId $userId -WorkPositionId $workPositionId
