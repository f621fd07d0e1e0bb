# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/People/examples/v1.0-beta/New-MgUserProfilePosition.md, commit 325f231f2b280f78cde42a6d1cf94d2491edd637
# Page: https://github.com/microsoftgraph/msgraph-sdk-powershell/blob/325f231f2b280f78cde42a6d1cf94d2491edd637/src/People/People/examples/v1.0-beta/New-MgUserProfilePosition.md (the first source above, as an address)
# Title: Example 1: Using the New-MgUserProfilePosition Cmdlet
# Status: HISTORICAL v1.x SDK (module Microsoft.Graph.People, noun without 'Beta'; beta endpoint reached via Select-MgProfile -Name beta, which the snippet does NOT show). Not the cmdlet names we mirror; kept for migration/compat testing. PascalCase keys, tab indent, no blank lines.
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
