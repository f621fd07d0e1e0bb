# Source: GitHub microsoftgraph/microsoft-graph-docs-contrib, path api-reference/beta/includes/snippets/powershell/delete-workposition-powershell-snippets.md, commit 03c7b71e4db41c4ac68bfa53212454c3e1412d3c (also localized zh-CN copy, ms.lasthandoff 01/20/2022)
# Page: https://github.com/microsoftgraph/microsoft-graph-docs-contrib/blob/03c7b71e4db41c4ac68bfa53212454c3e1412d3c/api-reference/beta/includes/snippets/powershell/delete-workposition-powershell-snippets.md (the first source above, as an address)
# Title: (Graph API page 'Delete workPosition', PowerShell tab)
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing. No UPN comment.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People

Remove-MgUserProfilePosition -UserId $userId -WorkPositionId $workPositionId
