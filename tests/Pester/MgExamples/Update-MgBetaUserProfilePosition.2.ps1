# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/People/examples/v1.0-beta/Update-MgUserProfilePosition.md, commit b451ac177069c91a78f0c2621464c9478b551c13
# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/beta/docs/Update-MgBetaUserProfilePosition.md, commit 05c899da3135523dae175145197ad5d86440b4a3 ("-------------------------- EXAMPLE 1 --------------------------") -- identical code
# Source: a stored Graph-docs snippet with fence ```powershellv2 (index id 3758298302; repo/path/commit not reported, presumably microsoft-graph-docs-contrib .../update-workposition-powershell-snippets.md) -- same lines WITH blank lines after Import-Module and before the comment
# Page: https://github.com/microsoftgraph/msgraph-sdk-powershell/blob/b451ac177069c91a78f0c2621464c9478b551c13/src/People/People/examples/v1.0-beta/Update-MgUserProfilePosition.md (the first source above, as an address)
# Title: Example 1: Using the Update-MgBetaUserProfilePosition Cmdlet
# Status: SUPERSEDED (PascalCase key IsCurrent).
#
# ---- verbatim code below (tabs preserved) ----
Import-Module Microsoft.Graph.Beta.People
$params = @{
	IsCurrent = $true
}
# A UPN can also be used as -UserId.
Update-MgBetaUserProfilePosition -UserId $userId -WorkPositionId $workPositionId -BodyParameter $params
