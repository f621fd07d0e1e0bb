# Source: GitHub microsoftgraph/microsoft-graph-docs.zh-CN, path api-reference/beta/includes/snippets/powershell/create-workposition-from-profile-powershell-snippets.md, commit 14617d0ca8e828770db14ebfb4ed35581590ad94 (localized copy; ms.lasthandoff 02/03/2022)
# Page: https://github.com/microsoftgraph/microsoft-graph-docs.zh-CN/blob/14617d0ca8e828770db14ebfb4ed35581590ad94/api-reference/beta/includes/snippets/powershell/create-workposition-from-profile-powershell-snippets.md (the first source above, as an address)
# Title: (Graph API page 'Create workPosition', PowerShell tab, localized)
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing. PascalCase keys, 4-space indent.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People

$params = @{
    Detail = @{
        Company = @{
            DisplayName = "Adventureworks Ltd."
            Department = "Consulting"
            OfficeLocation = "AW23/344"
            Address = @{
                Type = "business"
                Street = "123 Patriachy Ponds"
                City = "Moscow"
                CountryOrRegion = "Russian Federation"
                PostalCode = "RU-34621"
            }
            WebUrl = "https://www.adventureworks.com"
        }
        JobTitle = "Senior Product Branding Manager II"
        Role = "consulting"
    }
    IsCurrent = $true
}

# A UPN can also be used as -UserId.
New-MgUserProfilePosition -UserId $userId -BodyParameter $params
