# Source: GitHub microsoftgraph/microsoft-graph-docs.pt-BR, path api-reference/beta/includes/snippets/powershell/update-workposition-powershell-snippets.md, commit c8de1a3531db1e3a0d5a40c967d8595fbc535290 (localized copy, ms.lasthandoff 01/20/2022)
# Source: a later pt-BR version (ms.lasthandoff 02/03/2022, index id 8666276521) is identical except it adds the line '# A UPN can also be used as -UserId.' before the cmdlet line
# Page: https://github.com/microsoftgraph/microsoft-graph-docs.pt-BR/blob/c8de1a3531db1e3a0d5a40c967d8595fbc535290/api-reference/beta/includes/snippets/powershell/update-workposition-powershell-snippets.md (the first source above, as an address)
# Title: (Graph API page 'Update workPosition', PowerShell tab, localized)
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing. PascalCase key, 4-space indent, no UPN comment.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People

$params = @{
    IsCurrent = $true
}

Update-MgUserProfilePosition -UserId $userId -WorkPositionId $workPositionId -BodyParameter $params
