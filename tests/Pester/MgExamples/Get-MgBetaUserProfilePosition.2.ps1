# Source: GitHub microsoftgraph/microsoft-graph-docs-contrib, path api-reference/beta/includes/snippets/powershell/get-workposition-powershell-snippets.md, commit 322a29c7d5c8616187a336b5b77b7f57047f5881 (included by api-reference/beta/api/workposition-get.md @ 137d0e2a9dd6e3085088211c73cb6fc11689a523 -> https://learn.microsoft.com/en-us/graph/api/workposition-get?view=graph-rest-beta, PowerShell tab)
# Source: older, same lines without the blank line: msgraph-sdk-powershell src/People/beta/docs/Get-MgBetaUserProfilePosition.md @ 0b653ad6e4960a9b1ca7b60f234ed6734e83af72 ("-------------------------- EXAMPLE 2 --------------------------"); src/People/People/examples/v1.0-beta/Get-MgUserProfilePosition.md @ b451ac177069c91a78f0c2621464c9478b551c13 ("Example 2: Using the Get-MgBetaUserProfilePosition Cmdlet")
# Title: (Graph API page) "Request" / PowerShell tab; (older cmdlet help) EXAMPLE 2
# Status: CURRENT in Graph API docs; NOT present on the current Learn cmdlet page (which has only EXAMPLE 1). Graph API request: GET https://graph.microsoft.com/beta/me/profile/positions/{id}
#
# ---- verbatim code below (tabs preserved) ----
Import-Module Microsoft.Graph.Beta.People

# A UPN can also be used as -UserId.
Get-MgBetaUserProfilePosition -UserId $userId -WorkPositionId $workPositionId
