# Source: https://learn.microsoft.com/powershell/module/microsoft.graph.beta.people/update-mgbetauserprofileposition?view=graph-powershell-beta (EXAMPLES section)
# Source: GitHub MicrosoftDocs/microsoftgraph-docs-powershell, path microsoftgraph/graph-powershell-beta/Microsoft.Graph.Beta.People/Update-MgBetaUserProfilePosition.md, commit 000701007bf4114226ce3c7ece8b24a744b319be (ms.date 01/30/2026, PlatyPS schema 2024-05-01)
# Source: GitHub microsoftgraph/microsoft-graph-docs-contrib, path api-reference/beta/includes/snippets/powershell/update-workposition-powershell-snippets.md, commit 0713c450496046d1f357f9afae7a914ac6ab4277 (for https://learn.microsoft.com/en-us/graph/api/workposition-update?view=graph-rest-beta) -- identical code
# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/beta/examples/Update-MgBetaUserProfilePosition.md, commit c7f31794de3fe73bc88afab4988a69be9c211770 ("Example 1: Code snippet") -- identical code
# Title: EXAMPLE 1   (sdk examples file: "Example 1: Code snippet")
# Status: CURRENT (camelCase key). Graph API request: PATCH https://graph.microsoft.com/beta/me/profile/positions/{id} with body {"isCurrent": true}
# Note: the stored api-reference/beta/api/workposition-update.md (commit 072ff7b7e80abd9d37b97e88ef3917cc7bd2b572, an old version) has no PowerShell tab; the snippet file exists regardless.
#
# ---- verbatim code below (tabs preserved) ----
Import-Module Microsoft.Graph.Beta.People

$params = @{
	isCurrent = $true
}

# A UPN can also be used as -UserId.
Update-MgBetaUserProfilePosition -UserId $userId -WorkPositionId $workPositionId -BodyParameter $params
