# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/beta/examples/New-MgBetaUserProfilePosition.md, commit 62dd1abec66f65c6f77fdaa2764ea4fc80d17159 (Title there: "Example 1: Using the New-MgBetaUserProfilePosition Cmdlet")
# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/beta/docs/New-MgBetaUserProfilePosition.md, commit 05c899da3135523dae175145197ad5d86440b4a3 (Title there: "-------------------------- EXAMPLE 1 --------------------------") -- identical code
# Source: GitHub microsoftgraph/msgraph-sdk-powershell, path src/People/People/examples/v1.0-beta/New-MgUserProfilePosition.md (a stored version returned by code search; commit not reported) -- identical code
# Source: a stored Graph-docs snippet file with front matter 'description: "Automatically generated file. DO NOT MODIFY"' and fence ```powershellv2 (index id 4465043825; repository/path/commit not reported by the index, presumably microsoft-graph-docs-contrib api-reference/beta/includes/snippets/powershell/create-workposition-from-profile-powershell-snippets.md) -- same lines but WITH blank lines after Import-Module and before the comment
# Page: https://github.com/microsoftgraph/msgraph-sdk-powershell/blob/62dd1abec66f65c6f77fdaa2764ea4fc80d17159/src/People/beta/examples/New-MgBetaUserProfilePosition.md (the first source above, as an address)
# Title: Example 1: Using the New-MgBetaUserProfilePosition Cmdlet
# Status: SUPERSEDED (PascalCase keys, 2023-era v2 generator). Still published in older help; scripts copied from it send PascalCase keys.
#
# ---- verbatim code below (tabs preserved) ----
Import-Module Microsoft.Graph.Beta.People
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
New-MgBetaUserProfilePosition -UserId $userId -BodyParameter $params
