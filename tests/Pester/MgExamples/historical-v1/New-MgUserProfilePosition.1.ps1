# Source: GitHub microsoftgraph/microsoft-graph-docs-contrib, path api-reference/beta/includes/snippets/powershell/create-workposition-from-profile-powershell-snippets.md, commit 8c011236f0b7fd82a5edb0419646465f87321a24
# Page: https://github.com/microsoftgraph/microsoft-graph-docs-contrib/blob/8c011236f0b7fd82a5edb0419646465f87321a24/api-reference/beta/includes/snippets/powershell/create-workposition-from-profile-powershell-snippets.md (the first source above, as an address)
# Title: (Graph API page 'Create workPosition', Request, PowerShell tab)
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing.
#
# ---- verbatim code below ----
Import-Module Microsoft.Graph.People

$params = @{
	detail = @{
		company = @{
			displayName = "Adventureworks Ltd."
			department = "Consulting"
			officeLocation = "AW23/344"
			address = @{
				type = "business"
				street = "123 Patriachy Ponds"
				city = "Moscow"
				countryOrRegion = "Russian Federation"
				postalCode = "RU-34621"
			}
			webUrl = "https://www.adventureworks.com"
		}
		jobTitle = "Senior Product Branding Manager II"
		role = "consulting"
	}
	isCurrent = $true
}

# A UPN can also be used as -UserId.
New-MgUserProfilePosition -UserId $userId -BodyParameter $params
