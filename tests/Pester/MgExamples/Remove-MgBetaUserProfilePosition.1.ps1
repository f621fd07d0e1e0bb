# Source: https://learn.microsoft.com/powershell/module/microsoft.graph.beta.people/remove-mgbetauserprofileposition?view=graph-powershell-beta (EXAMPLES section)
# Source: GitHub MicrosoftDocs/microsoftgraph-docs-powershell, path microsoftgraph/graph-powershell-beta/Microsoft.Graph.Beta.People/Remove-MgBetaUserProfilePosition.md, commit 000701007bf4114226ce3c7ece8b24a744b319be (ms.date 01/30/2026, PlatyPS schema 2024-05-01)
# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/beta/examples/Remove-MgBetaUserProfilePosition.md, commit c7f31794de3fe73bc88afab4988a69be9c211770 ("Example 1: Code snippet") -- identical code
# Source: older, same lines without the blank line: msgraph-sdk-powershell src/People/beta/docs/Remove-MgBetaUserProfilePosition.md @ 0b653ad6e4960a9b1ca7b60f234ed6734e83af72 (EXAMPLE 1); src/People/People/examples/v1.0-beta/Remove-MgUserProfilePosition.md @ b451ac177069c91a78f0c2621464c9478b551c13 ("Example 1: Using the Remove-MgBetaUserProfilePosition Cmdlet")
# Title: EXAMPLE 1   (sdk examples file: "Example 1: Code snippet")
# Status: CURRENT. Graph API request: DELETE https://graph.microsoft.com/beta/me/profile/positions/{id} -> 204 No Content
# Note: the only stored version of microsoft-graph-docs-contrib api-reference/beta/includes/snippets/powershell/delete-workposition-powershell-snippets.md (commit 03c7b71e4db41c4ac68bfa53212454c3e1412d3c) is the v1-era Remove-MgUserProfilePosition snippet -> see historical-v1/Remove-MgUserProfilePosition.1.ps1. A Beta-named delete snippet was not found in the store.
#
# ---- verbatim code below (tabs preserved) ----
Import-Module Microsoft.Graph.Beta.People

# A UPN can also be used as -UserId.
Remove-MgBetaUserProfilePosition -UserId $userId -WorkPositionId $workPositionId
