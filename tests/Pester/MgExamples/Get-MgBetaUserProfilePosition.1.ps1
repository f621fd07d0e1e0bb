# Source: https://learn.microsoft.com/powershell/module/microsoft.graph.beta.people/get-mgbetauserprofileposition?view=graph-powershell-beta (EXAMPLES section)
# Source: GitHub MicrosoftDocs/microsoftgraph-docs-powershell, path microsoftgraph/graph-powershell-beta/Microsoft.Graph.Beta.People/Get-MgBetaUserProfilePosition.md, commit 000701007bf4114226ce3c7ece8b24a744b319be (ms.date 01/30/2026, PlatyPS schema 2024-05-01)
# Source: GitHub microsoftgraph/microsoft-graph-docs-contrib, path api-reference/beta/includes/snippets/powershell/get-positions-powershell-snippets.md, commit 09455a65abde17103c17fc70605c4c8553f01978 (included by api-reference/beta/api/profile-list-positions.md -> https://learn.microsoft.com/en-us/graph/api/profile-list-positions?view=graph-rest-beta) -- identical code
# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/beta/examples/Get-MgBetaUserProfilePosition.md, commit c7f31794de3fe73bc88afab4988a69be9c211770 ("Example 1: Code snippet") -- identical code
# Source: older, same lines without the blank line: msgraph-sdk-powershell src/People/beta/docs/Get-MgBetaUserProfilePosition.md @ 0b653ad6e4960a9b1ca7b60f234ed6734e83af72 (EXAMPLE 1); src/People/People/examples/v1.0-beta/Get-MgUserProfilePosition.md @ b451ac177069c91a78f0c2621464c9478b551c13 ("Example 1: Using the Get-MgBetaUserProfilePosition Cmdlet")
# Title: EXAMPLE 1   (sdk examples file: "Example 1: Code snippet")
# Status: CURRENT. Graph API request: GET https://graph.microsoft.com/beta/me/profile/positions
#
# ---- verbatim code below (tabs preserved) ----
Import-Module Microsoft.Graph.Beta.People

# A UPN can also be used as -UserId.
Get-MgBetaUserProfilePosition -UserId $userId
