# Source: a stored Graph-docs snippet (front matter 'description: "Automatically generated file. DO NOT MODIFY"', fence ```powershell; index id 483319981; repository/path/commit not reported by the index, presumably microsoft-graph-docs-contrib api-reference/beta/includes/snippets/powershell/update-workposition-powershell-snippets.md, older version)
# Page: https://learn.microsoft.com/en-us/graph/api/workposition-update?view=graph-rest-beta (the Graph API page whose PowerShell tab showed this snippet, before the cmdlets were renamed MgBeta)
# Title: (Graph API page 'Update workPosition', PowerShell tab)
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing. camelCase key.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People

$params = @{
	isCurrent = $true
}

# A UPN can also be used as -UserId.
Update-MgUserProfilePosition -UserId $userId -WorkPositionId $workPositionId -BodyParameter $params
